#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (initdb, pg_ctl, pg_dump) for the tests marked `postgres`:
# tests/postgres_server.py starts a throwaway server from them per test session (never the system's own
# cluster, which this script leaves stopped), and `majorwatch home backup` calls pg_dump for a store on PostgreSQL.
# Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail

packages=(postgresql postgresql-client)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "postgresql already installed: $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=""
fi

echo "installing: ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]} ($(ls -d /usr/lib/postgresql/*/bin | tail -1))"
