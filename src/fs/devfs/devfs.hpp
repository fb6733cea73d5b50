// devtmpfs: the filesystem on /dev. An instance is a tmpfs populated at mount time with the standard nodes
// (Documentation/admin-guide/devices.txt): console (5,1), tty (5,0), null (1,3), zero (1,5), full (1,7),
// random (1,8), urandom (1,9), the symlinks fd, stdin, stdout and stderr into /proc/self/fd, and the
// directories pts and shm. The nodes open through whatever driver registered their numbers (fs/devices.hpp);
// being a tmpfs, /dev takes mknod, new files and removals like any other.
#pragma once

#include "fs/superblock.hpp"

namespace fs::devfs {

// The "devtmpfs" type, for register_filesystem (mount -t devtmpfs none /dev). Options are tmpfs's.
FileSystemType& filesystem_type();
// A new populated instance; `options` as tmpfs::create takes them (mode defaults to 0755).
Result<MountSource> create(StringView options);

// The boot step: registers "devtmpfs" and the FIFO operations, and mounts a new instance on /dev of the
// system root (made if missing), hiding the root's own /dev/console under a devfs one. ENOENT when there is
// no system root yet.
Result<void> mount_on_dev();

} // namespace fs::devfs
