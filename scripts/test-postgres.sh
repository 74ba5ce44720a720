#!/usr/bin/env bash
# Run the whole test suite against PostgreSQL instead of SQLite, on a throwaway
# cluster (Debian packages `postgresql` and `postgis`; run as root, the server runs as user postgres).
# PostGIS is created in template1, so every test database (CREATE DATABASE copies template1) has it
# without each migration paying for CREATE EXTENSION; tests/test_postgis.py checks the migration
# creates it where it is missing.
# Usage: scripts/test-postgres.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -n "$pgbin" ] || { echo "PostgreSQL server not installed: apt-get install postgresql" >&2; exit 2; }
port="${ONEMAP_PG_PORT:-55432}"
tmp="$(mktemp -d)"
chown postgres "$tmp"
su postgres -c "$pgbin/initdb -D $tmp/db -A trust -U postgres -E UTF8 --locale=C.UTF-8" > "$tmp/initdb.log"
su postgres -c "$pgbin/pg_ctl -D $tmp/db -l $tmp/server.log -o '-p $port -k $tmp -c listen_addresses=127.0.0.1' -w start" > /dev/null
trap 'su postgres -c "$pgbin/pg_ctl -D $tmp/db -m fast -w stop" > /dev/null; rm -rf "$tmp"' EXIT
su postgres -c "$pgbin/psql -q -h $tmp -p $port -d template1 -c 'CREATE EXTENSION IF NOT EXISTS postgis'" > /dev/null \
  || { echo "PostGIS not installed: apt-get install postgis" >&2; exit 2; }
export ONEMAP_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
.venv/bin/python -m pytest "$@"
