#!/usr/bin/env bash
# Installs the Debian packages heaplens' tests use as real components:
# Go (builds the example workload; `go tool pprof` checks exactness),
# Prometheus 2.42 and VictoriaMetrics (metric servers the collector queries),
# Chromium (the browser tests of report.html, driven by playwright-core; never
# a browser downloaded by a tool).
# Idempotent; uses sudo when not root. The tests start and stop their own
# servers on 127.0.0.1; nothing here is left running.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian starts packaged services where it can; the tests use their own instances.
for svc in prometheus victoria-metrics; do
  (command -v service >/dev/null 2>&1 && $SUDO service "$svc" stop >/dev/null 2>&1) || true
done
go version
prometheus --version 2>&1 | head -1
/usr/bin/chromium --version 2>/dev/null | grep -o 'Chromium [0-9.]*'
