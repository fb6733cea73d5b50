#!/usr/bin/env python3
"""User-program benchmarks: one static program (programs/memory_bench.c, programs/proc_bench.c) run on Cadenza
(as its first process) and on Debian's i386 Linux (from a busybox initramfs) in the same QEMU, alternately,
N times each; medians with the ratio.

Prints one line per figure: "name value unit linux=value ratio=cadenza/linux", or the figure alone where the
other kernel has none yet."""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import initramfs  # noqa: E402

QEMU = ["qemu-system-i386", "-m", "128M", "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
FIGURE = re.compile(r"^(\w+) (\d+|n/a)(?: (\w+))?\s*$")


def figures(text):
    result = {}
    for line in text.replace("\r", "").splitlines():
        if match := FIGURE.match(line.strip()):
            result[match.group(1)] = (match.group(2), match.group(3) or "")
    return result


def run_cadenza(kernel, program):
    out = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "tools", "exec.py"),
                          "--kernel", kernel, "--timeout", "120", program], capture_output=True, text=True)
    return figures(out.stdout)


def run_linux(vmlinuz, initrd):
    out = subprocess.run(QEMU + ["-kernel", vmlinuz, "-initrd", initrd, "-append", "console=ttyS0 quiet"],
                         capture_output=True, text=True, timeout=300)
    return figures(out.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cadenza", required=True)
    ap.add_argument("--linux-kernel", required=True)
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--program", required=True, help="the static i386 build of a programs/*.c benchmark")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with open(args.busybox, "rb") as f:
        busybox = f.read()
    with open(args.program, "rb") as f:
        program = f.read()
    name = os.path.basename(args.program)
    init = f"#!/bin/busybox sh\n/{name}\n/bin/busybox poweroff -f\n".encode()
    archive = initramfs.archive([("dev", 0o040755, b""), ("bin", 0o040755, b""), ("bin/busybox", 0o100755, busybox),
                    (name, 0o100755, program), ("init", 0o100755, init), ("proc", 0o040755, b"")])
    with tempfile.NamedTemporaryFile(suffix=".cpio.gz", delete=False) as f:
        f.write(gzip.compress(archive))
        initrd = f.name
    samples = {"cadenza": {}, "linux": {}}
    try:
        for run in range(args.runs):
            for kernel, result in (("cadenza", run_cadenza(args.cadenza, args.program)),
                                   ("linux", run_linux(args.linux_kernel, initrd))):
                print(f"{name} run {run + 1}/{args.runs} {kernel}: {result}", file=sys.stderr)
                for figure, (value, unit) in result.items():
                    samples[kernel].setdefault(figure, []).append((value, unit))
    finally:
        os.unlink(initrd)

    def median(kernel, name):
        values = [int(v) for v, _ in samples[kernel].get(name, []) if v != "n/a"]
        unit = next((u for _, u in samples[kernel].get(name, []) if u), "")
        return (statistics.median(values), unit) if values else (None, unit)

    status = 0
    for name in sorted(set(samples["cadenza"]) | set(samples["linux"])):
        ours, unit = median("cadenza", name)
        theirs, their_unit = median("linux", name)
        unit = unit or their_unit
        if ours is None and theirs is None:
            print(f"{name} n/a", flush=True)
        elif ours is None:
            print(f"{name} n/a linux={theirs:.0f} {unit} (not yet possible on Cadenza)", flush=True)
        elif theirs is None:
            print(f"{name} {ours:.0f} {unit} linux=n/a", flush=True)
        else:
            print(f"{name} {ours:.0f} {unit} linux={theirs:.0f} {unit} ratio={ours / theirs:.2f}", flush=True)
    if not samples["cadenza"] or not samples["linux"]:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
