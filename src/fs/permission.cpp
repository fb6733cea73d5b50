// Unix permission bits as Linux applies them (fs/namei.c generic_permission, may_delete; fs/attr.c).
#include "fs/permission.hpp"

namespace fs {

bool in_group(const Credentials& credentials, u32 gid)
{
    if (credentials.fsgid == gid)
        return true;
    for (usize i = 0; i < credentials.group_count && i < Credentials::kMaxGroups; ++i) {
        if (credentials.groups[i] == gid)
            return true;
    }
    return false;
}

bool owner_or_root(const Inode& inode, const Credentials& credentials)
{
    return is_fs_root(credentials) || credentials.fsuid == inode.attributes().uid;
}

Result<void> check_permission(const Inode& inode, u32 mask, const Credentials& credentials)
{
    u32 mode = inode.mode();
    mask &= kMayRead | kMayWrite | kMayExec;
    if (is_fs_root(credentials)) {
        // CAP_DAC_OVERRIDE: everything but executing a file nobody may execute.
        if (!(mask & kMayExec) || is_dir(mode) || (mode & 0111))
            return {};
        return Errno::ACCES;
    }
    u32 granted;
    if (credentials.fsuid == inode.attributes().uid)
        granted = (mode >> 6) & 7;
    else if (in_group(credentials, inode.attributes().gid))
        granted = (mode >> 3) & 7;
    else
        granted = mode & 7;
    if ((granted & mask) != mask)
        return Errno::ACCES;
    return {};
}

bool sticky_allows(const Inode& dir, const Inode& victim, const Credentials& credentials)
{
    if (!(dir.mode() & kIsVtx))
        return true;
    return is_fs_root(credentials) || victim.attributes().uid == credentials.fsuid
        || dir.attributes().uid == credentials.fsuid;
}

Result<void> may_delete(const Inode& dir, const Inode& victim, bool want_dir, const Credentials& credentials)
{
    TRY(check_permission(dir, kMayWrite | kMayExec, credentials));
    if (!sticky_allows(dir, victim, credentials))
        return Errno::PERM;
    if (want_dir && !victim.is_directory())
        return Errno::NOTDIR;
    if (!want_dir && victim.is_directory())
        return Errno::ISDIR;
    if (victim.mount_count() > 0)
        return Errno::BUSY;
    return {};
}

Credentials with_real_ids(const Credentials& credentials)
{
    Credentials copy = credentials;
    copy.fsuid = credentials.uid;
    copy.fsgid = credentials.gid;
    return copy;
}

} // namespace fs
