// The calls that read or change attributes: stat, chmod, chown, utimensat, truncate, access
// (fs/stat.c, fs/open.c chmod_common/chown_common/do_truncate/do_faccessat, fs/utimes.c, fs/attr.c).
#include "fs/vfs_lookup.hpp"
#include "kernel/clock.hpp"

namespace fs {

using namespace detail;

namespace {

constexpr u32 kUnchanged = 0xffffffffu;

Result<Path> path_of_fd(Caller& caller, i32 fd)
{
    auto file = TRY(caller.fds.get(fd));
    return file->path();
}

Result<void> chmod_common(Caller& caller, const Path& path, u32 mode)
{
    TRY(check_writable_mount(path));
    Inode& inode = *path.inode;
    if (!owner_or_root(inode, caller.credentials))
        return Errno::PERM;
    u32 permissions = mode & kPermissionBits;
    // A non-root caller cannot make a file set-group-ID for a group it is not in (man 2 chmod): the bit is
    // silently dropped.
    if (!is_fs_root(caller.credentials) && !in_group(caller.credentials, inode.attributes().gid))
        permissions &= ~kIsGid;
    SetAttr change;
    change.valid = SetAttr::kMode | SetAttr::kCtime;
    change.mode = permissions;
    change.ctime_ns = realtime_ns();
    return inode.setattr(change);
}

Result<void> chown_common(Caller& caller, const Path& path, u32 uid, u32 gid)
{
    TRY(check_writable_mount(path));
    Inode& inode = *path.inode;
    const auto& who = caller.credentials;
    const auto& a = inode.attributes();
    if (!is_fs_root(who)) {
        // chown_ok / chgrp_ok: the owner may keep the owner and pick a group it belongs to; nothing else.
        if (uid != kUnchanged && !(uid == a.uid && who.fsuid == a.uid))
            return Errno::PERM;
        if (gid != kUnchanged && !(who.fsuid == a.uid && (gid == a.gid || in_group(who, gid))))
            return Errno::PERM;
    }
    SetAttr change;
    change.valid = SetAttr::kCtime;
    change.ctime_ns = realtime_ns();
    if (uid != kUnchanged) {
        change.valid |= SetAttr::kUid;
        change.uid = uid;
    }
    if (gid != kUnchanged) {
        change.valid |= SetAttr::kGid;
        change.gid = gid;
    }
    if (!inode.is_directory()) {
        // chown kills set-user-ID, and set-group-ID when it means "run as group" (group execute set).
        u32 mode = a.mode & kPermissionBits;
        u32 kept = mode & ~kIsUid;
        if (mode & 0010)
            kept &= ~kIsGid;
        if (kept != mode) {
            change.valid |= SetAttr::kMode;
            change.mode = kept;
        }
    }
    return inode.setattr(change);
}

bool valid_time(const TimeSpec& time)
{
    if (time.nanoseconds == kUtimeNow || time.nanoseconds == kUtimeOmit)
        return true;
    return time.nanoseconds >= 0 && time.nanoseconds <= 999999999;
}

// Inode times are i64 nanoseconds, years 1678 to 2262: a time64 value beyond is clamped to the nearer end, as
// Linux clamps a time to its filesystem's range (timestamp_truncate) rather than fail the call.
i64 clamped_ns(const TimeSpec& time)
{
    constexpr i64 kLimit = 9223372036; // whole seconds that fit, either sign
    if (time.seconds >= kLimit)
        return 0x7FFFFFFFFFFFFFFFll;
    if (time.seconds <= -kLimit)
        return -0x7FFFFFFFFFFFFFFFll - 1;
    return time.seconds * 1000000000 + time.nanoseconds;
}

Result<void> utimes_common(Caller& caller, const Path& path, const TimeSpec* times)
{
    if (times && (!valid_time(times[0]) || !valid_time(times[1])))
        return Errno::INVAL;
    if (times && times[0].nanoseconds == kUtimeOmit && times[1].nanoseconds == kUtimeOmit)
        return {};
    TRY(check_writable_mount(path));
    Inode& inode = *path.inode;
    bool both_now = !times || (times[0].nanoseconds == kUtimeNow && times[1].nanoseconds == kUtimeNow);
    if (!owner_or_root(inode, caller.credentials)) {
        // Setting "now" needs only write access; any other time needs ownership (man 2 utimensat).
        if (!both_now)
            return Errno::PERM;
        TRY(check_permission(inode, kMayWrite, caller.credentials));
    }
    i64 now = realtime_ns();
    SetAttr change;
    change.valid = SetAttr::kCtime;
    change.ctime_ns = now;
    for (int i = 0; i < 2; ++i) {
        if (times && times[i].nanoseconds == kUtimeOmit)
            continue;
        i64 value = (!times || times[i].nanoseconds == kUtimeNow)
            ? now
            : clamped_ns(times[i]);
        if (i == 0) {
            change.valid |= SetAttr::kAtime;
            change.atime_ns = value;
        } else {
            change.valid |= SetAttr::kMtime;
            change.mtime_ns = value;
        }
    }
    return inode.setattr(change);
}

Result<void> truncate_inode(Inode& inode, u64 length)
{
    SetAttr change;
    change.valid = SetAttr::kSize;
    change.size = length;
    return inode.setattr(change);
}

} // namespace

Result<void> fstatat(Caller& caller, i32 dirfd, StringView path, Stat& out, u32 flags)
{
    if (flags & ~(kAtSymlinkNoFollow | kAtNoAutomount | kAtEmptyPath))
        return Errno::INVAL;
    Path found = TRY(lookup_at(caller, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    found.inode->stat(out);
    return {};
}

Result<void> fstat(Caller& caller, i32 fd, Stat& out)
{
    Path found = TRY(path_of_fd(caller, fd));
    found.inode->stat(out);
    return {};
}

Result<void> fchmodat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 flags)
{
    if (flags & ~(kAtSymlinkNoFollow | kAtEmptyPath))
        return Errno::INVAL;
    Path found = TRY(lookup_at(caller, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    if (found.inode->is_symlink())
        return Errno::OPNOTSUPP; // fchmodat2: symlink modes are meaningless
    return chmod_common(caller, found, mode);
}

Result<void> fchmod(Caller& caller, i32 fd, u32 mode)
{
    auto file = TRY(caller.fds.get(fd));
    if (file->is_path_only())
        return Errno::BADF;
    return chmod_common(caller, file->path(), mode);
}

Result<void> fchownat(Caller& caller, i32 dirfd, StringView path, u32 uid, u32 gid, u32 flags)
{
    if (flags & ~(kAtSymlinkNoFollow | kAtEmptyPath))
        return Errno::INVAL;
    Path found = TRY(lookup_at(caller, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    return chown_common(caller, found, uid, gid);
}

Result<void> fchown(Caller& caller, i32 fd, u32 uid, u32 gid)
{
    auto file = TRY(caller.fds.get(fd));
    if (file->is_path_only())
        return Errno::BADF;
    return chown_common(caller, file->path(), uid, gid);
}

Result<void> utimensat(Caller& caller, i32 dirfd, StringView path, const TimeSpec* times, u32 flags)
{
    // Both omitted: nothing to do, and Linux does not even look at the path or the flags.
    if (times && times[0].nanoseconds == kUtimeOmit && times[1].nanoseconds == kUtimeOmit)
        return {};
    if (flags & ~(kAtSymlinkNoFollow | kAtEmptyPath))
        return Errno::INVAL;
    Path found = TRY(lookup_at(caller, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    return utimes_common(caller, found, times);
}

Result<void> futimens(Caller& caller, i32 fd, const TimeSpec* times)
{
    Path found = TRY(path_of_fd(caller, fd));
    return utimes_common(caller, found, times);
}

Result<void> truncate(Caller& caller, StringView path, i64 length)
{
    if (length < 0)
        return Errno::INVAL;
    Path found = TRY(lookup_at(caller, kAtFdCwd, path, true, false));
    Inode& inode = *found.inode;
    if (inode.is_directory())
        return Errno::ISDIR;
    if (!inode.is_regular())
        return Errno::INVAL;
    TRY(check_writable_mount(found));
    TRY(check_permission(inode, kMayWrite, caller.credentials));
    if (inode.is_write_denied())
        return Errno::TXTBSY; // a running program's file
    if (static_cast<u64>(length) > kMaxFileSize)
        return Errno::FBIG;
    return truncate_inode(inode, static_cast<u64>(length));
}

Result<void> ftruncate(Caller& caller, i32 fd, i64 length)
{
    if (length < 0)
        return Errno::INVAL;
    auto file = TRY(caller.fds.get(fd));
    if (file->is_path_only())
        return Errno::BADF;
    if (!file->inode().is_regular() || !file->writable())
        return Errno::INVAL;
    if (static_cast<u64>(length) > kMaxFileSize)
        return Errno::FBIG;
    return truncate_inode(file->inode(), static_cast<u64>(length));
}

Result<void> faccessat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 flags)
{
    if (mode & ~u32 { 7 })
        return Errno::INVAL;
    if (flags & ~(kAtEAccess | kAtSymlinkNoFollow | kAtEmptyPath))
        return Errno::INVAL;
    // access(2) asks about the real ids, for the whole walk (do_faccessat's override_creds).
    Credentials ids = (flags & kAtEAccess) ? caller.credentials : with_real_ids(caller.credentials);
    Caller as_real { caller.fs, caller.fds, ids, caller.fd_limit };
    Path found = TRY(lookup_at(as_real, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    if (mode == 0)
        return {};
    Inode& inode = *found.inode;
    // EACCES first, then EROFS for what a read-only mount makes unwritable (do_faccessat's order).
    TRY(check_permission(inode, mode, ids));
    if ((mode & kMayWrite) && (inode.is_regular() || inode.is_directory() || inode.is_symlink()))
        TRY(check_writable_mount(found));
    return {};
}

} // namespace fs
