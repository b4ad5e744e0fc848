#!/usr/bin/env bash
# Installs the Debian packages alkphos needs beyond Python, only when they are missing:
# chromium (browser tests drive Debian's build; Playwright's own download cannot work
# offline), poppler-utils (pdftotext for the PDF tests) and the Pango libraries WeasyPrint
# renders PDFs with. Quick and silent when everything is present.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpango-1.0.so || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
