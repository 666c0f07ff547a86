#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis servers for the test suite, listening only
# on 127.0.0.1 and keeping all of their state under one directory.
#
# Usage: scripts/test-services.sh start|stop|status
#
# Environment:
#   PARTYREVIEW_VAR  state directory        (default /tmp/partyreview-services)
#   PG_PORT          PostgreSQL TCP port    (default 54329)
#   REDIS_PORT       Redis TCP port         (default 63799)
#   SERVICES_TIMEOUT seconds to wait for both servers to answer (default 60)
#
# `start` writes $PARTYREVIEW_VAR/services.env with DATABASE_URL and
# TEST_REDIS_URL; load it with `set -a; . "$PARTYREVIEW_VAR/services.env"; set +a`.
# Starting twice reuses servers that are still running. `stop` shuts both
# down and deletes their data.
set -euo pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)

VAR=${PARTYREVIEW_VAR:-/tmp/partyreview-services}
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
TIMEOUT=${SERVICES_TIMEOUT:-60}

# The state directory must be absolute: the servers run from / (see below).
case "$VAR" in
    /*) ;;
    *) VAR="$(pwd)/$VAR" ;;
esac
PGDATA=$VAR/pg
REDIS_DIR=$VAR/redis
REDIS_PID=$REDIS_DIR/redis.pid
ENV_FILE=$VAR/services.env

# PostgreSQL refuses to run as root, so as root every PostgreSQL command runs
# as the `postgres` system user (created by the Debian package). Anyone else
# runs the server as themselves.
if [ "$(id -u)" -eq 0 ]; then
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi

# The postgres user may not be allowed to read the caller's working directory
# (e.g. a checkout under /root), and some PostgreSQL tools fail when they
# cannot; every path used below is absolute, so work from /.
cd /

die() {
    echo "test-services: $*" >&2
    exit 1
}

pg_bindir() {
    # Debian installs each major version side by side; take the newest.
    local dir
    dir=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] || die "no PostgreSQL found under /usr/lib/postgresql/*/bin"
    echo "$dir"
}

pg_running() {
    [ -f "$PGDATA/PG_VERSION" ] && "${AS_PG[@]}" "$PGBIN/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

redis_running() {
    [ -f "$REDIS_PID" ] && kill -0 "$(cat "$REDIS_PID")" 2>/dev/null
}

# Wait until COMMAND... succeeds, or fail after $TIMEOUT seconds with NAME.
wait_for() {
    local name=$1
    shift
    local deadline=$((SECONDS + TIMEOUT))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            return 1
        fi
        sleep 0.2
    done
    echo "$name is up"
}

start_postgres() {
    PGBIN=$(pg_bindir)

    if pg_running; then
        echo "PostgreSQL already running on 127.0.0.1:$PG_PORT (reusing $PGDATA)"
    else
        if [ ! -f "$PGDATA/PG_VERSION" ]; then
            rm -rf "$PGDATA"
            mkdir -p "$PGDATA"
            if [ "${#AS_PG[@]}" -gt 0 ]; then
                chown postgres:postgres "$PGDATA"
                # The postgres user must be able to reach the data directory.
                "${AS_PG[@]}" test -x "$VAR" ||
                    die "user postgres cannot enter $VAR; set PARTYREVIEW_VAR to a world-searchable path"
            fi
            chmod 700 "$PGDATA"
            # Superuser `postgres` over the unix socket with trust; everyone
            # else over TCP with a password, as the application connects.
            "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres \
                --encoding=UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 >"$VAR/initdb.log" 2>&1 ||
                die "initdb failed, see $VAR/initdb.log"
            echo "include_if_exists = 'partyreview.conf'" >>"$PGDATA/postgresql.conf"
        fi

        # Rewritten on every start so a changed PG_PORT takes effect. The
        # durability settings are off: this data is thrown away anyway.
        "${AS_PG[@]}" tee "$PGDATA/partyreview.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGDATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
# As docs/deployment.md recommends for data on SSD or in memory: index reads priced near sequential
# ones, so a general branch's figures read its measures by index, not all of them (docs/performance.md).
random_page_cost = 1.1
CONF

        echo "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
        "${AS_PG[@]}" "$PGBIN/pg_ctl" start -D "$PGDATA" -l "$PGDATA/server.log" \
            -w -t "$TIMEOUT" >/dev/null ||
            {
                tail -n 20 "$PGDATA/server.log" >&2 || true
                die "PostgreSQL did not start, see $PGDATA/server.log"
            }
    fi

    wait_for "PostgreSQL" "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
        die "PostgreSQL on 127.0.0.1:$PG_PORT did not answer within ${TIMEOUT}s, see $PGDATA/server.log"

    # Application role and database, created idempotently over the socket.
    local psql=("${AS_PG[@]}" "$PGBIN/psql" -h "$PGDATA" -p "$PG_PORT" -U postgres
        -d postgres -v ON_ERROR_STOP=1 -qAt)
    "${psql[@]}" >/dev/null <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'partyreview') THEN
        CREATE ROLE partyreview LOGIN CREATEDB PASSWORD 'partyreview';
    END IF;
END
$$;
SQL
    if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'partyreview'")" ]; then
        "${psql[@]}" -c "CREATE DATABASE partyreview OWNER partyreview" >/dev/null
    fi
}

