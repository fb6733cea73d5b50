// The calls that make and remove names: mkdir, mknod, symlink, link, unlink, rmdir, rename (fs/namei.c
// filename_create, do_unlinkat, do_rmdir, do_renameat2, vfs_rename), and readlink.
#include "fs/vfs_lookup.hpp"

namespace fs {

using namespace detail;

namespace {

// filename_create: the parent of a name about to be made, checked. EEXIST for ".", "..", "/" or a name that
// exists; ENOENT for a trailing slash on anything but a directory; then EROFS, then EACCES.
Result<void> prepare_create(Caller& caller, i32 dirfd, StringView path, bool is_directory, ParentAndName& at)
{
    TRY(parent_at(caller, dirfd, path, at));
    if (at.type != LastType::Normal)
        return Errno::EXIST;
    auto existing = at.dir.inode->lookup(at.name_view());
    if (!existing.is_error())
        return Errno::EXIST;
    if (existing.error() != Errno::NOENT)
        return existing.error();
    if (at.trailing_slash && !is_directory)
        return Errno::NOENT;
    TRY(check_writable_mount(at.dir));
    TRY(check_permission(*at.dir.inode, kMayWrite | kMayExec, caller.credentials));
    return {};
}

// The group of a new file: the directory's when it is set-group-ID (man 2 mkdir, man 7 inode).
u32 group_for_new(const Caller& caller, const Inode& dir)
{
    return (dir.mode() & kIsGid) ? dir.attributes().gid : caller.credentials.fsgid;
}

// Whether `ancestor` is `dir` or above it within one filesystem (the loop check of rename).
Result<bool> is_ancestor(Inode& ancestor, Inode& dir)
{
    RefPtr<Inode> current(&dir);
    for (u32 steps = 0; steps < 65536; ++steps) {
        if (current.get() == &ancestor)
            return true;
        RefPtr<Inode> up = TRY(current->parent());
        if (up == current)
            return false;
        current = up;
    }
    return Errno::LOOP;
}

} // namespace

Result<void> mkdirat(Caller& caller, i32 dirfd, StringView path, u32 mode)
{
    ParentAndName at;
    TRY(prepare_create(caller, dirfd, path, true, at));
    Inode& dir = *at.dir.inode;
    u32 permissions = mode & (0777 | kIsVtx) & ~caller.fs.umask();
    if (dir.mode() & kIsGid)
        permissions |= kIsGid; // subdirectories inherit set-group-ID
    TRY(dir.mkdir(at.name_view(), permissions, caller.credentials.fsuid, group_for_new(caller, dir)));
    return {};
}

Result<void> mknodat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 dev)
{
    u32 type = mode & kIfMt;
    if (type == 0)
        type = kIfReg;
    switch (type) {
    case kIfReg:
    case kIfIfo:
    case kIfSock:
        dev = 0;
        break;
    case kIfChr:
    case kIfBlk:
        if (!is_fs_root(caller.credentials))
            return Errno::PERM; // CAP_MKNOD
        break;
    case kIfDir:
        return Errno::PERM;
    default:
        return Errno::INVAL;
    }
    ParentAndName at;
    TRY(prepare_create(caller, dirfd, path, false, at));
    Inode& dir = *at.dir.inode;
    u32 permissions = mode & kPermissionBits & ~caller.fs.umask();
    TRY(dir.create(at.name_view(), type | permissions, caller.credentials.fsuid, group_for_new(caller, dir), dev));
    return {};
}

Result<void> symlinkat(Caller& caller, StringView target, i32 new_dirfd, StringView link_path)
{
    if (target.is_empty())
        return Errno::NOENT;
    if (target.length() >= kPathMax)
        return Errno::NAMETOOLONG;
    ParentAndName at;
    TRY(prepare_create(caller, new_dirfd, link_path, false, at));
    Inode& dir = *at.dir.inode;
    TRY(dir.symlink(at.name_view(), target, caller.credentials.fsuid, group_for_new(caller, dir)));
    return {};
}

Result<void> linkat(Caller& caller, i32 old_dirfd, StringView old_path, i32 new_dirfd, StringView new_path, u32 flags)
{
    if (flags & ~(kAtSymlinkFollow | kAtEmptyPath))
        return Errno::INVAL;
    if ((flags & kAtEmptyPath) && old_path.is_empty() && !is_fs_root(caller.credentials))
        return Errno::NOENT; // CAP_DAC_READ_SEARCH
    Path old = TRY(lookup_at(caller, old_dirfd, old_path, flags & kAtSymlinkFollow, flags & kAtEmptyPath));
    ParentAndName at;
    TRY(prepare_create(caller, new_dirfd, new_path, false, at));
    if (old.mount != at.dir.mount)
        return Errno::XDEV;
    if (old.inode->is_directory())
        return Errno::PERM;
    TRY(at.dir.inode->link(at.name_view(), *old.inode));
    return {};
}

Result<usize> readlinkat(Caller& caller, i32 dirfd, StringView path, char* buffer, usize size)
{
    if (size == 0)
        return Errno::INVAL;
    Path link = TRY(lookup_at(caller, dirfd, path, false, true));
    if (!link.inode->is_symlink())
        return Errno::INVAL;
    return link.inode->readlink(buffer, size);
}

