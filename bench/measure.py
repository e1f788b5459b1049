#!/usr/bin/env python3
"""Runs a command and prints 'seconds peak_rss_kib' on stderr's last line.

Peak RSS comes from getrusage(RUSAGE_CHILDREN), the kernel's own figure for the
waited-for child, so Node, Go and gzip are measured the same way.
Usage: measure.py STDOUT_FILE CMD [ARGS...]
"""
import resource
import subprocess
import sys
import time

out_path, cmd = sys.argv[1], sys.argv[2:]
with open(out_path, "wb") as out:
    start = time.perf_counter()
    code = subprocess.run(cmd, stdout=out).returncode
    elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{elapsed:.4f} {peak} {code}", file=sys.stderr)
sys.exit(0)
