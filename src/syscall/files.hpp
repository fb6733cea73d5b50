// What the file system calls share: the VFS's view of the calling thread.
#pragma once

#include "fs/vfs.hpp"
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

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

// The checks readv, writev, preadv and pwritev make of the whole vector before anything moves (Linux's
// import_iovec): EINVAL for a count outside 0..UIO_MAXIOV or a length negative as ssize_t, EFAULT for a
// segment outside user space or an unreadable vector.
Result<void> check_io_vectors(mm::UserPtr<IoVec> vectors, i32 count);

} // namespace sys
