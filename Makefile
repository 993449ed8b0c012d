# Candor: `make demo` to try it, `make test` to prove it, `make check` before committing.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen

.PHONY: setup demo test test-postgres check format browser clean docs messages

setup: ## install uv if missing, Python 3.12, the locked dependencies and the PDF libraries
	@bash scripts/ensure-pdf-libs.sh
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) python install 3.12 >/dev/null 2>&1 || true
	$(UV) sync --frozen --compile-bytecode
	@$(RUN) python -m compileall -q candor >/dev/null  # start-up without recompiling (bytecode writing may be off)

demo: setup ## set up, load demo data once, serve on http://127.0.0.1:8000
	$(RUN) candor demo

browser: ## make sure a Chromium is there for the browser tests
	@bash scripts/ensure-chromium.sh

test: setup browser ## run the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(RUN) pytest -q -p no:cacheprovider --cov=candor.privacy --cov=candor.audit --cov-report=term $(PYTEST_ARGS)

test-postgres: ## the suite against the local PostgreSQL
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/candor_test} $(MAKE) test

check: setup ## lint, format check, types, architecture contracts, registry completeness
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy candor bench
	$(RUN) lint-imports
	$(RUN) candor registry --check --format json >/dev/null
	$(RUN) candor makemigrations --check --dry-run >/dev/null
	$(RUN) python scripts/traceability.py --check
	@$(RUN) candor registry --format md | diff -q - docs/registry.md >/dev/null || \
		{ echo "docs/registry.md is out of date: run make docs"; exit 1; }

format:
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

docs: ## regenerate generated documents (registry, traceability)
	$(RUN) candor registry --format md > docs/registry.md
	$(RUN) python scripts/traceability.py > docs/traceability.md

messages: ## refresh and compile the nl/fr translations (needs gettext)
	cd candor && $(RUN) candor makemessages -l nl -l fr --ignore 'tests/*' --ignore '*/tests/*' --no-obsolete
	cd candor && $(RUN) candor compilemessages

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
