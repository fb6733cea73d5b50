#!/usr/bin/env bash
# Benchmark entry point: Cadenza versus Debian's i386 Linux in the same QEMU.
#
# Usage: bench/run.sh CADENZA_ELF [CACHE_DIR]
#
# Fetches (or reuses) the reference Linux kernel and initramfs, then runs every
# benchmark below.  Each benchmark prints its figures on stdout, one per line
# ("name value unit [extras]"); progress and diagnostics go to stderr.  All
# benchmarks run even if one fails; the exit status is non-zero if any failed.
#
# Environment: BENCH_RUNS (default 5, odd) = runs per kernel.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: bench/run.sh CADENZA_ELF [CACHE_DIR]" >&2
    exit 2
fi
cadenza=$1
cache=${2:-$root/build/bench-cache}
runs=${BENCH_RUNS:-5}

if [[ ! -f $cadenza ]]; then
    echo "bench/run.sh: no Cadenza kernel at $cadenza" >&2
    exit 2
fi

paths=$("$here/fetch-linux.sh" "$cache")
linux_kernel=$(sed -n 1p <<<"$paths")
linux_initrd=$(sed -n 2p <<<"$paths")

status=0
# bench CMD...: run one benchmark, remember a failure, go on with the rest.
bench() {
    "$@" || { echo "bench/run.sh: FAILED: $*" >&2; status=1; }
}

# Arguments every Cadenza-vs-Linux benchmark takes.
common=(--cadenza "$cadenza" --linux-kernel "$linux_kernel"
        --linux-initrd "$linux_initrd" --runs "$runs")

# --- benchmarks: one line each ------------------------------------------------
bench python3 "$here/boot.py" "${common[@]}"

# Host figures (no Linux counterpart but glibc's allocator): built by `cmake --preset bench`.
if [[ -x $root/build/bench/kmalloc_bench ]]; then
    bench "$root/build/bench/kmalloc_bench"
else
    echo "bench/run.sh: build/bench/kmalloc_bench missing (cmake --preset bench && cmake --build --preset bench)" >&2
    status=1
fi

# User-program benchmarks: the same static musl binary on both kernels.
for program in memory_bench proc_bench fs_bench; do
    i386-linux-musl-gcc -static -O2 -o "$cache/$program" "$here/programs/$program.c"
    bench python3 "$here/program.py" --cadenza "$cadenza" --linux-kernel "$linux_kernel" \
        --busybox "$cache/busybox-static/bin/busybox" --program "$cache/$program" --runs "$runs"
done

exit "$status"
