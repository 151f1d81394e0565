# The two commands a newcomer needs:  make demo  (set up + scan the bundled example)  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit corpus bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/remit scan examples/orders-app --fail-on none

test: $(STAMP) browser lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# chromium + chromedriver for the HTML report's browser test (Debian packages; skips cleanly where it cannot)
browser:
	scripts/install-browser.sh

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

corpus: $(STAMP)
	$(BIN)/pytest -q -m corpus

bench: $(STAMP)
	$(BIN)/python benchmarks/scan_speed.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
