#!/bin/sh
# Installs what the browser tests need when it is missing: Debian's Chromium (Playwright drives it; its own
# browser download is not used) and axe-core from npm. As root (CI) it installs; otherwise it says how.
set -eu
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium for the browser tests (Debian package)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif [ -n "${CI:-}" ]; then
    echo "error: /usr/bin/chromium is missing and cannot be installed without root" >&2
    exit 1
  else
    echo "warning: /usr/bin/chromium is missing: browser tests will be skipped (sudo apt-get install chromium)" >&2
  fi
fi

if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
    elif [ -n "${CI:-}" ]; then
      echo "error: npm is missing; it is needed to install axe-core" >&2
      exit 1
    else
      echo "warning: npm is missing: browser tests will be skipped" >&2
      exit 0
    fi
  fi
  echo "Installing axe-core (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
