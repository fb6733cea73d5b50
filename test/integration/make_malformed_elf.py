#!/usr/bin/env python3
"""Writes a file that starts with ELF's magic but is not an executable (a truncated, nonsense header)."""
import sys

with open(sys.argv[1], "wb") as out:
    out.write(b"\x7fELF" + bytes(range(60)))
