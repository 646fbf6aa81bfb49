#!/usr/bin/env bash
# Install the Debian packages the demo, (--tests) the tests and (--bench) the benchmark need, when they are missing
# and we are root. Without root, say what is missing; under CI that is fatal.
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null && command -v ssh >/dev/null || need+=(openssh-client)
# The connector's byte counts come from ss(8).
command -v ss >/dev/null || need+=(iproute2)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v systemd-notify >/dev/null && command -v systemd-analyze >/dev/null || need+=(systemd)
command -v openssl >/dev/null || need+=(openssl)
command -v python3 >/dev/null || need+=(python3)
# The benchmark compares with pgloader.
if [ "${1:-}" = "--bench" ]; then command -v pgloader >/dev/null || need+=(pgloader); fi
# The tests render the fleet report's HTML in headless Chromium.
if [ "${1:-}" = "--tests" ]; then command -v chromium >/dev/null || need+=(chromium); fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "system-packages: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "system-packages: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
  if [ -n "${CI:-}" ]; then exit 1; fi
fi
