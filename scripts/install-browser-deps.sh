#!/usr/bin/env bash
# Installs what the browser tests and the edition's documents need: Debian's Chromium and the Noto CJK
# fonts (without them Chinese renders as empty boxes; the bulletin PDF is printed by Chromium in Noto Sans
# CJK), LibreOffice Calc (headless XLSX → PDF, to look at the printed catalogs) and poppler-utils
# (pdftoppm / pdftotext, used by the document tests).
# Idempotent: installs only the packages that are missing (scripts/apt-install.sh).
# Never runs `playwright install` (the tests drive the system Chromium at /usr/bin/chromium).
set -euo pipefail

bash "$(dirname "$0")/apt-install.sh" chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils
test -x /usr/bin/chromium && /usr/bin/chromium --version || true
