#!/usr/bin/env bash
# A streaming replica of the local test server (127.0.0.1:5432) on 127.0.0.1:5433, for the
# read-routing tests (tests/db/replicas.test.ts, docs/replicas.md). Idempotent: a replica that
# is already streaming is left alone, a stopped one is started, a broken one (say, it was
# stopped so long that the primary recycled the WAL it needs) is made again with
# `pg_basebackup -R`. Runs PostgreSQL's programs as the postgres user, so it needs root or
# postgres. Used by scripts/test.sh; CI (.ci/run) requires it to succeed.
#
#   bash scripts/ensure-replica.sh          make sure the replica streams (the default)
#   bash scripts/ensure-replica.sh stop     stop it (the tests' fallback case)
#   bash scripts/ensure-replica.sh start    start it again and wait until it streams
set -euo pipefail

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=5432
REPLICA_PORT="${CLOSELINE_TEST_REPLICA_PORT:-5433}"
COMMAND="${1:-ensure}"

primary_sql() { psql -X -q -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -c "$1"; }
replica_sql() { psql -X -q -At -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -c "$1"; }

# The replica must run the primary's major version: its programs, and a folder of its own in
# the postgres user's home (not a Debian cluster, so pg_lsclusters and
# scripts/ensure-postgres.sh do not take it for one of theirs).
major="$(primary_sql "select current_setting('server_version_num')::int / 10000")"
BIN="/usr/lib/postgresql/$major/bin"
DATA="/var/lib/postgresql/closeline-replica-$major"
LOG="/var/lib/postgresql/closeline-replica-$major.log"
SLOT=closeline_test_replica

as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    echo "ensure-replica: run as root or postgres (PostgreSQL's programs run as postgres)" >&2
    return 1
  fi
}

streaming() {
  [ "$(replica_sql "select pg_is_in_recovery() and exists (select from pg_stat_wal_receiver where status = 'streaming')" 2>/dev/null)" = t ]
}

wait_streaming() {
  for _ in $(seq 1 100); do
    if streaming; then
      # A test that paused replay and died leaves it paused; nothing else pauses it.
      replica_sql "select pg_wal_replay_resume() where pg_is_wal_replay_paused()" >/dev/null
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start() {
  pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT" ||
    as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start >/dev/null
  wait_streaming
}

stop() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null
  fi
}

# The primary must accept replication connections from 127.0.0.1 without a password, like
# the tests' own connections. Debian's pg_hba.conf has no replication line for TCP.
allow_replication() {
  local allowed
  allowed="$(primary_sql "select count(*) from pg_hba_file_rules where type = 'host' and 'replication' = any(database) and address = '127.0.0.1' and auth_method = 'trust' and error is null")"
  [ "$allowed" -gt 0 ] && return 0
  local hba
  hba="$(primary_sql "show hba_file")"
  echo "ensure-replica: allowing replication from 127.0.0.1 in $hba"
  grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$hba" ||
    printf '\n# Closeline tests: a local streaming replica (scripts/ensure-replica.sh)\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  primary_sql "select pg_reload_conf()" >/dev/null
}

make_replica() {
  allow_replication
  stop 2>/dev/null || true
  as_postgres rm -rf "$DATA"
  primary_sql "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '$SLOT' and not active" >/dev/null
  echo "ensure-replica: pg_basebackup -R from $PRIMARY_HOST:$PRIMARY_PORT into $DATA"
  # -c fast: checkpoint now instead of waiting for a spread one; -X stream: the WAL written
  # meanwhile comes along; -R: standby.signal and primary_conninfo; -C -S: a replication
  # slot, so the primary keeps the WAL a stopped replica needs to resume (the test server
  # checkpoints at every CREATE DATABASE, and without a slot a replica stopped for a second
  # cannot catch up).
  as_postgres "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
    -D "$DATA" -R -X stream -c fast -C -S "$SLOT"
  # Debian keeps the configuration outside the data folder, so the copy has none. A hot
  # standby needs at least the primary's connection and worker limits.
  local limits
  limits="$(primary_sql "select string_agg(name || ' = ' || setting, E'\n') from pg_settings where name in ('max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction')")"
  as_postgres tee "$DATA/postgresql.conf" >/dev/null <<EOF
# A test replica made by scripts/ensure-replica.sh; remade at will.
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
shared_buffers = 32MB
$limits
EOF
  as_postgres tee "$DATA/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_postgres touch "$DATA/pg_ident.conf"
}

case "$COMMAND" in
  stop)
    stop
    ;;
  start)
    start
    ;;
  ensure)
    if streaming; then
      wait_streaming
    elif [ -f "$DATA/standby.signal" ] && start 2>/dev/null; then
      :
    else
      make_replica
      if ! start; then
        echo "ensure-replica: the replica at 127.0.0.1:$REPLICA_PORT does not stream; see $LOG" >&2
        exit 1
      fi
    fi
    echo "ensure-replica: streaming replica at postgres://postgres@127.0.0.1:$REPLICA_PORT"
    ;;
  *)
    echo "usage: $0 [ensure|start|stop]" >&2
    exit 2
    ;;
esac
