// open, openat, creat (man 2 open), lseek and _llseek (man 2 lseek, man 2 llseek), and what every file handler
// shares: copying a path from user memory and finding the open file a descriptor names.
#include "mm/kmalloc.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

Result<StringView> UserPath::copy(mm::UserIn<char> address, bool may_be_empty)
{
    TRY(m_buffer.try_resize_uninitialised(fs::kPathMax));
    usize length = TRY(mm::copy_string_from_user(m_buffer.data(), address, fs::kPathMax));
    // getname(): an empty name is ENOENT, unless the caller asked for AT_EMPTY_PATH (getname_flags).
    if (length == 0 && !may_be_empty)
        return Errno::NOENT;
    return StringView(m_buffer.data(), length);
}

Result<RefPtr<fs::OpenFile>> open_file_of(i32 fd) { return proc::current()->files->get(fd); }

Result<i32> sys_openat(i32 dirfd, mm::UserIn<char> path, u32 flags, u32 mode)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    // i386 does not force O_LARGEFILE (force_o_largefile() is 64-bit only): musl passes it itself.
    return fs::openat(caller, dirfd, text, flags, mode);
}

Result<i32> sys_open(mm::UserIn<char> path, u32 flags, u32 mode) { return sys_openat(fs::kAtFdCwd, path, flags, mode); }

// creat(2) is open(2) with O_CREAT|O_WRONLY|O_TRUNC.
Result<i32> sys_creat(mm::UserIn<char> path, u32 mode)
{
    return sys_openat(fs::kAtFdCwd, path, fs::kOCreat | fs::kOWrOnly | fs::kOTrunc, mode);
}

Result<i32> sys_lseek(i32 fd, i32 offset, u32 whence)
{
    auto file = TRY(open_file_of(fd));
    if (whence > fs::kSeekHole)
        return Errno::INVAL;
    u64 position = TRY(file->seek(offset, whence));
    // The 32-bit off_t cannot hold the result: EOVERFLOW, though the position has moved, as Linux's ksys_lseek.
    if (position > 0x7fffffff)
        return Errno::OVERFLOW;
    return static_cast<i32>(position);
}

// _llseek(2): the offset in two halves, the 64-bit result stored at `result`. A bad `result` pointer is
// EFAULT after the position has moved, as on Linux.
Result<void> sys_llseek(i32 fd, u32 offset_high, u32 offset_low, mm::UserOut<u64> result, u32 whence)
{
    auto file = TRY(open_file_of(fd));
    if (whence > fs::kSeekHole)
        return Errno::INVAL;
    u64 position = TRY(file->seek(join_halves(offset_low, offset_high), whence));
    return mm::copy_to_user(result, position);
}

} // namespace sys
