# unspin: `make example` runs the detector on a bundled spun article; `make test` runs the tests.
# Both set everything up on a fresh machine (Python 3.10+ and make are all they need).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := scan,ray,datatrove,serve,trace,bench,build,dev

.PHONY: setup example test lint data bench chromium screenshots

# `make example` needs only the core install (numpy, onnxruntime, tokenizers, rapidfuzz); `make test`
# adds every extra (the build extra brings torch's CPU wheel for the quick-build test).
$(VENV)/.core: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed: $(VENV)/.core
	$(BIN)/pip install -q -e ".[$(EXTRAS)]"
	touch $@

setup: $(VENV)/.installed

# `unspin check` exits 1 when it judges the text spun (a finding, not a failure).
example: $(VENV)/.core
	$(BIN)/unspin check examples/spun_article.txt || [ $$? -eq 1 ]

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

test: setup lint chromium
	$(BIN)/pytest -q

# Debian's chromium + chromium-driver for the browser test of the review page; installed
# only when missing, and only as root (as in CI): otherwise that one test is skipped.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else echo "note: /usr/bin/chromium missing; 'sudo make chromium' enables the browser test"; fi; \
	fi

# Rebuild every shipped artifact from ../shared/data (deterministic; rarely needed).
data: setup
	$(BIN)/python -m unspin.build

# Accuracy, peers and speed on held-out data (about 15 min on 2 cores); rewrites the
# Accuracy / Peers / Core speed sections of BENCHMARKS.md and the plots under docs/.
# torturephrases-estimator is a benchmark-only peer, never a dependency: install it by hand
# (`$(BIN)/pip install torturephrases-estimator`) or the run notes it as skipped.
bench: setup
	$(BIN)/unspin eval --update-benchmarks-md

# Refresh the README's screenshots of the review page (the tests write theirs to a temp folder).
screenshots: setup chromium
	UNSPIN_SCREENSHOT_DIR=$(CURDIR)/docs $(BIN)/pytest -q tests/test_server_browser.py
