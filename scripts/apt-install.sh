#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet (apt-get update first, only when
# something is missing); needs root or sudo. Idempotent: with everything present it installs nothing.
# Used by install-browser-deps.sh and install-postgres.sh.
set -euo pipefail

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "already installed: $*"
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
echo "installed: ${missing[*]}"
