# Developer entry points. CI runs `make test` (via .ci/run).

VENV := .venv

.PHONY: install lint fmt run test

# Create .venv and install requirements.txt (only when it changed).
install:
	scripts/install.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Migrate, seed demo data, then web server + Celery worker + beat on
# http://127.0.0.1:$PORT/ (default 8000) until Ctrl-C.
run: install
	scripts/run.sh

# Lint, then the test suite on PostgreSQL and on SQLite.
test:
	scripts/test.sh
