# newsbot: the Discord bot with its bundled embedding model, on CPU.
FROM python:3.11-slim

# torch comes from PyTorch's CPU wheel index: the default PyPI wheel pulls several GB of CUDA libraries.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSBOT_DATA_DIR=/data

WORKDIR /app

# Bilingual dictionaries for translating question words (FreeDict, GPL-3+ data, installed, not copied).
# Their versions are not pinned: Debian removes a package version from its archive when it publishes an
# update, so a pinned version would break the build at the next security release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       dict-freedict-nld-eng dict-freedict-eng-nld dict-freedict-eng-deu dict-freedict-eng-fra \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0

COPY pyproject.toml README.md ./
COPY config ./config
COPY index ./index
COPY bot ./bot
# EXTRAS=cluster builds the image compose.cluster.yaml runs (PostgreSQL and Milvus clients). xllamacpp (the
# local-model extra, pinned here) lets NEWSBOT_WRITER__GGUF run a GGUF file mounted in.
ARG EXTRAS=""
RUN pip install "./${EXTRAS:+[$EXTRAS]}" xllamacpp==2026.10.11549

COPY data/sample ./data/sample

RUN groupadd --system --gid 10001 newsbot \
    && useradd --system --uid 10001 --gid 10001 --create-home newsbot \
    && mkdir -p /data \
    && chown 10001:10001 /data
# Numeric, so the host (and a volume's owner) resolves it without the image's /etc/passwd.
USER 10001:10001
VOLUME ["/data"]

# Healthy = the bot process is alive, wrote its heartbeat within 90 s, and its index matches the archive.
HEALTHCHECK --interval=60s --timeout=15s --start-period=180s --retries=3 CMD ["newsbot", "healthcheck"]

CMD ["newsbot", "run"]
