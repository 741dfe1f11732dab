#!/bin/sh
# Installs what the web benchmark (bench/bench_web.py) drives the site with when it is missing: wrk, the HTTP
# load generator (Debian package). As root it installs; otherwise it says how, and the benchmark is skipped.
set -eu

command -v wrk >/dev/null 2>&1 && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing wrk for the web benchmark (Debian package)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
else
  echo "warning: wrk is missing: the web benchmark is skipped (sudo apt-get install wrk)" >&2
  exit 1
fi
