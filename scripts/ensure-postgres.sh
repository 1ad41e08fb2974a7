#!/usr/bin/env bash
# Makes sure the local PostgreSQL server the tests use (127.0.0.1:5432) is accepting
# connections, starting the Debian cluster if it is down. Used by scripts/test.sh and .ci/run.
set -euo pipefail

HOST=127.0.0.1
PORT=5432

if pg_isready -q -h "$HOST" -p "$PORT"; then
  exit 0
fi

if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql)" ]; then
  echo "PostgreSQL is not running at $HOST:$PORT and no local cluster is installed (/etc/postgresql)." >&2
  echo "Install it (apt-get install postgresql) or point CLOSELINE_TEST_PG at a server." >&2
  exit 1
fi

# The newest installed major version, as `ls /etc/postgresql` lists them.
version="$(ls /etc/postgresql | sort -V | tail -n 1)"
echo "PostgreSQL $version is down at $HOST:$PORT; starting it"
pg_ctlcluster --skip-systemctl-redirect "$version" main start

for _ in $(seq 1 30); do
  if pg_isready -q -h "$HOST" -p "$PORT"; then
    exit 0
  fi
  sleep 1
done
echo "PostgreSQL did not accept connections at $HOST:$PORT within 30 s" >&2
exit 1
