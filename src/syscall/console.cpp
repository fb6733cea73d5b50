// Descriptors 0, 1 and 2 as the kernel console, until the VFS and the TTY layer give processes real files:
// enough for a program's standard output and error to reach the serial and VGA consoles.
#include "kernel/log.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kTiocgwinsz = 0x5413;
constexpr usize kChunk = 256;

bool is_console(i32 fd) { return fd >= 0 && fd <= 2; }

// Writes user bytes to the consoles; stops at a bad address and reports what was written, as write(2) does
// (EFAULT only when nothing was).
Result<u32> write_user(u32 buffer, u32 count, u32 already)
{
    char chunk[kChunk];
    u32 done = 0;
    while (done < count) {
        usize now = count - done < kChunk ? count - done : kChunk;
        if (mm::copy_from_user(chunk, buffer + done, now).is_error())
            return done + already ? Result<u32>(done) : Result<u32>(Errno::FAULT);
        console_write(chunk, now);
        done += static_cast<u32>(now);
    }
    return done;
}

} // namespace

Result<u32> sys_write(i32 fd, u32 buffer, u32 count)
{
    if (!is_console(fd))
        return Errno::BADF;
    if (count > 0x7FFFF000) // MAX_RW_COUNT
        count = 0x7FFFF000;
    if (!mm::is_user_range(buffer, count))
        return Errno::FAULT;
    return write_user(buffer, count, 0);
}

Result<u32> sys_writev(i32 fd, mm::UserPtr<IoVec> vectors, i32 count)
{
    if (!is_console(fd))
        return Errno::BADF;
    if (count < 0 || count > 1024) // UIO_MAXIOV
        return Errno::INVAL;
    // Check the whole vector first, as Linux's import_iovec does: a length negative as ssize_t or a range
    // outside user space fails the call before anything is written; a total past MAX_RW_COUNT is cut there.
    constexpr u32 kMaxRwCount = 0x7FFFF000;
    for (i32 i = 0; i < count; ++i) {
        IoVec v;
        TRY(mm::copy_from_user(v, vectors.offset(i)));
        if (static_cast<i32>(v.length) < 0)
            return Errno::INVAL;
        if (v.length && !mm::is_user_range(v.base, v.length))
            return Errno::FAULT;
    }
    u32 written = 0;
    for (i32 i = 0; i < count && written < kMaxRwCount; ++i) {
        IoVec v;
        TRY(mm::copy_from_user(v, vectors.offset(i)));
        if (v.length > kMaxRwCount - written)
            v.length = kMaxRwCount - written;
        u32 done = TRY(write_user(v.base, v.length, written));
        written += done;
        if (done < v.length)
            break;
    }
    return written;
}

Result<i32> sys_ioctl(i32 fd, u32 request, u32 argument)
{
    if (!is_console(fd))
        return Errno::BADF;
    if (request == kTiocgwinsz) {
        // The VGA text console's size; the TTY layer will keep a size per terminal.
        WindowSize size { 25, 80, 0, 0 };
        TRY(mm::copy_to_user(mm::UserPtr<WindowSize>(argument), size));
        return 0;
    }
    return Errno::NOTTY;
}

} // namespace sys
