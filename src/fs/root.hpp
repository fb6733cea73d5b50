// The system's mount tree: a tmpfs root (Linux's rootfs) that the initramfs unpacks into, holding
// /dev/console so that init starts with its standard descriptors, as on Linux.
#pragma once

#include "fs/mount.hpp"

namespace fs {

// Registers tmpfs and mounts it as the root. EBUSY when a root is already there.
Result<void> mount_system_root();
// The root of the tree; an invalid Path before mount_system_root().
Path system_root();
// Tears the tree down (the end of run_init on the host, and tests).
void unmount_system_root();
// Registers `type` (once) and mounts a new instance of it on the directory `name` of the root, made if
// missing: /proc, /dev.
Result<void> mount_on_root_directory(StringView name, FileSystemType& type);
// Puts a file into the root filesystem at the absolute `path`, making missing directories (0755), owned by
// root: a boot module given as a bare program, or a test's executable.
Result<void> install_file(StringView path, const void* data, usize size, u32 mode);

} // namespace fs
