// procfs: the kernel's state as files, in the formats Linux uses so that ps, top, free, uptime and mount read
// them (man 5 proc). Nothing is stored: directories list what exists when read, and each file's text is made
// when it is read. /proc/self,
// /proc/<pid>/{stat,status,cmdline,environ,maps,comm,fd/,cwd,exe,root,mounts,mountinfo},
// /proc/{meminfo,uptime,loadavg,stat,cpuinfo,version,mounts,filesystems,cmdline,devices} and
// /proc/sys/kernel/{hostname,ostype,osrelease}.
#pragma once

#include "fs/superblock.hpp"

namespace fs::procfs {

// The "proc" type, for register_filesystem and mount -t proc.
FileSystemType& filesystem_type();
// The kernel command line /proc/cmdline shows (the boot loader's, kept by kernel_main).
void set_kernel_command_line(const char* text);

} // namespace fs::procfs
