#!/usr/bin/env python3
"""./cadenza exec: boots Cadenza headless with PROGRAM as its first process and passes through what it prints
and how it ended. The program is placed in the root filesystem at its own path; with --tree DIR, the
directory's contents are unpacked there first, as an initramfs (a cpio archive made here). Standard output
and error are the serial console, shown here. Exit status: the program's own, 128+N when signal N killed it,
126 when it could not be started, 125 on a kernel panic, 124 on a timeout."""
import argparse
import collections
import os
import re
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import initramfs  # noqa: E402

END = re.compile(r"^init: .* (exited with status (\d+)|killed by signal (\d+)|could not be started: (\w+))$")
KERNEL_LOG = re.compile(r"^\[ *\d+\.\d+\] ")


def main():
    ap = argparse.ArgumentParser(prog="./cadenza exec", description=__doc__)
    ap.add_argument("--kernel", required=True, help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before giving up (default 60)")
    ap.add_argument("--memory", default="128M", help="guest RAM (default 128M)")
    ap.add_argument("--verbose", action="store_true", help="show the kernel's log too")
    ap.add_argument("--strace", action="store_const", const="1",
                    help="trace every process's system calls (the kernel's strace= option)")
    ap.add_argument("--strace-pid", dest="strace", metavar="PID", help="trace only process PID's system calls")
    ap.add_argument("--tree", metavar="DIR", help="a directory to unpack into the root filesystem first")
    ap.add_argument("program")
    ap.add_argument("arguments", nargs=argparse.REMAINDER)
    args = ap.parse_args()

    program = os.path.abspath(args.program)
    if not os.path.isfile(program):
        ap.error(f"no such file: {args.program}")
    words = [program] + args.arguments
    if any("," in w or " " in w or not w for w in words):
        ap.error("program path and arguments may not contain commas or spaces (Multiboot module strings)")
    modules = [" ".join(words)]
    tree_archive = None
    if args.tree:
        if not os.path.isdir(args.tree):
            ap.error(f"no such directory: {args.tree}")
        with tempfile.NamedTemporaryFile(suffix=".cpio", delete=False) as f:
            f.write(initramfs.archive(initramfs.tree_entries(args.tree)))
            tree_archive = f.name
        modules.insert(0, tree_archive)
    level = "loglevel=7" if args.verbose else "quiet"
    if args.strace:
        level += f" strace={args.strace}"
    cmd = ["qemu-system-i386", "-m", args.memory, "-display", "none", "-no-reboot", "-monitor", "none",
           "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", args.kernel, "-append", f"console=ttyS0 {level} init_exit=poweroff",
           "-initrd", ",".join(modules)]

    tail = collections.deque(maxlen=20)
    outcome = None
    panic = False
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + args.timeout
    buffer = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").replace("\r", "")
                tail.append(line)
                if match := END.match(line):
                    outcome = match
                elif line.startswith("KERNEL PANIC"):
                    panic = True
                elif panic or KERNEL_LOG.match(line) or line.startswith("qemu-system-i386:"):
                    print(line, file=sys.stderr)
                else:
                    sys.stdout.write(line + "\n")
                    sys.stdout.flush()
            if outcome and proc.poll() is not None:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if tree_archive:
            os.unlink(tree_archive)

    if buffer and not outcome:
        sys.stdout.write(buffer.decode("utf-8", "replace"))
    if outcome is None or panic:
        why = "the kernel panicked" if panic else f"no end within {args.timeout:.0f} s"
        print(f"cadenza exec: {why}; last serial lines:", file=sys.stderr)
        for line in tail:
            print(f"  | {line}", file=sys.stderr)
        return 125 if panic else 124
    if outcome.group(2) is not None:
        return int(outcome.group(2))
    if outcome.group(3) is not None:
        return 128 + int(outcome.group(3))
    print(f"cadenza exec: {args.program} could not be started: {outcome.group(4)}", file=sys.stderr)
    return 126


if __name__ == "__main__":
    sys.exit(main())
