#!/usr/bin/env bash
# Installs what the browser tests and the edition's documents need: Debian's Chromium and the Noto CJK
# fonts (without them Chinese renders as empty boxes; the bulletin PDF is printed by Chromium in Noto Sans
# CJK), LibreOffice Calc (headless XLSX → PDF, to look at the printed catalogs) and poppler-utils
# (pdftoppm / pdftotext, used by the document tests).
# Idempotent: installs only the packages that are missing; does nothing when both are present.
# Never runs `playwright install` (the tests drive the system Chromium at /usr/bin/chromium).
set -euo pipefail

packages=(chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "browser deps already installed: ${packages[*]}"
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
test -x /usr/bin/chromium && /usr/bin/chromium --version || true
