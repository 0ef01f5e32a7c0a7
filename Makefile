# Set-up and everyday commands. `make serve` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_EXTRA := ../shared/corpus-extra

export BENTOML_DO_NOT_TRACK := true
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install serve test train validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

validate: install
	$(BIN)/arabic-events validate annotations/corpus.jsonl

test: install
	$(BIN)/python -m pytest -q

serve: install
	@echo "The service arrives with the serving issue; set-up is done (.venv ready)."

clean:
	rm -rf $(VENV) .pytest_cache
