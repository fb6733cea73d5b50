#!/usr/bin/env python3
"""Runs `tools/exec.py` (what `./cadenza exec` runs) and checks its exit status and output.
Usage: exec_case.py STATUS EXPECTED_OUTPUT_REGEX -- EXEC_ARGUMENTS..."""
import re
import subprocess
import sys

want_status, pattern = int(sys.argv[1]), sys.argv[2]
command = [sys.executable] + sys.argv[4:]
result = subprocess.run(command, capture_output=True, text=True, timeout=120)
problems = []
if result.returncode != want_status:
    problems.append(f"exit status {result.returncode}, expected {want_status}")
if not re.search(pattern, result.stdout, re.MULTILINE):
    problems.append(f"standard output lacks /{pattern}/")
if problems:
    print("FAIL: " + "; ".join(problems))
    print("stdout:\n" + result.stdout + "\nstderr:\n" + result.stderr)
    sys.exit(1)
print(f"PASS: status {result.returncode}")
