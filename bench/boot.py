#!/usr/bin/env python3
"""Boot-time benchmark: Cadenza versus Debian's i386 Linux in the same QEMU.

Measures the wall time from starting the QEMU process to the moment a marker
line appears on the guest's serial console (QEMU's stdout):

  Cadenza: the banner log line "[    0.000000] Cadenza 0.1.0 (i386) booting";
  Linux:   the line "linux-init-ready" printed by the initramfs's /init.

Cadenza and Linux are run alternately, N times each, and the medians are
reported on stdout, one figure per line as "name value unit [extras]":

  boot_to_banner 0.081 s linux=4.912 s ratio=0.016

where ratio = cadenza / linux (lower is better for Cadenza).  With
--only-linux only the Linux figure is printed:

  boot_to_init_linux 4.912 s

Per-run timings go to stderr.  A run that times out, or whose QEMU exits
before the marker, prints the last 20 serial lines to stderr and makes the
script exit non-zero.  Stdlib only; QEMU runs under TCG (no -enable-kvm).
"""

import argparse
import collections
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import time

QEMU_COMMON = [
    "-m", "128M",
    "-display", "none",
    "-no-reboot",
    "-serial", "stdio",
    "-monitor", "none",
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
]

CADENZA_TIMEOUT = 10.0
LINUX_TIMEOUT = 60.0
TAIL_LINES = 20


class RunError(Exception):
    pass


CADENZA_BANNER = re.compile(r"^(\[ *[0-9.]+\] )?Cadenza \S+ \(i386\) booting")


def cadenza_marker(line):
    return CADENZA_BANNER.search(line) is not None


def linux_marker(line):
    return line.strip() == "linux-init-ready"


def clean(raw):
    """Decode one serial line and drop the CR and control bytes around it."""
    return raw.decode("utf-8", "replace").replace("\r", "").rstrip("\n")


def timed_boot(name, cmd, is_marker, timeout):
    """Start cmd, return seconds until a stdout line satisfies is_marker.

    QEMU is always killed before returning.  Raises RunError on a timeout or
    on QEMU exiting before the marker, with the last serial lines attached.
    """
    tail = collections.deque(maxlen=TAIL_LINES)
    buf = b""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        deadline = start + timeout
        eof = False
        while not eof:
            left = deadline - time.monotonic()
            if left <= 0:
                if buf:
                    tail.append(clean(buf))
                raise RunError(f"{name}: no marker within {timeout:.0f} s",
                               list(tail))
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            now = time.monotonic()
            if not chunk:
                eof = True
            buf += chunk
            # Complete lines; at EOF the unterminated rest counts as a line.
            *lines, buf = buf.split(b"\n")
            if eof and buf:
                lines.append(buf)
                buf = b""
            for raw in lines:
                line = clean(raw)
                tail.append(line)
                if is_marker(line):
                    return now - start
        proc.wait(timeout=5)
        raise RunError(f"{name}: QEMU exited (status {proc.returncode}) "
                       "before the marker", list(tail))
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        proc.stdout.close()


def median(values):
    return statistics.median(values)


def describe(values):
    return ("median={:.3f} s min={:.3f} s max={:.3f} s runs={}"
            .format(median(values), min(values), max(values), len(values)))


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Boot time to the first console line: Cadenza vs Linux "
                    "(median of N alternating runs under QEMU TCG).")
    ap.add_argument("--cadenza", metavar="ELF",
                    help="Cadenza kernel (multiboot ELF), "
                         "e.g. build/all/kernel/cadenza.elf")
    ap.add_argument("--linux-kernel", metavar="PATH", required=True,
                    help="Debian vmlinuz (from bench/fetch-linux.sh)")
    ap.add_argument("--linux-initrd", metavar="PATH", required=True,
                    help="busybox initramfs (from bench/fetch-linux.sh)")
    ap.add_argument("--runs", type=int, default=5,
                    help="runs per kernel, odd (default 5)")
    ap.add_argument("--only-linux", action="store_true",
                    help="measure Linux only (no Cadenza kernel needed)")
    ap.add_argument("--qemu", default="qemu-system-i386",
                    help="QEMU binary (default qemu-system-i386)")
    args = ap.parse_args(argv)

    if args.runs < 1 or args.runs % 2 == 0:
        ap.error("--runs must be a positive odd number")
    if not args.only_linux and not args.cadenza:
        ap.error("--cadenza ELF is required unless --only-linux is given")
    paths = [args.linux_kernel, args.linux_initrd]
    if not args.only_linux:
        paths.append(args.cadenza)
    for p in paths:
        if not os.path.isfile(p):
            ap.error(f"no such file: {p}")
    qemu = shutil.which(args.qemu)
    if not qemu:
        ap.error(f"QEMU not found: {args.qemu}")

    base = [qemu] + QEMU_COMMON
    linux_cmd = base + ["-kernel", args.linux_kernel,
                        "-initrd", args.linux_initrd,
                        "-append", "console=ttyS0 quiet"]
    cadenza_cmd = None
    if not args.only_linux:
        cadenza_cmd = base + ["-kernel", args.cadenza,
                              "-append", "bench=boot"]

    times = {"cadenza": [], "linux": []}
    try:
        for i in range(1, args.runs + 1):
            if cadenza_cmd:
                t = timed_boot("cadenza", cadenza_cmd, cadenza_marker,
                               CADENZA_TIMEOUT)
                times["cadenza"].append(t)
                print(f"boot run {i}/{args.runs} cadenza {t:.3f} s",
                      file=sys.stderr, flush=True)
            t = timed_boot("linux", linux_cmd, linux_marker, LINUX_TIMEOUT)
            times["linux"].append(t)
            print(f"boot run {i}/{args.runs} linux {t:.3f} s",
                  file=sys.stderr, flush=True)
    except RunError as e:
        message, tail = e.args
        print(f"boot.py: {message}; last {len(tail)} serial lines:",
              file=sys.stderr)
        for line in tail:
            print(f"  | {line}", file=sys.stderr)
        return 1

    lin = median(times["linux"])
    print(f"boot linux: {describe(times['linux'])}", file=sys.stderr)
    if cadenza_cmd:
        cad = median(times["cadenza"])
        print(f"boot cadenza: {describe(times['cadenza'])}", file=sys.stderr)
        print(f"boot_to_banner {cad:.3f} s linux={lin:.3f} s "
              f"ratio={cad / lin:.3f}", flush=True)
    else:
        print(f"boot_to_init_linux {lin:.3f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
