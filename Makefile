# Two commands do all the set-up: `make run` serves, `make test` checks. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-deps lint typecheck pytest docs bench bench-batch bench-load bench-waits bench-churn wheelhouse deploy-check interop clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kling-mcp needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/kling-mcp serve $(if $(SIMULATE),--simulate) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test-deps:
	scripts/test-deps.sh

pytest: $(STAMP) test-deps
	$(BIN)/pytest

test: lint typecheck pytest

# All four take about 35 minutes on two cores; each can be run alone.
bench: bench-batch bench-load bench-waits bench-churn

bench-batch: $(STAMP)
	$(BIN)/python -m bench.batch_bench

bench-load: $(STAMP)  # the server against the SDK floor and a bare forwarder, one pinned core
	$(BIN)/python -m bench.load_bench --compare --calls 2000 --rounds 2

bench-waits: $(STAMP)  # thousands of held kling_wait_for_tasks calls
	$(BIN)/python -m bench.wait_bench

bench-churn: $(STAMP)  # thousands of waits held while they end and are replaced
	$(BIN)/python -m bench.wait_churn

wheelhouse: $(STAMP)
	$(BIN)/pip wheel -q -w wheels -c constraints.txt .

# Manifests, Dockerfile, and a real image build and smoke test (installs and starts a Docker engine).
deploy-check: $(STAMP)
	deploy/verify.sh

# The official MCP conformance suite (both eras) and the MCP Inspector CLI against a running server.
interop: $(STAMP)
	deploy/interop/run.sh

docs: $(STAMP)
	$(BIN)/python -m scripts.gen_docs

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
