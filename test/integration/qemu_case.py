#!/usr/bin/env python3
"""Boots Cadenza once in headless QEMU and checks what it printed: one integration case.

The kernel log arrives on the serial line (QEMU's stdout here). A case passes when every --expect pattern
matches a line, in order; no --reject pattern matches; QEMU ends with the --exit status (isa-debug-exit:
33 success, 35 failure); and, with --vga, the VGA text screen (read through the QEMU monitor once the
last --expect line is seen) matches too. A failing or hanging boot prints the last serial lines.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

EXIT_CODES = {"success": 33, "failure": 35}
TAIL = 25
VGA_BYTES = 80 * 25 * 2


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__)
    image = ap.add_mutually_exclusive_group(required=True)
    image.add_argument("--kernel", help="boot this Multiboot ELF with -kernel")
    image.add_argument("--iso", help="boot this GRUB 2 image from CD")
    ap.add_argument("--append", default="", help="kernel command line (with --kernel)")
    ap.add_argument("--module", action="append", default=[], help="Multiboot module: FILE or 'FILE args'")
    ap.add_argument("--expect", action="append", default=[], help="regex a serial line must match, in order")
    ap.add_argument("--reject", action="append", default=[], help="regex no serial line may match")
    ap.add_argument("--exit", default="success", help="success, failure, or 'running' (QEMU is stopped by us)")
    ap.add_argument("--vga", action="append", default=[], help="regex the VGA text screen must match")
    ap.add_argument("--memory", default="128M")
    ap.add_argument("--timeout", type=float, default=30.0)
    return ap.parse_args()


def vga_text(monitor_path, dump_path):
    """Reads the 80x25 text buffer at 0xB8000 through the monitor; returns its characters, a line per row."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(monitor_path)
        s.sendall(f'pmemsave 0xb8000 {VGA_BYTES} "{dump_path}"\n'.encode())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(dump_path) and os.path.getsize(dump_path) == VGA_BYTES:
                break
            time.sleep(0.05)
    with open(dump_path, "rb") as f:
        cells = f.read()
    chars = bytes(cells[0::2]).decode("cp437")
    return "\n".join(chars[row * 80:(row + 1) * 80].rstrip() for row in range(25))


def main():
    args = parse_args()
    work = tempfile.mkdtemp(prefix="cadenza-case-")
    monitor = os.path.join(work, "monitor.sock")
    cmd = ["qemu-system-i386", "-m", args.memory, "-display", "none", "-no-reboot", "-serial", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-monitor", f"unix:{monitor},server=on,wait=off"]
    if args.kernel:
        cmd += ["-kernel", args.kernel, "-append", args.append]
        if args.module:
            cmd += ["-initrd", ",".join(args.module)]
    else:
        cmd += ["-cdrom", args.iso, "-boot", "d"]

    lines, pending = [], list(args.expect)
    problems = []
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = started + args.timeout
        buffer = b""
        os.set_blocking(proc.stdout.fileno(), False)
        while True:
            if time.monotonic() > deadline:
                problems.append(f"no end within {args.timeout:.0f} s (hung boot?)")
                break
            chunk = proc.stdout.read()
            if chunk:
                buffer += chunk
                *complete, buffer = buffer.split(b"\n")
                for raw in complete:
                    line = raw.decode("utf-8", "replace").replace("\r", "")
                    lines.append(line)
                    if pending and re.search(pending[0], line):
                        pending.pop(0)
            elif proc.poll() is not None:
                if buffer:
                    lines.append(buffer.decode("utf-8", "replace").replace("\r", ""))
                break
            else:
                time.sleep(0.01)
            if args.exit == "running" and not pending:
                break
        if args.vga and proc.poll() is None:
            screen = vga_text(monitor, os.path.join(work, "vga.bin"))
            for pattern in args.vga:
                if not re.search(pattern, screen, re.MULTILINE):
                    problems.append(f"VGA screen lacks /{pattern}/; it shows:\n{screen}")
        elif args.vga:
            problems.append("QEMU ended before the VGA screen could be read")
    finally:
        if proc.poll() is None:
            proc.kill()
        status = proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    if pending:
        problems.append(f"never saw a line matching /{pending[0]}/")
    for pattern in args.reject:
        for line in lines:
            if re.search(pattern, line):
                problems.append(f"unexpected line /{pattern}/: {line}")
    if args.exit != "running":
        want = EXIT_CODES.get(args.exit, None) or int(args.exit)
        if status != want:
            problems.append(f"QEMU exit status {status}, expected {want} ({args.exit})")

    elapsed = time.monotonic() - started
    if problems:
        print(f"FAIL after {elapsed:.2f} s: " + "\n".join(problems))
        print(f"last {min(TAIL, len(lines))} serial lines:")
        for line in lines[-TAIL:]:
            print(f"  | {line}")
        print("command: " + " ".join(repr(c) if " " in c else c for c in cmd))
        return 1
    print(f"PASS in {elapsed:.2f} s ({len(lines)} serial lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
