#!/usr/bin/env bash
# Writes test/fixtures/synthetic/ with the committed generator (bench/gen-profile):
# hostile.pb.gz has function names with HTML, terminal escapes and bidi controls;
# deep-inline.pb.gz has deep stacks (to 48 frames) with many inlined frames.
set -euo pipefail
cd "$(dirname "$0")/../bench/gen-profile"
out=../../test/fixtures/synthetic
mkdir -p "$out"
go run . -out "$out/hostile.pb.gz" -samples 300 -functions 60 -locations 120 -max-depth 12 -hostile
go run . -out "$out/deep-inline.pb.gz" -samples 2000 -functions 300 -locations 900 -max-depth 48 -seed 7
