# The two commands a newcomer needs:  make demo  (set up + scan the bundled example)  and  make test.
#
# Every install takes its versions from requirements/lock.txt (PIP_CONSTRAINT also pins the build backend), so
# a fresh clone months from now installs what the tests last passed with. `make lock` refreshes the lock on
# purpose; `make data-check` says whether the data remit ships still matches its (locked) sources.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
PIP    := PIP_CONSTRAINT=$(CURDIR)/$(LOCK) $(BIN)/python -m pip
# uv resolves the lock for every platform and Python >= 3.11 at once; only `make lock` uses it.
UV_VERSION := 0.13.10

.PHONY: demo test test-hostile lint typecheck unit corpus bench browser data data-check lock wheel clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

# What remit needs to run, nothing more (progress shown: a first install takes a minute).
$(VENV)/.installed-run: $(VENV)/.created pyproject.toml $(LOCK)
	@echo "installing remit and what it needs to run into $(VENV) (versions from $(LOCK))"
	$(PIP) install --progress-bar on -e .
	touch $@

# The test and lint toolchain on top.
$(VENV)/.installed-test: $(VENV)/.installed-run
	@echo "installing the test toolchain into $(VENV)"
	$(PIP) install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed-run
	$(BIN)/remit scan examples/orders-app --fail-on none

test: $(VENV)/.installed-test browser lint typecheck unit

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

# chromium + chromedriver for the HTML report's browser test (Debian packages; skips cleanly where it cannot)
browser:
	scripts/install-browser.sh

unit: $(VENV)/.installed-test
	$(BIN)/pytest -n 2 -q

# The slow half of the hostile-input suite (tests/hostile/, marked hostile_slow): large inputs under time and
# memory bounds. `make test` runs the rest of tests/hostile/; .ci/run runs both.
test-hostile: $(VENV)/.installed-test
	$(BIN)/pytest -q -m hostile_slow tests/hostile

corpus: $(VENV)/.installed-test
	$(BIN)/pytest -q -m corpus

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/scan_speed.py

$(VENV)/.installed-data: $(VENV)/.installed-run
	$(PIP) install --quiet -e '.[data]'
	touch $@

# Rebuild the data remit ships from its sources at the locked versions (docs/data.md).
data: $(VENV)/.installed-data
	$(BIN)/python scripts/build_sdk_index.py
	$(BIN)/python scripts/build_managed_policies.py
	$(BIN)/python scripts/build_iam_names.py

# Not part of `make test`: fails when a shipped table differs from what its locked sources build.
data-check: $(VENV)/.installed-data
	$(BIN)/python scripts/check_data.py

# Refresh requirements/lock.txt from pyproject.toml and requirements/pins.in (newest versions allowed there).
lock: $(VENV)/.created
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml requirements/pins.in --extra test --extra data --universal \
	    --python-version 3.11 --custom-compile-command "make lock" -o $(LOCK)

# The wheel users install (dist/remit-VERSION-py3-none-any.whl, LICENSE inside); tests/test_wheel.py installs one.
wheel: $(VENV)/.created
	$(PIP) wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
