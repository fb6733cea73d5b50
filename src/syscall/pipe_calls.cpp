// pipe and pipe2 (man 2 pipe): a new pipe's two ends on the two lowest free descriptors.
#include "fs/pipe.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

Result<i32> sys_pipe2(mm::UserOut<i32> fds_address, u32 flags)
{
    // O_NOTIFICATION_PIPE (O_EXCL) needs watch queues, which this kernel does not have.
    if (flags & ~(fs::kOCloExec | fs::kONonBlock | fs::kODirect))
        return Errno::INVAL;
    fs::Caller caller = file_caller();
    fs::PipeFiles files = TRY(fs::make_pipe(flags));
    bool close_on_exec = flags & fs::kOCloExec;
    i32 read_fd = TRY(caller.fds.install(files.read_end, close_on_exec, caller.fd_limit));
    auto write_fd = caller.fds.install(files.write_end, close_on_exec, caller.fd_limit);
    if (write_fd.is_error()) {
        (void)caller.fds.close(read_fd);
        return write_fd.error();
    }
    // Linux copies the pair out before installing; undoing the install is the same to the caller.
    i32 pair[2] = { read_fd, write_fd.value() };
    if (mm::copy_array_to_user(fds_address, pair, 2).is_error()) {
        (void)caller.fds.close(read_fd);
        (void)caller.fds.close(write_fd.value());
        return Errno::FAULT;
    }
    return 0;
}

Result<i32> sys_pipe(mm::UserOut<i32> fds_address) { return sys_pipe2(fds_address, 0); }

} // namespace sys
