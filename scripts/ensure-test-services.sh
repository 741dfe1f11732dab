#!/bin/sh
# Installs the servers the scale-out test (tests/scaleout/) starts privately when they are missing: nginx as
# the load balancer and redis-server as the shared cache and broker. As root (CI) it installs the Debian
# packages; otherwise it says how, and the test is skipped.
set -eu

missing=""
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing$missing for the scale-out test (Debian packages)..."
  # The test runs its own nginx and Redis with configurations of its own: the packages must not start
  # system-wide services (nginx on port 80) as they install. A policy-rc.d already in place is left as it is.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  # nginx-light is the smallest build with the proxy and upstream modules; newer Debian releases ship
  # only `nginx`.
  # shellcheck disable=SC2086
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; then
    packages=$(echo "$missing" | sed 's/nginx-light/nginx/')
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  fi
elif [ -n "${CI:-}" ]; then
  echo "error:$missing missing and cannot be installed without root" >&2
  exit 1
else
  echo "warning:$missing missing: the scale-out test will be skipped (sudo apt-get install$missing)" >&2
fi
