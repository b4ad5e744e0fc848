# Two commands do everything on a fresh machine:
#   make run    set up, then start the service (prints its address)
#   make test   set up, then run every check
SHELL := /bin/bash
.DEFAULT_GOAL := run
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
VENV := .venv/bin

.PHONY: setup run test lint typecheck pytest explore bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment is synced when the lock or the project file changes (a stamp in .venv).
# Bytecode is compiled at install time, so start-up does not compile imports again on
# machines where Python never writes .pyc files itself (PYTHONDONTWRITEBYTECODE); compiling
# goes through every installed file, so it is not repeated on every make (0.3-1.2 s).
SYNCED := .venv/.alkphos-synced

$(SYNCED): uv.lock pyproject.toml | $(UV)
	@$(UV) sync --frozen --quiet --all-extras --compile-bytecode
	@touch $@

setup: $(SYNCED)
	@bash scripts/system-packages.sh
	@$(VENV)/python -m compileall -q src

# Starts the service (REST, FHIR, CDS Hooks) on loopback and prints its address; Ctrl-C stops it.
run: setup
	$(VENV)/alkphos serve

lint: setup
	$(VENV)/ruff check src tests benchmarks
	$(VENV)/ruff format --check src tests benchmarks

typecheck: setup
	$(VENV)/mypy

pytest: setup
	$(VENV)/pytest -q

test: lint typecheck pytest

# Before you stop: the property tests with twenty times the examples, random (not the fixed
# examples of `make test`). Every failure found becomes an @example in its test, and a fix.
explore: setup
	ALKPHOS_HYPOTHESIS=explore $(VENV)/pytest -q $$(grep -rl "from hypothesis import" tests --include='test_*.py')

bench: setup
	$(VENV)/python benchmarks/interpret.py
	$(VENV)/python benchmarks/startup.py
	$(VENV)/python benchmarks/service.py

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
