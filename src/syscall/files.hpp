// What the file system calls share: the VFS's view of the calling thread.
#pragma once

#include "fs/vfs.hpp"
#include "proc/process.hpp"

namespace sys {

// The calling thread's place in the tree, descriptors, credentials and RLIMIT_NOFILE, as the VFS calls take them.
inline fs::Caller file_caller()
{
    constexpr u32 kRlimitNofile = 7;
    proc::Process& self = *proc::current();
    u64 limit = self.group().limits[kRlimitNofile].current;
    return fs::Caller { *self.fs, *self.files, self.credentials,
        limit > fs::FdTable::kHardMax ? fs::FdTable::kHardMax : static_cast<u32>(limit) };
}

} // namespace sys
