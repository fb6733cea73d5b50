// The VFS calls, one per system call the syscall layer will expose, with Linux's checks in Linux's order. They
// take kernel strings and buffers (the syscall layer copies from and to user memory and fills ABI structs) and
// a Caller: who asks (credentials), from where (FsContext: root, cwd, umask) and with which descriptors.
// A dirfd is kAtFdCwd or a descriptor of a directory, used only for relative paths.
#pragma once

#include "fs/fd_table.hpp"
#include "fs/fs_context.hpp"
#include "fs/permission.hpp"

namespace fs {

struct Caller {
    FsContext& fs;
    FdTable& fds;
    const Credentials& credentials;
    u32 fd_limit { FdTable::kDefaultLimit }; // RLIMIT_NOFILE
};

// A time for utimensat: seconds and nanoseconds, or kUtimeNow / kUtimeOmit in nanoseconds.
struct TimeSpec {
    i64 seconds;
    i64 nanoseconds;
};

// --- opening ---
// open(2) without installing a descriptor: O_CREAT (mode & ~umask), O_EXCL (EEXIST even for a dangling
// symlink), O_TRUNC, O_DIRECTORY (ENOTDIR), O_NOFOLLOW (ELOOP on a final symlink), O_PATH, EISDIR for
// writing a directory, EACCES, EROFS, ENXIO for a device nobody serves. O_TMPFILE: EOPNOTSUPP.
Result<RefPtr<OpenFile>> open_file(Caller& caller, i32 dirfd, StringView path, u32 flags, u32 mode);
// openat(2): open_file, then the lowest free descriptor (O_CLOEXEC honoured). EMFILE.
Result<i32> openat(Caller& caller, i32 dirfd, StringView path, u32 flags, u32 mode);

// --- names ---
Result<void> mkdirat(Caller& caller, i32 dirfd, StringView path, u32 mode);
// mknodat(2): regular (type 0 too), FIFO, socket, and as root character and block devices. EPERM for a
// directory or a device by non-root, EINVAL for another type.
Result<void> mknodat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 dev);
// unlinkat(2): with kAtRemoveDir it is rmdir(2). EINVAL for other flags.
Result<void> unlinkat(Caller& caller, i32 dirfd, StringView path, u32 flags);
// renameat2(2), every case of man 2 rename, with kRenameNoReplace and kRenameExchange.
Result<void> renameat2(
    Caller& caller, i32 old_dirfd, StringView old_path, i32 new_dirfd, StringView new_path, u32 flags);
// linkat(2): kAtSymlinkFollow follows a final symlink in old_path; kAtEmptyPath links the dirfd's file.
Result<void> linkat(Caller& caller, i32 old_dirfd, StringView old_path, i32 new_dirfd, StringView new_path, u32 flags);
Result<void> symlinkat(Caller& caller, StringView target, i32 new_dirfd, StringView link_path);
// readlinkat(2): bytes copied (no NUL). EINVAL for a non-symlink or size 0.
Result<usize> readlinkat(Caller& caller, i32 dirfd, StringView path, char* buffer, usize size);

// --- attributes ---
// fstatat(2) (kAtSymlinkNoFollow, kAtEmptyPath) and fstat(2).
Result<void> fstatat(Caller& caller, i32 dirfd, StringView path, Stat& out, u32 flags);
Result<void> fstat(Caller& caller, i32 fd, Stat& out);
// fchmodat(2) and fchmod(2): owner or root (EPERM); non-root loses S_ISGID on a file of a group it is not in.
Result<void> fchmodat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 flags);
Result<void> fchmod(Caller& caller, i32 fd, u32 mode);
// fchownat(2) and fchown(2): an id of 0xffffffff leaves that id alone. Non-root may only change the group of
// its own file to a group it is in (EPERM otherwise). Clears S_ISUID (and S_ISGID with group execute) on a
// non-directory.
Result<void> fchownat(Caller& caller, i32 dirfd, StringView path, u32 uid, u32 gid, u32 flags);
Result<void> fchown(Caller& caller, i32 fd, u32 uid, u32 gid);
// utimensat(2): `times` null means both now. An empty path with kAtEmptyPath (or futimens) acts on dirfd.
Result<void> utimensat(Caller& caller, i32 dirfd, StringView path, const TimeSpec* times, u32 flags);
Result<void> futimens(Caller& caller, i32 fd, const TimeSpec* times);
// truncate(2): EINVAL for a negative length, EISDIR, EACCES, EROFS. ftruncate(2): EBADF, EINVAL when the fd
// is not open for writing or not a regular file.
Result<void> truncate(Caller& caller, StringView path, i64 length);
Result<void> ftruncate(Caller& caller, i32 fd, i64 length);
// faccessat(2): R_OK|W_OK|X_OK (or F_OK) with the real ids, or the effective ones with kAtEAccess.
Result<void> faccessat(Caller& caller, i32 dirfd, StringView path, u32 mode, u32 flags);

// --- extended attributes (man 7 xattr) ---
// The file a *xattr call names: (dirfd, path) followed unless kAtSymlinkNoFollow, or with kAtEmptyPath the
// descriptor's own file. A change needs a writable mount (EROFS), checked here as Linux does before the name.
Result<RefPtr<Inode>> xattr_file(Caller& caller, i32 dirfd, StringView path, u32 flags, bool change);
// No filesystem here keeps extended attributes, as Linux's ramfs keeps none: getting, setting or removing one
// is EOPNOTSUPP (what getfilecon and the ACL readers take as "not supported here") and the list of names is
// empty. The name is already checked (1..255 bytes).
Result<usize> get_xattr(Inode& inode, StringView name, u8* value, usize size);
Result<void> set_xattr(Inode& inode, StringView name, const u8* value, usize size, u32 flags);
Result<usize> list_xattr(Inode& inode, char* names, usize size);
Result<void> remove_xattr(Inode& inode, StringView name);

// --- directories and places ---
Result<void> chdir(Caller& caller, StringView path);
Result<void> fchdir(Caller& caller, i32 fd);
// chroot(2): root only (EPERM); the working directory stays where it is.
Result<void> chroot(Caller& caller, StringView path);
Result<usize> getcwd(Caller& caller, char* buffer, usize size);
// getdents: entries of the directory open at `fd` into `sink`, from its position.
Result<void> getdents(Caller& caller, i32 fd, DirEntrySink& sink);

// --- mounts ---
// mount(2), root only: a filesystem of type `fs_type` (ENODEV if unknown) on `target`, or with kMsBind the
// place `source` names, or with kMsRemount new flags for the mount at target.
Result<void> mount(
    Caller& caller, StringView source, StringView target, StringView fs_type, u32 flags, StringView data);
// umount2(2), root only: EINVAL when target is not a mount's root, EBUSY while in use or with submounts.
Result<void> umount(Caller& caller, StringView target, u32 flags);

} // namespace fs
