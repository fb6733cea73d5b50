#!/usr/bin/env python3
"""./cadenza syscalls: the coverage table generated from src/syscall/syscalls.def, the one list of Linux's
i386 system calls the kernel dispatches from."""
import os
import re
import sys

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
entries = []
with open(os.path.join(top, "src/syscall/syscalls.def")) as table:
    for line in table:
        match = re.match(r"SYSCALL\((\d+), (\w+), (\w+)[,)]", line)
        if match:
            entries.append((int(match.group(1)), match.group(2), match.group(3) != "none"))
only_missing = "--missing" in sys.argv[1:]
only_done = "--implemented" in sys.argv[1:]
for number, name, done in entries:
    if (only_missing and done) or (only_done and not done):
        continue
    print(f"{number:4} {name:28} {'implemented' if done else 'ENOSYS'}")
implemented = sum(1 for _, _, done in entries if done)
print(f"{implemented} of {len(entries)} Linux i386 system calls implemented")
