# Sourced by scripts/test (after ensure-deps.sh): a throw-away PostgreSQL
# cluster for the warehouse tests, under .build/pg, listening only on a Unix
# socket in .build/pg/socket (no TCP port), stopped when the calling shell exits.
#
#   start_test_postgres   -> exports CHURNLAB_TEST_PG_DSN (a dsn without password)
#
# The tests (WarehouseTests, Tests/lua/warehouse_test.lua) read CHURNLAB_TEST_PG_DSN;
# without it they skip and say why. Debian's postgresql package is installed when
# missing. PostgreSQL refuses to run as root, so as root the server runs as the
# `postgres` system user (created by the package); the cluster uses trust
# authentication on its private socket only.

_pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && echo "$d"; done | sort -V | tail -1
}

start_test_postgres() {
    ensure_system_packages postgresql libpq-dev
    local bin; bin="$(_pg_bindir)"
    if [ -z "$bin" ]; then echo "error: postgresql installed but no pg_ctl under /usr/lib/postgresql" >&2; return 1; fi
    local root="$PWD/.build/pg"
    local data="$root/data" sock="$root/socket"
    local as=()
    if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi
    # A cluster left running by an interrupted run is stopped and thrown away.
    if [ -f "$data/postmaster.pid" ]; then "${as[@]}" "$bin/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$root"
    mkdir -p "$sock"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$root"; fi
    echo "==> starting a throw-away PostgreSQL ($("$bin/postgres" --version)) in .build/pg" >&2
    "${as[@]}" "$bin/initdb" -D "$data" -U churnlab --auth=trust -E UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
        || { cat "$root/initdb.log" >&2; return 1; }
    # listen_addresses='' : Unix socket only. fsync off: a throw-away test cluster.
    "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_parallel_workers_per_gather=2" \
        start >/dev/null || { cat "$root/server.log" >&2; return 1; }
    _CHURNLAB_PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$data" -m fast stop)
    trap 'stop_test_postgres' EXIT
    "$bin/createdb" -h "$sock" -U churnlab churnlab_test
    export CHURNLAB_TEST_PG_DSN="host=$sock user=churnlab dbname=churnlab_test"
}

stop_test_postgres() {
    if [ -n "${_CHURNLAB_PG_STOP+x}" ]; then
        "${_CHURNLAB_PG_STOP[@]}" >/dev/null 2>&1 || true
        unset _CHURNLAB_PG_STOP
    fi
}
