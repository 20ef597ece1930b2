# stationplan — two commands on a fresh machine: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint validate clean install fuzz fuzz-atheris

$(STAMP): pyproject.toml setup.py src/stationplan/screening/_sievec.c src/stationplan/screening/_jsonc.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# An editable install compiles nothing, and with PYTHONDONTWRITEBYTECODE set no run
	# writes bytecode either: every command would recompile our modules (~50 ms of a 1 s
	# `stationplan rendezvous`). Python ignores a .pyc whose source has changed since.
	$(BIN)/python -m compileall -q src/stationplan > /dev/null
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/stationplan plan examples/tiangong-2022.toml --report out/

test: $(STAMP)
	$(BIN)/python -m pytest

# Issue 14: >= 10,000 generated inputs across every reader and command (seeded); prints the
# counts of cases, internal errors, tracebacks and hangs (the last three must be 0).
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --cases 10000 --seed 14

# Optional: coverage-guided (Atheris/libFuzzer) run of the TLE/OMM readers, seeded with the
# repository's element files in a scratch corpus.
fuzz-atheris: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	corpus=$$(mktemp -d) && cp src/stationplan/data/elements/*.tle tests/data/elements/*.tle \
	    tests/data/screening/small.3le $$corpus/ && \
	    $(BIN)/python scripts/fuzz_atheris.py -runs=100000 -seed=14 $$corpus; \
	    status=$$?; rm -rf $$corpus; exit $$status

bench: $(STAMP)
	# The peer (astroz) that the screening benchmark runs in the same session.
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m compileall -q src/stationplan > /dev/null
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts setup.py
	$(BIN)/ruff format --check src tests benchmarks scripts setup.py
	$(BIN)/mypy src

validate: $(STAMP)
	$(BIN)/python scripts/validate_decay.py
	$(BIN)/python scripts/validate_windows.py --out docs/validation.md
	$(BIN)/python scripts/validate_lunar.py --out docs/lunar-validation.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
