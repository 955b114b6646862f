# bilat — every target installs what it needs into .venv first (idempotent).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONFIG ?= settings.toml
STAMP  := $(VENV)/.installed

.PHONY: install run once check test bench eval lint typecheck clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bilat needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/bilat run -c $(CONFIG)

once: install
	$(BIN)/bilat once -c $(CONFIG)

check: install
	$(BIN)/bilat check -c $(CONFIG)

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

eval: install
	$(BIN)/python -m bench.eval

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
