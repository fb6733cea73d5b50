// Descriptors themselves (man 2 dup, man 2 fcntl: duplicating, close-on-exec, status flags; record locks are
// in file_locks.cpp) and flushing files to storage (man 2 sync, fsync), which tmpfs does not need but whose
// descriptor rules still hold.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

// fcntl commands (asm-generic/fcntl.h, linux/fcntl.h).
constexpr u32 kFDupFd = 0, kFGetFd = 1, kFSetFd = 2, kFGetFl = 3, kFSetFl = 4, kFGetLk = 5, kFSetLk = 6, kFSetLkW = 7,
              kFGetLk64 = 12, kFSetLk64 = 13, kFSetLkW64 = 14, kFDupFdCloExec = 1030;
constexpr u32 kFdCloExec = 1;

Result<i32> fcntl_common(i32 fd, u32 command, u32 argument, bool wide)
{
    auto caller = file_caller();
    auto file = TRY(caller.fds.get(fd));
    // An O_PATH descriptor answers only these (check_fcntl_cmd); anything else is EBADF.
    bool path_ok = command == kFDupFd || command == kFDupFdCloExec || command == kFGetFd || command == kFSetFd
        || command == kFGetFl;
    if (file->is_path_only() && !path_ok)
        return Errno::BADF;
    switch (command) {
    case kFDupFd:
    case kFDupFdCloExec:
        // An argument at or past RLIMIT_NOFILE (or negative as a long) is EINVAL.
        return caller.fds.dup_from(fd, static_cast<i32>(argument), command == kFDupFdCloExec, caller.fd_limit);
    case kFGetFd:
        return TRY(caller.fds.close_on_exec(fd)) ? static_cast<i32>(kFdCloExec) : 0;
    case kFSetFd:
        TRY(caller.fds.set_close_on_exec(fd, argument & kFdCloExec));
        return 0;
    case kFGetFl:
        return static_cast<i32>(file->flags());
    case kFSetFl:
        file->set_status_flags(argument);
        return 0;
    case kFGetLk:
    case kFSetLk:
    case kFSetLkW:
        return fcntl_lock(fd, command, argument, false);
    case kFGetLk64:
    case kFSetLk64:
    case kFSetLkW64:
        // struct flock64 is fcntl64's alone: plain fcntl does not know these commands.
        if (!wide)
            return Errno::INVAL;
        return fcntl_lock(fd, command, argument, true);
    default:
        // Leases, signals, owners, pipe sizes, seals and open file description locks are not kept here.
        return Errno::INVAL;
    }
}

// fsync(2) and fdatasync(2): tmpfs keeps nothing to flush, but a file without the operation (a pipe, a
// terminal) is EINVAL, and an O_PATH descriptor EBADF.
Result<void> sync_fd(i32 fd)
{
    auto file = TRY(open_file_of(fd));
    if (file->is_path_only())
        return Errno::BADF;
    u32 type = file->inode().mode();
    if (!fs::is_reg(type) && !fs::is_dir(type) && !fs::is_blk(type))
        return Errno::INVAL;
    return {};
}

} // namespace

Result<i32> sys_dup(i32 fd)
{
    auto caller = file_caller();
    return caller.fds.dup(fd, caller.fd_limit);
}

Result<i32> sys_dup2(i32 old_fd, i32 new_fd)
{
    auto caller = file_caller();
    return caller.fds.dup2(old_fd, new_fd, caller.fd_limit);
}

Result<i32> sys_dup3(i32 old_fd, i32 new_fd, u32 flags)
{
    auto caller = file_caller();
    return caller.fds.dup3(old_fd, new_fd, flags, caller.fd_limit);
}

Result<i32> sys_fcntl(i32 fd, u32 command, u32 argument) { return fcntl_common(fd, command, argument, false); }
Result<i32> sys_fcntl64(i32 fd, u32 command, u32 argument) { return fcntl_common(fd, command, argument, true); }

Result<void> sys_sync() { return {}; }

Result<void> sys_syncfs(i32 fd)
{
    auto file = TRY(open_file_of(fd));
    if (file->is_path_only())
        return Errno::BADF; // fdget() does not take O_PATH descriptors
    return {};
}

Result<void> sys_fsync(i32 fd) { return sync_fd(fd); }
Result<void> sys_fdatasync(i32 fd) { return sync_fd(fd); }

} // namespace sys
