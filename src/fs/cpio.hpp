// The cpio "newc" unpacker for initramfs images (man 5 cpio, "New ASCII Format"; the Linux kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst). Archive bytes come from outside the kernel:
// every field is checked, a bad entry costs one log line and is skipped, and a cut-off archive stops the
// unpacking with what was already unpacked kept.
#pragma once

#include "fs/mount.hpp"

namespace fs {

struct CpioSummary {
    u32 unpacked { 0 }; // entries that made or updated a file
    u32 skipped { 0 }; // entries refused (bad name, bad checksum, unknown type, failed creation)
    u32 archives { 0 }; // "TRAILER!!!" records met (archives may be concatenated, as initramfs allows)
    bool truncated { false }; // the bytes ended inside an entry, or a header was unreadable
};

// Unpacks the newc ("070701", or "070702" with checksums) archive in [data, data + size) under the directory
// `target`, as root: directories, regular files, symlinks, device nodes, FIFOs, sockets, and hard links
// between regular files that share (ino, device) and have nlink > 1. Modes, owners and mtimes are applied.
// Absolute names are taken relative to target; names with a ".." component are refused; "." is target
// itself. Errors are ENOMEM only; what the archive gets wrong is counted in the summary.
Result<CpioSummary> unpack_cpio(const Path& target, const u8* data, usize size);

} // namespace fs
