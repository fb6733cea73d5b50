#!/usr/bin/env python3
"""Builds the kernel symbol table embedded in the image for symbolized backtraces (src/kernel/symbols.hpp).

Usage: gen-ksyms.py NM ELF OUT.bin
Reads the function symbols of the first-stage link with `nm -n -C --defined-only` and writes:
"KSYM", count, strings size (little-endian u32), then {address, name offset} per symbol sorted by
address, then the NUL-terminated names.
"""
import struct
import subprocess
import sys


def function_symbols(nm, elf):
    out = subprocess.run([nm, "-n", "-C", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3 or parts[1] not in "TtWw":
            continue
        address = int(parts[0], 16)
        # Keep the first name seen at an address: aliases (C1/C2 constructors) print the same.
        symbols.setdefault(address, parts[2])
    return sorted(symbols.items())


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen-ksyms.py NM ELF OUT.bin")
    nm, elf, out = sys.argv[1:]
    symbols = function_symbols(nm, elf)
    names = bytearray()
    entries = bytearray()
    for address, name in symbols:
        entries += struct.pack("<II", address, len(names))
        names += name.encode() + b"\0"
    with open(out, "wb") as f:
        f.write(b"KSYM" + struct.pack("<II", len(symbols), len(names)) + entries + names)


if __name__ == "__main__":
    main()
