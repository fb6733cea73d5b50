// fcntl's POSIX advisory record locks (man 2 fcntl, "Advisory record locking"): F_GETLK, F_SETLK and F_SETLKW
// with struct flock (fcntl) or struct flock64 (fcntl64). This file turns the argument into a byte range and
// back; the locks themselves live on the inode (fs/file_locks.hpp), and every close of a descriptor of the
// file by the owning process drops them.
#include "fs/file_locks.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i16 kRdLck = fs::kLockRead, kWrLck = fs::kLockWrite, kUnLck = fs::kLockUnlock;
constexpr u32 kFGetLk = 5, kFSetLkW = 7, kFGetLk64 = 12, kFSetLkW64 = 14;
constexpr i64 kOffsetMax = fs::kLockOffsetMax;
constexpr i64 kOffTMax = 0x7fffffff; // what a 32-bit off_t can report

using Range = fs::LockRange;

// A struct flock or flock64 in one shape.
struct Request {
    i16 type, whence;
    i64 start, len;
    i32 pid;
};

Result<Request> read_request(u32 argument, bool wide)
{
    if (wide) {
        Flock64 raw;
        TRY(mm::copy_from_user(raw, mm::UserIn<Flock64>(argument)));
        return Request { raw.type, raw.whence, raw.start, raw.len, raw.pid };
    }
    Flock32 raw;
    TRY(mm::copy_from_user(raw, mm::UserIn<Flock32>(argument)));
    return Request { raw.type, raw.whence, raw.start, raw.len, raw.pid };
}

Result<void> write_request(u32 argument, bool wide, const Request& request)
{
    if (wide) {
        Flock64 raw { request.type, request.whence, request.start, request.len, request.pid };
        return mm::copy_to_user(mm::UserOut<Flock64>(argument), raw);
    }
    Flock32 raw { request.type, request.whence, static_cast<i32>(request.start), static_cast<i32>(request.len),
        request.pid };
    return mm::copy_to_user(mm::UserOut<Flock32>(argument), raw);
}

// flock_to_posix_lock(): the byte range the request names, from its whence. EINVAL for a bad whence or a range
// starting before 0, EOVERFLOW for one past OFFSET_MAX.
Result<Range> range_of(const fs::OpenFile& file, const Request& request)
{
    i64 base;
    switch (request.whence) {
    case fs::kSeekSet:
        base = 0;
        break;
    case fs::kSeekCur:
        base = static_cast<i64>(file.offset());
        break;
    case fs::kSeekEnd:
        base = static_cast<i64>(file.inode().attributes().size);
        break;
    default:
        return Errno::INVAL;
    }
    if (request.start > kOffsetMax - base)
        return Errno::OVERFLOW;
    i64 start = base + request.start;
    if (start < 0)
        return Errno::INVAL;
    i64 end;
    if (request.len > 0) {
        if (request.len - 1 > kOffsetMax - start)
            return Errno::OVERFLOW;
        end = start + request.len - 1;
    } else if (request.len < 0) {
        if (start + request.len < 0)
            return Errno::INVAL;
        end = start - 1;
        start += request.len;
    } else {
        end = kOffsetMax;
    }
    return Range { request.type, start, end };
}

fs::LockOwner current_owner() { return proc::current()->files.get(); }

Result<i32> get_lock(fs::OpenFile& file, u32 argument, bool wide)
{
    Request request = TRY(read_request(argument, wide));
    if (request.type != kRdLck && request.type != kWrLck)
        return Errno::INVAL;
    Range wanted = TRY(range_of(file, request));
    Range held {};
    i32 holder = 0;
    if (!fs::find_conflicting_lock(file.inode(), current_owner(), wanted, held, holder)) {
        // Nothing in the way: only l_type changes (fcntl_getlk).
        request.type = kUnLck;
        TRY(write_request(argument, wide, request));
        return 0;
    }
    // posix_lock_to_flock(): a 32-bit off_t cannot describe a lock past 2 GiB.
    if (!wide && (held.start > kOffTMax || (held.end != kOffsetMax && held.end > kOffTMax)))
        return Errno::OVERFLOW;
    request.type = held.type;
    request.whence = static_cast<i16>(fs::kSeekSet);
    request.start = held.start;
    request.len = held.end == kOffsetMax ? 0 : held.end - held.start + 1;
    request.pid = holder;
    TRY(write_request(argument, wide, request));
    return 0;
}

Result<i32> set_lock(i32 fd, fs::OpenFile& file, u32 argument, bool wide, bool wait)
{
    Request request = TRY(read_request(argument, wide));
    if (request.type != kRdLck && request.type != kWrLck && request.type != kUnLck)
        return Errno::INVAL;
    Range range = TRY(range_of(file, request));
    // check_fmode_for_setlk(): a read lock needs the file open for reading, a write lock for writing.
    if ((range.type == kRdLck && !file.readable()) || (range.type == kWrLck && !file.writable()))
        return Errno::BADF;
    fs::LockOwner owner = current_owner();
    TRY(fs::set_posix_lock(file.inode(), owner, proc::current()->tgid(), range, wait));
    // fcntl_setlk: a close of `fd` by another thread while we slept dropped the owner's locks before this one
    // was taken; undo it, or a lock would outlive every descriptor of the file.
    if (range.type != kUnLck) {
        auto now = proc::current()->files->get(fd);
        if (now.is_error() || now.value().get() != &file) {
            Range undo { kUnLck, range.start, range.end };
            (void)fs::set_posix_lock(file.inode(), owner, 0, undo, false); // Linux ignores its failure too
            return Errno::BADF;
        }
    }
    return 0;
}

} // namespace

Result<i32> fcntl_lock(i32 fd, u32 command, u32 argument, bool wide)
{
    auto file = TRY(open_file_of(fd));
    if (command == kFGetLk || command == kFGetLk64)
        return get_lock(*file, argument, wide);
    bool wait = command == kFSetLkW || command == kFSetLkW64;
    return set_lock(fd, *file, argument, wide, wait);
}

} // namespace sys