static Result<void> do_rmdir(Caller& caller, i32 dirfd, StringView path)
{
    ParentAndName at;
    TRY(parent_at(caller, dirfd, path, at));
    switch (at.type) {
    case LastType::Dot:
        return Errno::INVAL;
    case LastType::DotDot:
        return Errno::NOTEMPTY;
    case LastType::Root:
    case LastType::Jumped:
        return Errno::BUSY;
    case LastType::Normal:
        break;
    }
    TRY(check_writable_mount(at.dir));
    RefPtr<Inode> victim = TRY(at.dir.inode->lookup(at.name_view()));
    TRY(may_delete(*at.dir.inode, *victim, true, caller.credentials));
    return at.dir.inode->rmdir(at.name_view());
}

static Result<void> do_unlink(Caller& caller, i32 dirfd, StringView path)
{
    ParentAndName at;
    TRY(parent_at(caller, dirfd, path, at));
    if (at.type != LastType::Normal)
        return Errno::ISDIR;
    TRY(check_writable_mount(at.dir));
    RefPtr<Inode> victim = TRY(at.dir.inode->lookup(at.name_view()));
    if (at.trailing_slash)
        return victim->is_directory() ? Errno::ISDIR : Errno::NOTDIR;
    TRY(may_delete(*at.dir.inode, *victim, false, caller.credentials));
    return at.dir.inode->unlink(at.name_view());
}

Result<void> unlinkat(Caller& caller, i32 dirfd, StringView path, u32 flags)
{
    if (flags & ~kAtRemoveDir)
        return Errno::INVAL;
    if (flags & kAtRemoveDir)
        return do_rmdir(caller, dirfd, path);
    return do_unlink(caller, dirfd, path);
}

Result<void> renameat2(
    Caller& caller, i32 old_dirfd, StringView old_path, i32 new_dirfd, StringView new_path, u32 flags)
{
    if (flags & ~(kRenameNoReplace | kRenameExchange | kRenameWhiteout))
        return Errno::INVAL;
    if ((flags & kRenameNoReplace) && (flags & kRenameExchange))
        return Errno::INVAL;
    if (flags & kRenameWhiteout)
        return Errno::INVAL; // no overlay filesystems here
    bool exchange = flags & kRenameExchange;
    ParentAndName from;
    ParentAndName to;
    TRY(parent_at(caller, old_dirfd, old_path, from));
    TRY(parent_at(caller, new_dirfd, new_path, to));
    if (from.dir.mount != to.dir.mount)
        return Errno::XDEV;
    if (from.type != LastType::Normal)
        return Errno::BUSY;
    if (to.type != LastType::Normal)
        return (flags & kRenameNoReplace) ? Errno::EXIST : Errno::BUSY;
    TRY(check_writable_mount(from.dir));

    Inode& old_dir = *from.dir.inode;
    Inode& new_dir = *to.dir.inode;
    RefPtr<Inode> source = TRY(old_dir.lookup(from.name_view()));
    bool source_is_dir = source->is_directory();
    if (!source_is_dir && (from.trailing_slash || (!exchange && to.trailing_slash)))
        return Errno::NOTDIR;
    auto target_lookup = new_dir.lookup(to.name_view());
    if (target_lookup.is_error() && target_lookup.error() != Errno::NOENT)
        return target_lookup.error();
    RefPtr<Inode> target = target_lookup.is_error() ? RefPtr<Inode>() : target_lookup.release_value();
    if (exchange) {
        if (!target)
            return Errno::NOENT;
        if (!target->is_directory() && to.trailing_slash)
            return Errno::NOTDIR;
    } else if (target && (flags & kRenameNoReplace)) {
        return Errno::EXIST;
    }

    // Loops: the source may not become its own descendant, nor the target be an ancestor of the source's
    // parent (lock_rename's "trap").
    if (source_is_dir && TRY(is_ancestor(*source, new_dir)))
        return Errno::INVAL;
    if (target && target->is_directory() && TRY(is_ancestor(*target, old_dir)))
        return exchange ? Errno::INVAL : Errno::NOTEMPTY;

    // vfs_rename: two names of one file is a successful no-op.
    if (source == target)
        return {};
    TRY(may_delete(old_dir, *source, source_is_dir, caller.credentials));
    if (!target)
        TRY(check_permission(new_dir, kMayWrite | kMayExec, caller.credentials));
    else
        TRY(may_delete(new_dir, *target, exchange ? target->is_directory() : source_is_dir, caller.credentials));
    // A directory moving to another parent rewrites its "..": it must be writable itself.
    if (&old_dir != &new_dir) {
        if (source_is_dir)
            TRY(check_permission(*source, kMayWrite, caller.credentials));
        if (exchange && target->is_directory())
            TRY(check_permission(*target, kMayWrite, caller.credentials));
    }
    return old_dir.rename(from.name_view(), new_dir, to.name_view(), flags & (kRenameExchange | kRenameNoReplace));
}

} // namespace fs
