#!/usr/bin/env bash
# Run the app locally: prepare the database and static files, then start the
# development web server, a Celery worker and Celery beat together. Ctrl-C
# (or TERM) stops all three.
#
# Defaults need no services: settings fall back to SQLite (var/db.sqlite3)
# and to a filesystem Celery broker under var/celery/.
#
# Environment:
#   PORT           web server port on 127.0.0.1 (default 8000)
#   DEMO_PASSWORD  password of the demo accounts (default Dangjian@2026)
#   DEV=1          developer mode: DEBUG on (tracebacks, Django's debug pages,
#                  static files from the source tree). Without it the app
#                  runs as production does: DEBUG off, the Chinese error
#                  pages, static files collected and served by WhiteNoise.
#   DJANGO_DEBUG   set in the environment or .env, it wins over DEV
set -euo pipefail

cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
export DEMO_PASSWORD=${DEMO_PASSWORD:-Dangjian@2026}
if [ -z "${DJANGO_DEBUG:-}" ] && ! grep -qs '^[[:space:]]*DJANGO_DEBUG=' .env; then
    if [ -n "${DEV:-}" ] && [ "${DEV}" != 0 ]; then
        export DJANGO_DEBUG=true
    else
        export DJANGO_DEBUG=false
    fi
fi
VAR=${PARTYREVIEW_VAR_DIR:-var}
mkdir -p "$VAR"
# Production settings refuse to start without a secret key: make one on the
# first run and keep it under var/, so sessions survive a restart.
if [ -z "${DJANGO_SECRET_KEY:-}" ] && ! grep -qs '^[[:space:]]*DJANGO_SECRET_KEY=' .env; then
    if [ ! -s "$VAR/secret_key" ]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR/secret_key")
    fi
    DJANGO_SECRET_KEY=$(cat "$VAR/secret_key")
    export DJANGO_SECRET_KEY
fi
# Plain HTTP on this machine only: the names it answers to, and cookies that
# need no HTTPS (production sets both for its own host and proxy).
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ] && ! grep -qs '^[[:space:]]*DJANGO_ALLOWED_HOSTS=' .env; then
    export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
fi
if [ -z "${DJANGO_SECURE_COOKIES:-}" ] && ! grep -qs '^[[:space:]]*DJANGO_SECURE_COOKIES=' .env; then
    export DJANGO_SECURE_COOKIES=false
fi
PY=.venv/bin/python
LOG=var/log

scripts/install.sh
mkdir -p "$LOG" var/celery

echo "Preparing database and static files"
"$PY" manage.py migrate --noinput
# --force: this is a demonstration machine even with DEBUG off (seed_demo
# refuses by default then, to protect a production database).
"$PY" manage.py seed_demo --force
"$PY" manage.py collectstatic --noinput -v0

names=()
pids=()
tail_pid=

# Start NAME COMMAND... in the background, output to var/log/NAME.log.
# setsid gives each its own process group, so that stopping it also stops
# whatever it spawned (runserver's reloader child, the Celery pool).
start() {
    local name=$1
    shift
    : >"$LOG/$name.log"
    setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
    names+=("$name")
    pids+=("$!")
}

stopped=0
cleanup() {
    [ "$stopped" -eq 1 ] && return
    stopped=1
    trap - INT TERM EXIT
    echo
    echo "Stopping..."
    local pid
    # TERM the three main processes only: each shuts down its own children
    # (Celery's warm shutdown stops its pool, runserver its reloaded child).
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Give them time, then kill whatever is left in their process groups.
    local deadline=$((SECONDS + 15))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
            sleep 0.2
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    if [ -n "$tail_pid" ]; then
        kill "$tail_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    echo "Stopped."
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

start web "$PY" manage.py runserver "127.0.0.1:$PORT"
start worker .venv/bin/celery -A partyreview worker -l info --concurrency 2
start beat .venv/bin/celery -A partyreview beat -l info --schedule var/celerybeat-schedule

# Wait (up to 60 s) for the web server to answer any HTTP status at all.
"$PY" - "$PORT" "${pids[0]}" <<'PYEOF' || true
import os, sys, time, urllib.error, urllib.request

port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
        break
    except urllib.error.HTTPError:
        break
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        time.sleep(0.5)
PYEOF

cat <<EOF

  partyreview is running: http://127.0.0.1:$PORT/  (DJANGO_DEBUG=${DJANGO_DEBUG:-from .env})

  Demo accounts (password: $DEMO_PASSWORD)
    admin       系统管理员：全部功能与后台管理
    staff       党务工作人员：录入问题、审核销号、导入导出（staff2 同）
    leader      党委领导：整改看板与督办
    secretary   支部书记（办公室党支部）：本支部整改、组织生活
    secretary2  支部书记（第一车间党支部）

  Logs: $LOG/web.log, $LOG/worker.log, $LOG/beat.log
  Press Ctrl-C to stop.

EOF

# Echo the logs to the terminal as they grow.
tail -n 0 -F "$LOG/web.log" "$LOG/worker.log" "$LOG/beat.log" &
tail_pid=$!

# Stay in the foreground until one of the three exits (or Ctrl-C).
while true; do
    for i in "${!pids[@]}"; do
        if ! kill -0 "${pids[$i]}" 2>/dev/null; then
            echo "${names[$i]} exited; see $LOG/${names[$i]}.log" >&2
            exit 1
        fi
    done
    sleep 1
done
