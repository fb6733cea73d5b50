// What the file system calls share: the VFS's view of the calling thread.
#pragma once

#include "fs/vfs.hpp"
#include "mm/io_buffer.hpp"
#include "mm/vector.hpp"
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

namespace sys {

// The calling thread's place in the tree, descriptors, credentials and RLIMIT_NOFILE, as the VFS calls take them.
inline fs::Caller file_caller()
{
    constexpr u32 kRlimitNofile = 7;
    proc::Thread& self = *proc::current();
    u64 limit = self.process().limits[kRlimitNofile].current;
    return fs::Caller { *self.fs, *self.files, self.credentials,
        limit > fs::FdTable::kHardMax ? fs::FdTable::kHardMax : static_cast<u32>(limit) };
}

// One call moves at most this much (Linux's MAX_RW_COUNT); a longer count is cut there.
inline constexpr u32 kMaxRwCount = 0x7FFFF000;
inline u32 clamp_rw_count(u32 count) { return count > kMaxRwCount ? kMaxRwCount : count; }

// The iovec array of readv, writev, preadv and pwritev, copied from user memory once and checked whole
// before anything moves (Linux's import_iovec): EINVAL for a count outside 0..UIO_MAXIOV or a length negative
// as ssize_t, EFAULT for a segment outside user space or an unreadable array. The total is cut at
// MAX_RW_COUNT. Up to UIO_FASTIOV segments live inside it; more are kmalloc'd (ENOMEM).
class UserIoVector {
public:
    // `source`: the segments are a write's (they may lie in the vDSO's read-only pages).
    Result<void> import(mm::UserIn<IoVec> vectors, i32 count, bool source);
    // The segments as a read's destination or a write's source.
    mm::OutBuffer destination() const
    {
        return mm::OutBuffer::user_segments(m_segments.data(), m_segments.size(), m_total);
    }
    mm::InBuffer source() const { return mm::InBuffer::user_segments(m_segments.data(), m_segments.size(), m_total); }

private:
    static constexpr usize kInline = 8; // UIO_FASTIOV
    mm::Vector<mm::IoSegment, kInline> m_segments;
    usize m_total { 0 };
};

// readv, writev, preadv and pwritev: a negative offset first (EINVAL), then the vector imported whole, then
// one transfer, at the file position (`offset` null) or at *offset. No segment at all still checks the file
// (EBADF, ESPIPE, EISDIR).
Result<u32> transfer_vector(i32 fd, mm::UserIn<IoVec> vectors, i32 count, bool reading, const i64* offset);

} // namespace sys