start_redis() {
    if redis_running; then
        echo "Redis already running on 127.0.0.1:$REDIS_PORT (reusing $REDIS_DIR)"
    else
        mkdir -p "$REDIS_DIR"
        rm -f "$REDIS_PID"
        echo "Starting Redis on 127.0.0.1:$REDIS_PORT"
        # No persistence at all: nothing is written to $REDIS_DIR but the
        # pid and log files.
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
            --save '' --appendonly no \
            --daemonize yes --pidfile "$REDIS_PID" \
            --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR" ||
            die "redis-server did not start, see $REDIS_DIR/redis.log"
    fi

    wait_for "Redis" redis_ping ||
        die "Redis on 127.0.0.1:$REDIS_PORT did not answer within ${TIMEOUT}s, see $REDIS_DIR/redis.log"
}

redis_ping() {
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

write_env() {
    cat >"$ENV_FILE" <<ENV
DATABASE_URL=postgres://partyreview:partyreview@127.0.0.1:$PG_PORT/partyreview
TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
ENV
    echo "Wrote $ENV_FILE"
}

cmd_start() {
    "$SCRIPTS/system-packages.sh" postgresql redis-server
    mkdir -p "$VAR"
    chmod 755 "$VAR"
    start_postgres
    start_redis
    write_env
}

cmd_stop() {
    if [ -f "$PGDATA/PG_VERSION" ] && [ -d /usr/lib/postgresql ]; then
        PGBIN=$(pg_bindir)
        if pg_running; then
            echo "Stopping PostgreSQL"
            "${AS_PG[@]}" "$PGBIN/pg_ctl" stop -D "$PGDATA" -m fast -w -t "$TIMEOUT" >/dev/null ||
                echo "test-services: PostgreSQL did not stop cleanly" >&2
        fi
    fi

    if redis_running; then
        echo "Stopping Redis"
        local pid deadline=$((SECONDS + TIMEOUT))
        pid=$(cat "$REDIS_PID")
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do
            if [ "$SECONDS" -ge "$deadline" ]; then
                kill -9 "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
    fi

    rm -rf "$PGDATA" "$REDIS_DIR" "$ENV_FILE" "$VAR/initdb.log"
    # Remove the state directory itself only if nothing else lives there.
    rmdir "$VAR" 2>/dev/null || true
}

cmd_status() {
    local rc=0
    if [ -d /usr/lib/postgresql ] && PGBIN=$(pg_bindir 2>/dev/null) && pg_running; then
        echo "PostgreSQL: running on 127.0.0.1:$PG_PORT"
    else
        echo "PostgreSQL: stopped"
        rc=3
    fi
    if redis_running; then
        echo "Redis: running on 127.0.0.1:$REDIS_PORT"
    else
        echo "Redis: stopped"
        rc=3
    fi
    return "$rc"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
