// execve and execveat (man 2 execve): the path and the argument and environment lists come from user memory;
// proc/exec does the rest.
#include "proc/exec.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kAtEmptyPath = 0x1000;

Result<i32> exec(i32 dirfd, mm::UserIn<char> path_address, mm::UserIn<u32> argv, mm::UserIn<u32> envp, u32 flags)
{
    UserPath path;
    StringView name = TRY(path.copy(path_address, flags & kAtEmptyPath));
    proc::ExecArgs args;
    TRY(args.add_from_user(argv, envp));
    TRY(proc::exec_current(dirfd, name, args, flags));
    return 0;
}

} // namespace

Result<i32> sys_execve(mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp)
{
    return exec(-100 /* AT_FDCWD */, path, argv, envp, 0);
}

Result<i32> sys_execveat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp, u32 flags)
{
    return exec(dirfd, path, argv, envp, flags);
}

} // namespace sys
