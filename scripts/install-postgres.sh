#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (initdb, pg_ctl, pg_dump) for the tests marked `postgres`:
# tests/postgres_server.py starts a throwaway server from them per test session (never the system's own
# cluster, which this script leaves stopped), and `majorwatch home backup` calls pg_dump for a store on PostgreSQL.
# Idempotent: installs only what is missing (scripts/apt-install.sh). Needs root or sudo.
set -euo pipefail

bash "$(dirname "$0")/apt-install.sh" postgresql postgresql-client
echo "postgresql binaries: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
