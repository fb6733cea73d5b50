// Permission checks (man 7 path_resolution "Permissions", man 2 access, man 2 chmod/chown, man 2 unlink on the
// sticky bit). The caller's filesystem ids (fsuid, fsgid and the supplementary groups) decide; a caller with
// fsuid 0 stands for CAP_DAC_OVERRIDE, CAP_FOWNER and CAP_CHOWN until capabilities exist.
#pragma once

#include "fs/inode.hpp"
#include "proc/credentials.hpp"

namespace fs {

using proc::Credentials;

inline bool is_fs_root(const Credentials& credentials) { return credentials.fsuid == 0; }
// Whether `gid` is the caller's fsgid or one of its supplementary groups.
bool in_group(const Credentials& credentials, u32 gid);
// The caller owns the inode, or has CAP_FOWNER (inode_owner_or_capable).
bool owner_or_root(const Inode& inode, const Credentials& credentials);

// `mask` of kMayRead | kMayWrite | kMayExec against the inode's mode (generic_permission): the owner class if
// fsuid owns it, else the group class if in its group, else other. Root passes read and write always, and
// execute when the file is a directory or has any execute bit. EACCES otherwise.
Result<void> check_permission(const Inode& inode, u32 mask, const Credentials& credentials);

// Whether the caller may remove or replace `victim` in `dir` as far as the sticky bit goes (check_sticky):
// in a sticky directory only the owner of the file, the owner of the directory, or root may.
bool sticky_allows(const Inode& dir, const Inode& victim, const Credentials& credentials);

// Checks for removing or renaming away `victim` from `dir` (may_delete), in Linux's order: write and search on
// dir (EACCES), the sticky rule (EPERM), the type the caller expects (`want_dir`: ENOTDIR, else EISDIR), and
// that it is not a mount point (EBUSY).
Result<void> may_delete(const Inode& dir, const Inode& victim, bool want_dir, const Credentials& credentials);

// Credentials as access(2) sees them: the real uid and gid stand in for the filesystem ones.
Credentials with_real_ids(const Credentials& credentials);

} // namespace fs
