#!/usr/bin/env python3
"""cpio "newc" archives, the initramfs format Linux and Cadenza unpack at boot: from a list of entries, or from
a directory tree (files, directories and symlinks with their permission bits, owned by root).

As a command: initramfs.py DIRECTORY OUTPUT writes the tree's archive."""
import os
import stat
import sys


def archive(entries):
    """A newc archive of (name, mode, data) entries, in order; `mode` carries the file type bits."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(list(entries) + [("TRAILER!!!", 0, b"")], 1):
        encoded = name.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(mode) else 1
        fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        out += header + encoded + b"\0" * ((4 - (len(header) + len(encoded)) % 4) % 4)
        out += data + b"\0" * ((4 - len(data) % 4) % 4)
    return bytes(out)


def tree_entries(root):
    """The entries of everything under `root`, parents before children, names relative to it."""
    entries = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(subdirectories) + sorted(files):
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            info = os.lstat(path)
            permissions = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                entries.append((relative, stat.S_IFLNK | 0o777, os.readlink(path).encode()))
            elif stat.S_ISDIR(info.st_mode):
                entries.append((relative, stat.S_IFDIR | permissions, b""))
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as f:
                    entries.append((relative, stat.S_IFREG | permissions, f.read()))
    return entries


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "wb") as f:
        f.write(archive(tree_entries(sys.argv[1])))


if __name__ == "__main__":
    main()
