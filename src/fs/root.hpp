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

} // namespace fs
