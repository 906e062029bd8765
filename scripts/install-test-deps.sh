#!/usr/bin/env bash
# Installs what the tests need that NuGet and npm do not bring: Debian's chromium for the
# browser tests (Playwright's own browser download cannot work here).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package) for the browser tests"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null
