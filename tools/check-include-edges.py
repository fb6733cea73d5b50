#!/usr/bin/env python3
"""lint.include_edges: which subsystem of src/ may include which (GUIDE §1). Each area has a layer; a file may
include its own area and the layers below it, never above. The kernel's services (log, panic, clock, console,
boot-state resets, random numbers, self-test registry, symbols) sit just above lib, for everyone; kernel/main.cpp,
the boot sequence, is on top.
Every edge that goes up anyway is named below with its reason, so a new one is a decision, not an accident.
Usage: check-include-edges.py [TOP]"""
import os
import re
import sys

LAYERS = {
    "lib": 0,
    "kernel-services": 1,
    "arch": 2, "sim": 2,
    "mm": 3, "boot": 3,
    "proc": 4,
    "fs": 5, "drivers": 5, "block": 5, "tty": 5,
    "syscall": 6, "module": 6,
    "kernel": 7,
}
SERVICES = {"kernel/log.hpp", "kernel/panic.hpp", "kernel/clock.hpp", "kernel/console.hpp", "kernel/selftest.hpp",
            "kernel/symbols.hpp", "kernel/version.hpp", "kernel/boot_state.hpp",
            "kernel/random.hpp"}
# Beside each other, one way only: a driver implements the VFS's file operations, and so does a block device's
# node (block registers its devices in fs's one registry); the sim implements arch.
SIDEWAYS = {("drivers", "fs"), ("block", "fs"), ("sim", "arch")}

# (including file prefix, included header prefix): why the edge goes up.
EXCEPTIONS = {
    ("src/arch/i386/", "mm/"): "the real machine's paging and signal frames take pages from the page allocator",
    ("src/arch/i386/", "kernel/main.hpp"): "boot.cpp calls kernel_main, the top, by design",
    ("src/sim/", "mm/physical_memory.hpp"): "the simulated page tables take their pages from the page allocator",
    ("src/sim/block_device.", "block/"): "the sim's RAM- and file-backed disks are drivers of the portable block layer",
    ("src/sim/block_device.", "proc/timer.hpp"): "a simulated disk's latency is a kernel timer, as a real driver's time-out",
    ("src/proc/process.hpp", "fs/"): "a process owns its descriptor table and filesystem context (Linux: files_struct)",
    ("src/proc/process.cpp", "fs/"): "fork and exit copy and drop the descriptor table and filesystem context",
    ("src/proc/exec.", "fs/"): "exec opens and reads the program's file",
    ("src/kernel/", ""): "kernel/main.cpp is the boot sequence; it may start anything",
}


def area_of(path):
    """The area of a header path relative to src/ ("mm/buddy.hpp" -> "mm")."""
    if path in SERVICES:
        return "kernel-services"
    return path.split("/", 1)[0]


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    src = os.path.join(top, "src")
    include = re.compile(r'^\s*#\s*include\s*"([a-z0-9_]+/[^"]+)"', re.M)
    problems, checked, used = [], 0, set()
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".cpp", ".hpp", ".h", ".def")):
                continue
            path = os.path.join(root, name)
            relative = os.path.relpath(path, top).replace(os.sep, "/")
            inner = relative[len("src/"):]
            own = area_of(inner)
            if own == "kernel" and inner in SERVICES:
                own = "kernel-services"
            if own not in LAYERS:
                problems.append(f"{relative}: area '{own}' has no layer in tools/check-include-edges.py")
                continue
            checked += 1
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for header in include.findall(text):
                theirs = area_of(header)
                if theirs not in LAYERS or theirs == own:
                    continue
                if LAYERS[theirs] < LAYERS[own] or (own, theirs) in SIDEWAYS:
                    continue
                excused = [key for key in EXCEPTIONS if relative.startswith(key[0]) and header.startswith(key[1])]
                if excused:
                    used.update(excused)
                    continue
                problems.append(f"{relative} includes {header}: {own} (layer {LAYERS[own]}) may not reach up to "
                                f"{theirs} (layer {LAYERS[theirs]})")
    for key in EXCEPTIONS:
        if key not in used:
            problems.append(f"exception {key} is no longer needed: remove it from tools/check-include-edges.py")
    if problems:
        print("include edges violated:\n  " + "\n  ".join(problems))
        return 1
    print(f"include edges: ok ({checked} files, {len(EXCEPTIONS)} named exceptions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
