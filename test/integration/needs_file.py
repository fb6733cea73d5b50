#!/usr/bin/env python3
"""Runs a test's command only when the file it needs is there; otherwise the test is skipped (exit 77, which
the test's SKIP_RETURN_CODE names), with the reason read from a second file when one was written.
Usage: needs_file.py FILE REASON_FILE -- COMMAND..."""
import os
import subprocess
import sys

needed, reason_file, command = sys.argv[1], sys.argv[2], sys.argv[4:]
if not os.path.exists(needed):
    reason = "not built"
    if os.path.exists(reason_file):
        with open(reason_file) as f:
            reason = f.read().strip()
    print(f"SKIP: {needed} is missing: {reason}")
    sys.exit(77)
sys.exit(subprocess.run(command).returncode)
