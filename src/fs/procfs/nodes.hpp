// The files and directories of procfs, and what makes each file's text (procfs.cpp: the tree; files.cpp and
// process_files.cpp: the text).
#pragma once

#include "fs/procfs/text.hpp"
#include "lib/types.hpp"

namespace fs {
struct Path;
}

namespace fs::procfs {

enum class Node : u8 {
    Root, Self, Meminfo, Uptime, Loadavg, Stat, Cpuinfo, Version, Mounts, Filesystems, Cmdline, Devices, Partitions, Bus, BusPci, BusPciDevices, Sys,
    SysKernel, Hostname, Ostype, Osrelease,
    Pid, PidStat, PidStatus, PidCmdline, PidEnviron, PidMaps, PidComm, PidFdDir, PidFd, PidCwd, PidExe, PidRoot,
    PidMounts, PidMountinfo,
};

// The text of a system-wide file.
void system_text(Node node, Text& out);
// The text of a file of process `pid`; ESRCH when it has gone.
Result<void> process_text(Node node, i32 pid, Text& out);
// Where a process's link points (cwd, exe, root, fd/N), as the reader's root sees it; ENOENT when nothing.
Result<usize> process_link(Node node, i32 pid, i32 fd, char* buffer, usize size);
// The place a walk through fd/N or exe goes to when no name reaches the file (Inode::jump_target); EINVAL when
// a name does, ENOENT when nothing is there.
Result<void> process_place(Node node, i32 pid, i32 fd, Path& out);

} // namespace fs::procfs
