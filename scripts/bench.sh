#!/usr/bin/env bash
# The benchmark at committee scale (`make bench`); see docs/performance.md.
#   1. install the virtualenv, start PostgreSQL and Redis (scripts/test-services.sh) on ports of their
#      own, so a `make test` running beside it neither reuses nor stops them;
#   2. create the database partyreview_bench_b<branches>_f<findings>_s<seed>, migrate, and seed it
#      with bench/seed_scale.py (skipped when it already holds that: the servers and their data are left
#      running for the next run);
#   3. bench/run.py: pages in-process, exports, the dashboards while writes arrive, the reminder sweep and
#      the import;
#   4. bench/load.py: gunicorn + locust on 127.0.0.1;
#   5. print the table (var/bench/results.md) and keep var/bench/results.json.
#
# Environment:
#   BENCH_BRANCHES, BENCH_FINDINGS, BENCH_SEED  size of the data (default 1000, 100000, 1)
#   BENCH_RUNS            requests per page after the warm-up (default 5)
#   BENCH_LOAD_USERS      concurrent locust users (default 50)
#   BENCH_LOAD_DURATION   length of the load test, locust syntax (default 4m)
#   BENCH_LOAD_SPAWN_RATE users starting per second in the load test (default 1)
#   BENCH_LOAD_WRITES_PER_MINUTE  progress notes and 销号 a minute during the load test (default 6; 0: reads only)
#   BENCH_LOAD_THINK      seconds between a user's clicks, "min,max" (default 5,15; "1,3" for capacity)
#   BENCH_SKIP            comma-separated parts to skip: pages,exports,writes,load
#   BENCH_STOP=1          stop PostgreSQL and Redis at the end (their data is then deleted)
#   PARTYREVIEW_VAR, PG_PORT, REDIS_PORT  as for scripts/test-services.sh
#                         (defaults /tmp/partyreview-bench, 54339, 63809)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

export PARTYREVIEW_VAR=${PARTYREVIEW_VAR:-/tmp/partyreview-bench}
export PG_PORT=${PG_PORT:-54339}
export REDIS_PORT=${REDIS_PORT:-63809}
BRANCHES=${BENCH_BRANCHES:-1000}
FINDINGS=${BENCH_FINDINGS:-100000}
SEED=${BENCH_SEED:-1}
SKIP=${BENCH_SKIP:-}
PY=.venv/bin/python

scripts/install.sh
scripts/test-services.sh start

# A production-like process: DEBUG off (no SQL kept in memory, manifest static files), real services.
export DJANGO_SETTINGS_MODULE=partyreview.settings.base
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-bench-only-secret-key-not-for-production-0123456789}
export DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1
export PARTYREVIEW_VAR_DIR=$ROOT/var/bench/var
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/1
# The shared cache as in production (docs/deployment.md), emptied before and after: nothing counted on
# another run's data is served.
export CACHE_URL=redis://127.0.0.1:$REDIS_PORT/2
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 2 flushdb >/dev/null
SERVICE_URL=$(sed -n 's/^DATABASE_URL=//p' "$PARTYREVIEW_VAR/services.env")
# One database per size and seed: another size never meets data it would refuse, and the large one stays
# seeded for the next run.
export DATABASE_URL=${SERVICE_URL%/*}/partyreview_bench_b${BRANCHES}_f${FINDINGS}_s${SEED}
mkdir -p var/bench "$PARTYREVIEW_VAR_DIR"

started=$SECONDS
"$PY" -m bench.db ensure "$DATABASE_URL"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
echo "== seed_scale --branches $BRANCHES --findings $FINDINGS --seed $SEED =="
"$PY" -m bench.seed_scale --branches "$BRANCHES" --findings "$FINDINGS" --seed "$SEED"

echo
echo "== pages, exports, dashboards under writes, reminder sweep, import =="
"$PY" -m bench.run --runs "${BENCH_RUNS:-5}" --skip "$SKIP"

if [[ ",$SKIP," != *",load,"* ]]; then
    echo
    echo "== load test =="
    "$PY" -m bench.load --users "${BENCH_LOAD_USERS:-50}" --duration "${BENCH_LOAD_DURATION:-4m}"
fi

# Deliveries the sweep queued for a worker that never ran, and cached figures: not for the next run.
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 1 flushdb >/dev/null || true
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 2 flushdb >/dev/null || true

echo
"$PY" -m bench.report
echo "(${SECONDS}s in all; $((SECONDS - started))s after the services were up)"

if [ "${BENCH_STOP:-0}" = 1 ]; then
    scripts/test-services.sh stop
else
    echo "PostgreSQL and Redis keep running with the seeded data for the next run;"
    echo "stop them with: PARTYREVIEW_VAR=$PARTYREVIEW_VAR PG_PORT=$PG_PORT REDIS_PORT=$REDIS_PORT scripts/test-services.sh stop"
fi
