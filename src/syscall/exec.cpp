// execve and execveat (man 2 execve): the path and the argument and environment lists come from user memory;
// proc/exec does the rest.
#include "mm/kmalloc.hpp"
#include "proc/exec.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr usize kPathMax = 4096;
constexpr u32 kAtEmptyPath = 0x1000;

Result<i32> exec(i32 dirfd, mm::UserIn<char> path_address, mm::UserIn<u32> argv, mm::UserIn<u32> envp, u32 flags)
{
    auto* path = static_cast<char*>(TRY(mm::kmalloc(kPathMax)));
    auto length = mm::copy_string_from_user(path, path_address, kPathMax);
    Result<void> result = length.is_error() ? Result<void>(length.error()) : Result<void>();
    if (!result.is_error() && length.value() == 0 && !(flags & kAtEmptyPath))
        result = Errno::NOENT;
    if (!result.is_error()) {
        proc::ExecArgs args;
        result = args.add_from_user(argv.address(), envp.address());
        if (!result.is_error())
            result = proc::exec_current(dirfd, StringView(path, length.value()), args, flags);
    }
    mm::kfree(path);
    TRY(result);
    return 0;
}

} // namespace

Result<i32> sys_execve(mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp) { return exec(-100 /* AT_FDCWD */, path, argv, envp, 0); }

Result<i32> sys_execveat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp, u32 flags)
{
    return exec(dirfd, path, argv, envp, flags);
}

} // namespace sys
