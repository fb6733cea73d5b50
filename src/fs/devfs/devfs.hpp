// devtmpfs: the filesystem on /dev. An instance is a tmpfs populated at mount time with a node for every
// device registered by then (fs/devices.hpp: console, tty, null, zero, full, random, urandom at boot), the
// symlinks fd, stdin, stdout and stderr into /proc/self/fd, and the directories pts and shm. Being a tmpfs,
// /dev takes mknod, new files and removals like any other. A device registered after the mount gets no node
// yet: Linux's devtmpfs adds one live; ours will when the first driver that registers late needs it.
#pragma once

#include "fs/superblock.hpp"

namespace fs::devfs {

// The "devtmpfs" type, for register_filesystem (mount -t devtmpfs none /dev). Options are tmpfs's.
FileSystemType& filesystem_type();
// A new populated instance; `options` as tmpfs::create takes them (mode defaults to 0755).
Result<MountSource> create(StringView options);

// The boot step: registers "devtmpfs" and mounts a new instance on /dev of the
// system root (made if missing), hiding the root's own /dev/console under a devfs one. ENOENT when there is
// no system root yet.
Result<void> mount_on_dev();

} // namespace fs::devfs
