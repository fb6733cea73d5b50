// procfs: the kernel's state as files, in the formats Linux uses so that ps, top, free, uptime and mount read
// them (man 5 proc). Nothing is stored: directories list what exists when read, and each file's text is made
// when it is read. /proc/self,
// /proc/<pid>/{stat,status,cmdline,environ,maps,comm,fd/,cwd,exe,root,mounts,mountinfo},
// /proc/{meminfo,uptime,loadavg,stat,cpuinfo,version,mounts,filesystems,cmdline,devices,partitions},
// /proc/bus/pci/devices and /proc/sys/kernel/{hostname,ostype,osrelease}.
#pragma once

#include "fs/superblock.hpp"

namespace fs::procfs {

// The "proc" type, for register_filesystem and mount -t proc.
FileSystemType& filesystem_type();
// The kernel command line /proc/cmdline shows (the boot loader's, kept by kernel_main).
void set_kernel_command_line(const char* text);

// Files whose text a subsystem beside fs writes (block's partitions, the PCI table), as a Linux driver
// creates its own /proc file: fs may not ask them itself. Until one is provided the file is empty.
class Text;
enum class ProvidedFile : u8 { Partitions, PciDevices, Count };
using TextWriter = void (*)(Text& out);
void provide_file(ProvidedFile file, TextWriter writer);

} // namespace fs::procfs
