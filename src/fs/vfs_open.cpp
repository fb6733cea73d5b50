// open(2) and the lookups every *at call starts with (fs/namei.c do_filp_open, path_openat, may_open).
#include "fs/vfs_lookup.hpp"

namespace fs {

namespace detail {

Result<Path> start_for(Caller& caller, i32 dirfd, StringView path)
{
    if (!path.is_empty() && path[0] == '/')
        return caller.fs.root();
    if (dirfd == kAtFdCwd)
        return caller.fs.cwd();
    auto file = TRY(caller.fds.get(dirfd));
    if (!path.is_empty() && !file->inode().is_directory())
        return Errno::NOTDIR;
    return file->path();
}

Result<Path> lookup_at(Caller& caller, i32 dirfd, StringView path, bool follow, bool empty_path_ok)
{
    if (path.is_empty()) {
        if (!empty_path_ok)
            return Errno::NOENT;
        return start_for(caller, dirfd, path);
    }
    Path start = TRY(start_for(caller, dirfd, path));
    return resolve_path(caller.fs.root(), start, path, follow, caller.credentials);
}

Result<void> parent_at(Caller& caller, i32 dirfd, StringView path, ParentAndName& out)
{
    if (path.is_empty())
        return Errno::NOENT;
    Path start = TRY(start_for(caller, dirfd, path));
    return resolve_parent(caller.fs.root(), start, path, caller.credentials, out);
}

Result<void> check_writable_mount(const Path& path)
{
    if (path.mount->is_read_only())
        return Errno::ROFS;
    return {};
}

} // namespace detail

using namespace detail;

namespace {

// Creates the regular file the walker stopped at (the O_CREAT half of open_last_lookups).
Result<Path> create_last(Caller& caller, PathWalker& walker, u32 mode)
{
    const Path& dir = walker.current();
    if (walker.trailing_slash())
        return Errno::ISDIR;
    TRY(check_writable_mount(dir));
    TRY(check_permission(*dir.inode, kMayWrite | kMayExec, caller.credentials));
    u32 gid = (dir.inode->mode() & kIsGid) ? dir.inode->attributes().gid : caller.credentials.fsgid;
    u32 permissions = mode & kPermissionBits & ~caller.fs.umask();
    auto inode = TRY(dir.inode->create(walker.last(), kIfReg | permissions, caller.credentials.fsuid, gid, 0));
    return Path { dir.mount, inode };
}

} // namespace

// The file with the name it was opened by, when that is a plain name in a directory.
RefPtr<OpenFile> named(RefPtr<OpenFile> file, const PathWalker& walker)
{
    if (walker.last_type() == LastType::Normal && !file->inode().is_directory())
        file->set_name(walker.current(), walker.last());
    return file;
}

Result<RefPtr<OpenFile>> open_file(Caller& caller, i32 dirfd, StringView path, u32 flags, u32 mode)
{
    if ((flags & kOTmpFile) == kOTmpFile)
        return Errno::OPNOTSUPP;
    // Linux 6.4 on: O_CREAT with O_DIRECTORY is meaningless and refused.
    if ((flags & kOCreat) && (flags & kODirectory) && !(flags & kOPath))
        return Errno::INVAL;
    if (flags & kOPath)
        flags &= kOPath | kODirectory | kONoFollow | kOCloExec;
    Path start = TRY(start_for(caller, dirfd, path));
    PathWalker walker(caller.fs.root(), start, caller.credentials);
    TRY(walker.begin(path));

    Path found;
    bool created = false;
    for (;;) {
        TRY(walker.walk_to_last());
        if ((flags & kOCreat) && walker.last_type() != LastType::Normal && walker.last_type() != LastType::Jumped) {
            // "." ".." or "/": an existing directory, which O_CREAT may not open.
            TRY(walker.lookup_last());
            return Errno::ISDIR;
        }
        auto lookup = walker.lookup_last();
        if (lookup.is_error()) {
            if (lookup.error() != Errno::NOENT || !(flags & kOCreat))
                return lookup.error();
            found = TRY(create_last(caller, walker, mode));
            created = true;
            break;
        }
        found = lookup.release_value();
        if ((flags & kOCreat) && (flags & kOExcl))
            return Errno::EXIST;
        if (walker.last_type() == LastType::Normal && found.inode->is_symlink()) {
            bool follow = !(flags & kONoFollow) || walker.trailing_slash();
            if (follow) {
                TRY(walker.follow_link(*found.inode));
                continue;
            }
        }
        break;
    }

    Inode& inode = *found.inode;
    if ((flags & kOCreat) && inode.is_directory())
        return Errno::ISDIR;
    if ((walker.trailing_slash() || (flags & kODirectory)) && !inode.is_directory())
        return Errno::NOTDIR;
    if (flags & kOPath)
        return named(TRY(OpenFile::create(std::move(found), flags, inode.file_operations())), walker);
    if (inode.is_symlink())
        return Errno::LOOP; // O_NOFOLLOW met a symlink

    u32 access = (flags & kOAccMode) == kORdOnly ? kMayRead
        : (flags & kOAccMode) == kOWrOnly        ? kMayWrite
                                                 : kMayRead | kMayWrite;
    if (flags & kOTrunc)
        access |= kMayWrite;
    if (inode.is_directory() && (access & kMayWrite))
        return Errno::ISDIR;
    if (!created) {
        if ((access & kMayWrite) && (inode.is_regular() || inode.is_directory()))
            TRY(check_writable_mount(found));
        TRY(check_permission(inode, access, caller.credentials));
    }

    FileOperations* operations = &inode.file_operations();
    if (is_chr(inode.mode()) || is_blk(inode.mode()) || is_fifo(inode.mode())) {
        if (!is_fifo(inode.mode()) && (found.mount->flags() & kMsNoDev))
            return Errno::ACCES;
        operations = resolve_special_file(inode.mode(), inode.attributes().rdev);
        if (!operations)
            return Errno::NXIO;
    } else if (is_sock(inode.mode())) {
        return Errno::NXIO;
    }

    // generic_file_open: a file too large for a 32-bit off_t needs O_LARGEFILE (checked before O_TRUNC acts).
    if (inode.is_regular() && !(flags & kOLargeFile) && inode.attributes().size > kMaxNonLfsSize)
        return Errno::OVERFLOW;
    // A running program's file cannot be opened for writing (checked again by OpenFile::create, which takes
    // the access; here so that O_TRUNC never cuts it first).
    if (inode.is_regular() && (flags & kOAccMode) != kORdOnly && !(flags & kOPath) && inode.is_write_denied())
        return Errno::TXTBSY;
    if ((flags & kOTrunc) && !created && inode.is_regular()) {
        SetAttr change;
        change.valid = SetAttr::kSize;
        change.size = 0;
        TRY(inode.setattr(change));
    }
    return named(TRY(OpenFile::create(std::move(found), flags, *operations)), walker);
}

Result<i32> openat(Caller& caller, i32 dirfd, StringView path, u32 flags, u32 mode)
{
    // Like get_unused_fd_flags, before the lookup: a full table creates nothing.
    TRY(caller.fds.lowest_free(caller.fd_limit));
    auto file = TRY(open_file(caller, dirfd, path, flags, mode));
    return caller.fds.install(std::move(file), flags & kOCloExec, caller.fd_limit);
}

} // namespace fs
