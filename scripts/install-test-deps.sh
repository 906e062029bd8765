#!/usr/bin/env bash
# Installs what the tests need that NuGet and the app's build do not bring: Debian's chromium for
# the browser tests (Playwright's own browser download cannot work here), nginx for the
# reverse-proxy test, and axe-core, which the
# accessibility tests inject into pages, from the tests' own lockfile (never served to users).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package) for the browser tests"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
fi
if [ ! -x /usr/sbin/nginx ]; then
  # For the test of two server processes behind nginx (started by the test itself, never as a service).
  echo "installing nginx-light (Debian package) for the reverse-proxy test"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
fi
tests_dir="$(dirname "$0")/../tests/CollabEdit.Browser.Tests"
if [ ! -f "$tests_dir/node_modules/axe-core/axe.min.js" ] || [ "$tests_dir/package-lock.json" -nt "$tests_dir/node_modules/.package-lock.json" ]; then
  (cd "$tests_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
/usr/bin/chromium --version 2>/dev/null
