#!/usr/bin/env bash
# Installs the Debian packages heaplens' tests use as independent references:
# Go (builds the example workload, and `go tool pprof` checks exactness).
# Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
if ! command -v go >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq golang-go >/dev/null
fi
go version
