# bilat — every target installs what it needs into .venv first (idempotent).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONFIG ?= settings.toml
STAMP  := $(VENV)/.installed

LOCK   := requirements.lock

.PHONY: install bytecode lock run once check test faults bench eval train lint typecheck clean

install: $(STAMP)

# The exact versions (and hashes) of requirements.lock, then bilat itself without resolving
# anything again: every machine runs the same dependencies. The ranges in pyproject.toml are
# for people who install bilat as a library.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bilat needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# Bytecode of bilat's own packages, as a regular (non-editable) install writes it: without it,
# a process started with PYTHONDONTWRITEBYTECODE set compiles ~130 modules at every start
# (about 0.1 s of CPU per `bilat once`). A module edited since is compiled in memory again.
bytecode:
	$(BIN)/python -m compileall -q -j 0 monitor adapters rules >/dev/null

# Resolve pyproject.toml (runtime, dev and postgres extras) for every platform and Python
# >= 3.11 into requirements.lock, keeping the pins that still fit; LOCKFLAGS=--upgrade takes
# the newest versions the ranges allow (--upgrade-package NAME: one of them). uv is a tool of
# this target only, not a dependency.
LOCKFLAGS ?=
lock: install
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra postgres --universal \
		--python-version 3.11 --generate-hashes --custom-compile-command 'make lock' --quiet \
		$(LOCKFLAGS) --output-file $(LOCK)

run: install
	$(BIN)/bilat run -c $(CONFIG)

once: install
	$(BIN)/bilat once -c $(CONFIG)

check: install
	$(BIN)/bilat check -c $(CONFIG)

test: install
	$(BIN)/python -m pytest -q --ignore=tests/faults

# The fault suite (RELIABILITY.md): real processes on loopback under real faults (a full disk,
# kill -9, a frozen node, hostile receivers and feeds, bad state), then a table of what each
# case measured. tests/faults/ runs only here; the other fault cases also run in `make test`.
FAULTS := tests/faults tests/delivery/test_crash.py tests/delivery/test_order_contract.py \
	tests/adapters/test_feed_safety.py tests/http/test_ssrf.py tests/http/test_redirects.py \
	tests/e2e/test_charsets_e2e.py
faults: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -p tests.faults.table $(FAULTS)

bench: install
	$(BIN)/python -m bench

eval: install
	$(BIN)/python -m bench.eval

# Fits the status model (rules/data/status-model.bin) from data/meetings; scikit-learn is a
# tool of this target only (the detector reads the weights without it).
train: install
	$(BIN)/python -m pip install --quiet 'scikit-learn>=1.4,<2'
	$(BIN)/python -m bench.train

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
