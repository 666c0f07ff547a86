# Developer entry points. CI runs `make test` (via .ci/run).

VENV := .venv

.PHONY: install lint fmt run test bench backup restore

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
# http://127.0.0.1:$PORT/ (default 8000) until Ctrl-C, as production runs (DEBUG off,
# Chinese error pages); `make run DEV=1` for debug mode.
run: install
	DEV=$(DEV) scripts/run.sh

# Lint, then the test suite on PostgreSQL and on SQLite.
test:
	scripts/test.sh

# Back up every database row and stored file to var/backups/ (or BACKUP=path).
backup: install
	.venv/bin/python manage.py backup $(BACKUP)

# Restore BACKUP=path into the configured (migrated) database; REPLACE=1 to overwrite existing data.
restore: install
	@test -n "$(BACKUP)" || (echo "用法: make restore BACKUP=var/backups/xxx.tar.gz [REPLACE=1]" >&2; exit 2)
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python manage.py restore $(BACKUP) $(if $(REPLACE),--replace,)

# The benchmark at committee scale (1,000 branches, 100,000 findings) and the load test; not part of
# `make test` (it takes 15–30 minutes). Results in var/bench/, method in docs/performance.md.
bench:
	scripts/bench.sh
