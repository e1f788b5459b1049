#!/usr/bin/env bash
# Writes test/fixtures/golden/: what `go tool pprof` (Go 1.19, the independent
# reference) prints for every fixture profile. The tests compare heaplens'
# output with these files, and re-run the same commands live when Go is
# installed (test/pprof/golden.test.ts), so the goldens cannot drift.
#
#   bash scripts/make-goldens.sh
#
# The command for each golden is its first line (after '# '), so the live
# test runs exactly what made the file.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR="$(mktemp -d)"
out=test/fixtures/golden
rm -rf "$out"
mkdir -p "$out"

golden() { # golden NAME ARGS... : run go tool pprof ARGS, store as NAME with its command line
  local name=$1; shift
  { echo "# go tool pprof $*"; go tool pprof -symbolize=none "$@" 2>/dev/null; } > "$out/$name.txt"
}

for f in test/fixtures/runs/*/*/heap-*.pb.gz test/fixtures/runs/*/*/goroutine-0000[0-9]0.pb.gz test/fixtures/profiles/*.pb.gz; do
  case "$f" in
    test/fixtures/profiles/*) id="profiles-$(basename "$f" .pb.gz)" ;;
    *) id="$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" .pb.gz)" ;;
  esac
  base=$(basename "$f" .pb.gz)
  golden "$id.top20" -top -nodecount=20 "$f"
  case "$base" in
    heap-*|allocs)
      golden "$id.top20-bytes" -top -nodecount=20 -unit=B "$f"
      ;;
    cpu)
      golden "$id.top20-ns" -top -nodecount=20 -unit=ns "$f"
      ;;
  esac
  case "$base" in
    heap-0000[0-9][05]|allocs)
      golden "$id.objects20" -top -nodecount=20 -sample_index=inuse_objects "$f"
      golden "$id.lines20" -top -nodecount=20 -lines "$f"
      golden "$id.top" -top "$f"
      ;;
  esac
done

# Synthetic: deep stacks with many inlined frames (not the hostile one: pprof prints its control characters raw).
f=test/fixtures/synthetic/deep-inline.pb.gz
golden synthetic-deep-inline.top20 -top -nodecount=20 "$f"
golden synthetic-deep-inline.top20-bytes -top -nodecount=20 -unit=B "$f"
golden synthetic-deep-inline.lines20 -top -nodecount=20 -lines "$f"
golden synthetic-deep-inline.top -top "$f"
golden synthetic-deep-inline.alloc-objects -top -nodecount=30 -sample_index=alloc_objects "$f"

for run in test/fixtures/runs/*/; do
  run=$(basename "$run")
  dir=test/fixtures/runs/$run/operator-sim
  golden "$run-diff-5-25" -top -nodecount=20 -diff_base="$dir/heap-000005.pb.gz" "$dir/heap-000025.pb.gz"
  golden "$run-diff-25-5-bytes" -top -nodecount=20 -unit=B -diff_base="$dir/heap-000025.pb.gz" "$dir/heap-000005.pb.gz"
  golden "$run-focus-json" -top -nodecount=20 -focus=json "$dir/heap-000020.pb.gz"
  golden "$run-ignore-runtime" -top -nodecount=20 -ignore='runtime|compress' "$dir/heap-000020.pb.gz"
done
echo "goldens: $(ls "$out" | wc -l) files in $out"
