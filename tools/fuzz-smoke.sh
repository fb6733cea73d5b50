#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over its seed corpus; new inputs go to a build-tree folder,
# so the seeds in the source tree stay as committed. Usage: fuzz-smoke.sh BINARY SECONDS WORKDIR SEEDDIR
set -euo pipefail
binary=$1 seconds=$2 work=$3 seeds=$4
mkdir -p "$work" "$seeds"
exec "$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 "$work" "$seeds"
