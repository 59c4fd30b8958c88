#!/usr/bin/env bash
# Watches the test binaries cargo runs: one that has run for longer than
# LIMIT seconds (no binary takes a tenth of that) is stuck, and a stuck
# one would hold CI until its time runs out with nothing in the log. So its
# threads' stacks are printed (gdb), with a digest of the project's frames
# last, and it is killed: the step fails at once, and the log says where.
#
# Usage: scripts/watchdog.sh LIMIT DIR &   (DIR: the test binaries' folder)
set -u
LIMIT="$1"
DIR="$2"
while sleep 10; do
  for pid in $(pgrep -f "^$DIR/" || true); do
    age=$(ps -o etimes= -p "$pid" 2>/dev/null | tr -d ' ')
    [ -n "$age" ] && [ "$age" -gt "$LIMIT" ] || continue
    name=$(ps -o args= -p "$pid" | cut -c1-200)
    trace=$(mktemp)
    timeout 120 gdb -p "$pid" -batch -ex "thread apply all bt" >"$trace" 2>&1
    echo
    echo "=== watchdog: $name has run ${age}s; its threads: ==="
    grep -E '^(Thread |#)' "$trace"
    echo "=== watchdog: the project's frames, per thread ==="
    awk '/^Thread /{t=$0; shown=0} /kursi::/ && shown<6 {if (!shown) print t; sub(/^#[0-9]+ +(0x[0-9a-f]+ in )?/, "    "); print substr($0, 1, 160); shown++}' "$trace"
    rm -f "$trace"
    kill -9 "$pid"
  done
done
