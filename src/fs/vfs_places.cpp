// The calls about places: chdir, fchdir, chroot, getcwd, getdents, mount and umount (fs/open.c, fs/d_path.c,
// fs/namespace.c).
#include "fs/vfs_lookup.hpp"

namespace fs {

using namespace detail;

Result<void> chdir(Caller& caller, StringView path)
{
    Path found = TRY(lookup_at(caller, kAtFdCwd, path, true, false));
    if (!found.inode->is_directory())
        return Errno::NOTDIR;
    TRY(check_permission(*found.inode, kMayExec, caller.credentials));
    caller.fs.set_cwd(std::move(found));
    return {};
}

Result<void> fchdir(Caller& caller, i32 fd)
{
    auto file = TRY(caller.fds.get(fd));
    if (!file->inode().is_directory())
        return Errno::NOTDIR;
    TRY(check_permission(file->inode(), kMayExec, caller.credentials));
    caller.fs.set_cwd(file->path());
    return {};
}

Result<void> chroot(Caller& caller, StringView path)
{
    Path found = TRY(lookup_at(caller, kAtFdCwd, path, true, false));
    if (!found.inode->is_directory())
        return Errno::NOTDIR;
    TRY(check_permission(*found.inode, kMayExec, caller.credentials));
    if (!is_fs_root(caller.credentials))
        return Errno::PERM; // CAP_SYS_CHROOT
    caller.fs.set_root(std::move(found));
    return {};
}

Result<usize> getcwd(Caller& caller, char* buffer, usize size) { return caller.fs.getcwd(buffer, size); }

Result<void> getdents(Caller& caller, i32 fd, DirEntrySink& sink)
{
    auto file = TRY(caller.fds.get(fd));
    return file->iterate(sink);
}

Result<void> mount(Caller& caller, StringView source, StringView target, StringView fs_type, u32 flags, StringView data)
{
    if (!is_fs_root(caller.credentials))
        return Errno::PERM; // CAP_SYS_ADMIN
    Path where = TRY(lookup_at(caller, kAtFdCwd, target, true, false));
    u32 mount_flags = flags & (kMsRdOnly | kMsNoSuid | kMsNoDev | kMsNoExec);
    if (flags & kMsRemount) {
        if (where.inode != where.mount->root())
            return Errno::INVAL;
        where.mount->set_flags(mount_flags);
        return {};
    }
    if (!where.inode->is_directory())
        return Errno::NOTDIR;
    if (flags & kMsBind) {
        Path what = TRY(lookup_at(caller, kAtFdCwd, source, true, false));
        if (!what.inode->is_directory())
            return Errno::NOTDIR; // binding files on files is not supported here
        TRY(Mount::attach(
            where, MountSource { RefPtr<Superblock>(&what.mount->superblock()), what.inode }, mount_flags));
        return {};
    }
    FileSystemType* type = find_filesystem(fs_type);
    if (!type)
        return Errno::NODEV;
    MountSource made = TRY(type->mount(source, data));
    TRY(Mount::attach(where, std::move(made), mount_flags));
    return {};
}

Result<void> umount(Caller& caller, StringView target, u32 flags)
{
    if (flags & ~(kMntForce | kMntDetach | kMntExpire | kUmountNoFollow))
        return Errno::INVAL;
    if (!is_fs_root(caller.credentials))
        return Errno::PERM;
    Path where = TRY(lookup_at(caller, kAtFdCwd, target, !(flags & kUmountNoFollow), false));
    if (where.inode != where.mount->root())
        return Errno::INVAL;
    RefPtr<Mount> mount = where.mount;
    where = Path();
    // Our one reference is `mount`; anyone else's (an open file, a cwd) makes it busy.
    return mount->detach(1, flags & kMntDetach);
}

} // namespace fs
