#!/usr/bin/env bash
# The whole test run, as CI does it (`make test` / `.ci/run`):
#   1. install the virtualenv and the Debian packages the tests need,
#   2. start throw-away PostgreSQL and Redis (stopped again on exit); the directory sign-in tests start
#      their own slapd on loopback (tests/accounts/slapd.py) in both pytest phases,
#   3. lint with ruff,
#   4. the full pytest suite on PostgreSQL (browser tests included),
#   5. the suite minus browser tests on SQLite.
# Every step runs even if an earlier one failed; the exit status is non-zero
# if any failed. Extra pytest arguments come from $PYTEST_ARGS, e.g.
#   PYTEST_ARGS="-x -k login" make test
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

scripts/install.sh
scripts/system-packages.sh postgresql redis-server chromium fonts-noto-cjk libreoffice-calc libreoffice-writer \
    slapd ldap-utils poppler-utils

# Playwright drives Debian's Chromium; it must never fetch a browser itself.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM_PATH=/usr/bin/chromium

export PARTYREVIEW_VAR=${PARTYREVIEW_VAR:-/tmp/partyreview-services}
TMP=$(mktemp -d)
cleanup() {
    "$ROOT/scripts/test-services.sh" stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

scripts/test-services.sh start
# DATABASE_URL and TEST_REDIS_URL of the services just started.
PG_DATABASE_URL=$(sed -n 's/^DATABASE_URL=//p' "$PARTYREVIEW_VAR/services.env")
PG_TEST_REDIS_URL=$(sed -n 's/^TEST_REDIS_URL=//p' "$PARTYREVIEW_VAR/services.env")

# Word-split on purpose: PYTEST_ARGS holds several arguments.
read -r -a extra <<<"${PYTEST_ARGS:-}"

failed=()

echo
echo "== lint =="
make --no-print-directory lint || failed+=("lint")

echo
echo "== pytest on PostgreSQL =="
# Exit status 5 (no tests collected) is non-zero and so counts as a failure.
DATABASE_URL=$PG_DATABASE_URL TEST_REDIS_URL=$PG_TEST_REDIS_URL \
    .venv/bin/pytest -p no:cacheprovider "${extra[@]}" ||
    failed+=("pytest on PostgreSQL (exit $?)")

echo
echo "== pytest on SQLite =="
# Browser tests run once, on PostgreSQL, above. No Redis here: this is the
# default development configuration. Integration tests are deselected, not
# skipped: they start a real Celery worker that must open the test database
# (pytest's SQLite test database lives in memory, out of the worker's reach)
# and talk to Redis, and they ran in the PostgreSQL phase above. Under CI a
# skipped integration test fails (tests/reminders/integration.py).
env -u TEST_REDIS_URL DATABASE_URL="sqlite:///$TMP/test.sqlite3" \
    .venv/bin/pytest -p no:cacheprovider -m "not browser and not integration" "${extra[@]}" ||
    failed+=("pytest on SQLite (exit $?)")

# Nothing is printed on success, so pytest's summary stays the last line.
if [ "${#failed[@]}" -gt 0 ]; then
    echo >&2
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
