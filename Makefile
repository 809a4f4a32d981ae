# Hiểu Ý — the two commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := .venv/bin/python
STAMP := .venv/.installed
# Environment defaults (TensorFlow, telemetry, hash seed) live in bot/environment.py;
# `python -m bot` and `python -m harness` apply them.

.PHONY: help setup run test train validate eval bench soak lint format browser screenshots clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml .python-version
	@scripts/setup.sh

setup: $(STAMP) ## create .venv (Python 3.10) with the pinned dependencies

run: $(STAMP) ## set up, migrate, train if stale, start Rasa :5005, actions :5055, web :8000
	$(PYTHON) -m bot run

train: $(STAMP) ## train (Rasa retrains only what changed); FORCE=1 retrains all
	$(PYTHON) -m bot train $(if $(FORCE),--force)

browser: ## install Debian's Chromium for the browser tests when missing
	@scripts/ensure-chromium.sh

test: $(STAMP) browser ## set up, train if stale, run the whole suite (pytest + lint)
	$(PYTHON) -m bot train
	$(PYTHON) -m pytest
	$(MAKE) --no-print-directory lint

validate: $(STAMP) ## check catalog <-> domain <-> NLU <-> stories, then rasa data validate
	$(PYTHON) -m bot validate

eval: $(STAMP) ## NLU evaluation on the held-out split -> reports/eval/ (Markdown + PNG)
	$(PYTHON) -m bot train
	$(PYTHON) -m harness eval

bench: $(STAMP) ## benchmarks vs stock Rasa -> BENCHMARKS.md
	$(PYTHON) -m harness bench

soak: $(STAMP) ## load + faults for MINUTES (default 5) minutes, prints the figures
	$(PYTHON) -m harness soak --minutes $(or $(MINUTES),5)

screenshots: $(STAMP) browser ## regenerate docs/*.png (widget and report)
	$(PYTHON) scripts/screenshots.py

lint: $(STAMP) ## ruff (lint + format) and mypy on bot/ and actions/
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

format: $(STAMP) ## apply ruff's formatting and fixes
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

clean: ## remove trained models, local databases and caches (keeps .venv)
	rm -rf models/*.tar.gz var/ results/ reports/ .pytest_cache .ruff_cache
