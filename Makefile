# Set-up and everyday commands. `make serve` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_EXTRA := ../shared/corpus-extra
SHARED_ORIGINS := ../shared/corpus-origins

export BENTOML_DO_NOT_TRACK := true
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install serve test test-e2e test-client bench validate clean corpus-texts

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# Every span annotation file (records-gold.jsonl holds incident records, which `evaluate --records` reads).
validate: install corpus-texts
	$(BIN)/arabic-events validate annotations/corpus.jsonl annotations/contrast.jsonl annotations/standoff/*.jsonl

# Every test but the end-to-end groups, on two workers, a test file each at a time (a file's servers
# and models are started once). The end-to-end groups follow in .ci/run (test-e2e, test-client, ...).
test: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m 'not slow and not generated_client and not ray and not label_studio'

# End-to-end tests that train models or start servers.
test-e2e: install
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m 'slow and not generated_client and not ray and not label_studio'

# A client generated from the service's /docs.json, used against the service (over a minute the first time).
test-client: install
	$(BIN)/python -m pytest -q -m generated_client

# Texts of the stand-off annotations: derived from a local copy of their origin files when there is
# one, else copied from a local copy of the texts. Anywhere else: `arabic-events corpus fetch`
# (downloads the origin files).
corpus-texts: install
	@if [ -d $(SHARED_ORIGINS) ]; then \
		$(BIN)/arabic-events corpus fetch --origins $(SHARED_ORIGINS); \
	elif [ -d $(SHARED_EXTRA) ]; then \
		$(BIN)/arabic-events corpus fetch --from $(SHARED_EXTRA); \
	else \
		echo "note: $(SHARED_ORIGINS) not found; the model trains on the in-repository corpus (run 'arabic-events corpus fetch' to download the full corpus)"; \
	fi

serve: install corpus-texts
	$(BIN)/arabic-events serve

# The Ray path of the benchmark needs the ray extra.
bench: install corpus-texts
	$(BIN)/pip install --quiet -e '.[ray]'
	$(BIN)/arabic-events bench

clean:
	rm -rf $(VENV) .pytest_cache
