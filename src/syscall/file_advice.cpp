// posix_fadvise's calls, fadvise64 and fadvise64_64 (man 2 posix_fadvise): advice about how a file will be
// read. Accepted and checked as mm/fadvise.c checks it (EBADF, ESPIPE for a pipe, EINVAL for a negative
// length or unknown advice), then taken as a hint with nothing to do: tmpfs pages are never read ahead or
// written back, so there is nothing to prefetch or drop.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i32 kAdviceNormal = 0, kAdviceNoReuse = 5; // POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE on i386

Result<void> advise(i32 fd, i64 length, i32 advice)
{
    auto file = TRY(open_file_of(fd));
    if (fs::is_fifo(file->inode().mode()))
        return Errno::SPIPE;
    if (length < 0 || advice < kAdviceNormal || advice > kAdviceNoReuse)
        return Errno::INVAL;
    return {};
}

} // namespace

Result<void> sys_fadvise64(i32 fd, u32 offset_low, u32 offset_high, u32 length, i32 advice)
{
    (void)join_halves(offset_low, offset_high); // any offset is allowed
    return advise(fd, i64 { length }, advice);
}

Result<void> sys_fadvise64_64(i32 fd, u32 offset_low, u32 offset_high, u32 length_low, u32 length_high, i32 advice)
{
    (void)join_halves(offset_low, offset_high);
    return advise(fd, join_halves(length_low, length_high), advice);
}

} // namespace sys
