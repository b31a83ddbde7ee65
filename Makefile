# unspin: `make example` runs the detector on a bundled spun article; `make test` runs the tests.
# Both set everything up on a fresh machine (Python 3.10+ and make are all they need).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := scan,ray,datatrove,serve,trace,bench,dev

.PHONY: setup example test lint data bench

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	touch $@

setup: $(VENV)/.installed

example: setup
	$(BIN)/unspin check examples/spun_article.txt

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: setup lint
	$(BIN)/pytest -q

# Rebuild every shipped artifact from ../shared/data (deterministic; rarely needed).
data: setup
	$(BIN)/python -m unspin.build
