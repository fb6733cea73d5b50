// Names in directories (man 2 mkdir, mknod, unlink, rmdir, rename, link, symlink, readlink) and their *at
// forms: the paths copied from user memory, the VFS does the rest.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

Result<void> sys_mkdirat(i32 dirfd, mm::UserIn<char> path, u32 mode)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::mkdirat(caller, dirfd, text, mode);
}

Result<void> sys_mkdir(mm::UserIn<char> path, u32 mode) { return sys_mkdirat(fs::kAtFdCwd, path, mode); }

Result<void> sys_mknodat(i32 dirfd, mm::UserIn<char> path, u32 mode, u32 dev)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::mknodat(caller, dirfd, text, mode, dev);
}

Result<void> sys_mknod(mm::UserIn<char> path, u32 mode, u32 dev) { return sys_mknodat(fs::kAtFdCwd, path, mode, dev); }

// unlinkat(2): AT_REMOVEDIR makes it rmdir; any other flag is EINVAL (checked before the path, as Linux).
Result<void> sys_unlinkat(i32 dirfd, mm::UserIn<char> path, u32 flags)
{
    if (flags & ~fs::kAtRemoveDir)
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::unlinkat(caller, dirfd, text, flags);
}

Result<void> sys_unlink(mm::UserIn<char> path) { return sys_unlinkat(fs::kAtFdCwd, path, 0); }
Result<void> sys_rmdir(mm::UserIn<char> path) { return sys_unlinkat(fs::kAtFdCwd, path, fs::kAtRemoveDir); }

Result<void> sys_renameat2(
    i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path, u32 flags)
{
    UserPath old_name, new_name;
    StringView old_text = TRY(old_name.copy(old_path));
    StringView new_text = TRY(new_name.copy(new_path));
    auto caller = file_caller();
    return fs::renameat2(caller, old_dirfd, old_text, new_dirfd, new_text, flags);
}

Result<void> sys_renameat(i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path)
{
    return sys_renameat2(old_dirfd, old_path, new_dirfd, new_path, 0);
}

Result<void> sys_rename(mm::UserIn<char> old_path, mm::UserIn<char> new_path)
{
    return sys_renameat2(fs::kAtFdCwd, old_path, fs::kAtFdCwd, new_path, 0);
}

// linkat(2): AT_SYMLINK_FOLLOW and AT_EMPTY_PATH only (EINVAL otherwise, before any path is read).
Result<void> sys_linkat(i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path, u32 flags)
{
    if (flags & ~(fs::kAtSymlinkFollow | fs::kAtEmptyPath))
        return Errno::INVAL;
    UserPath old_name, new_name;
    StringView old_text = TRY(old_name.copy(old_path, flags & fs::kAtEmptyPath));
    StringView new_text = TRY(new_name.copy(new_path));
    auto caller = file_caller();
    return fs::linkat(caller, old_dirfd, old_text, new_dirfd, new_text, flags);
}

Result<void> sys_link(mm::UserIn<char> old_path, mm::UserIn<char> new_path)
{
    return sys_linkat(fs::kAtFdCwd, old_path, fs::kAtFdCwd, new_path, 0);
}

// symlinkat(2): the target is any non-empty string (ENOENT for "", as getname gives).
Result<void> sys_symlinkat(mm::UserIn<char> target, i32 new_dirfd, mm::UserIn<char> link_path)
{
    UserPath target_name, link_name;
    StringView target_text = TRY(target_name.copy(target));
    StringView link_text = TRY(link_name.copy(link_path));
    auto caller = file_caller();
    return fs::symlinkat(caller, target_text, new_dirfd, link_text);
}

Result<void> sys_symlink(mm::UserIn<char> target, mm::UserIn<char> link_path)
{
    return sys_symlinkat(target, fs::kAtFdCwd, link_path);
}

// readlinkat(2): EINVAL for a size that is not positive; the target, cut to `size` and without a NUL, is
// copied out. An empty path with a descriptor of a symlink (O_PATH|O_NOFOLLOW) reads that link.
Result<u32> sys_readlinkat(i32 dirfd, mm::UserIn<char> path, mm::UserOut<u8> buffer, i32 size)
{
    if (size <= 0)
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path, true));
    usize room = static_cast<usize>(size) < fs::kPathMax ? static_cast<usize>(size) : fs::kPathMax;
    mm::Vector<char> memory;
    TRY(memory.try_resize_uninitialised(room));
    char* target = memory.data();
    auto caller = file_caller();
    auto length = fs::readlinkat(caller, dirfd, text, target, room);
    // An empty path names the dirfd's file, which must be a symlink: ENOENT otherwise (do_readlinkat).
    if (length.is_error())
        return text.is_empty() && length.error() == Errno::INVAL ? Errno::NOENT : length.error();
    TRY(mm::copy_array_to_user(buffer.as<char>(), target, length.value()));
    return static_cast<u32>(length.value());
}

Result<u32> sys_readlink(mm::UserIn<char> path, mm::UserOut<u8> buffer, i32 size)
{
    return sys_readlinkat(fs::kAtFdCwd, path, buffer, size);
}

} // namespace sys
