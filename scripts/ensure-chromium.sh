#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download
# browsers here). Install it when missing and we are allowed to; otherwise
# say so: the browser tests then skip with that reason.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing Debian's chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; then
    exit 0
  fi
fi
echo "==> Chromium is not installed (/usr/bin/chromium); browser tests will be skipped." >&2
echo "    Install it with: sudo apt-get install chromium" >&2
exit 0
