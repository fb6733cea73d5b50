// The file system calls' handlers and ABI structures (stat64, statx, linux_dirent64, ...): open, stat,
// directories, names, attributes, descriptors and mounts. The structures are Linux's i386 layouts
// (asm/stat.h, linux/stat.h, asm-generic/statfs.h, asm-generic/fcntl.h), packed to 4-byte alignment so that
// the host build (where a u64 aligns to 8) lays them out as i386 does; test/abi checks them against Linux's.
#pragma once

#include "fs/open_file.hpp"
#include "lib/result.hpp"
#include "lib/string.hpp"
#include "mm/uaccess.hpp"
#include "mm/vector.hpp"

namespace sys {

struct IoVec;

// struct stat (asm/stat.h, i386): the pre-LFS one of stat(2), lstat(2), fstat(2).
struct OldStat {
    u32 dev;
    u32 ino;
    u16 mode, nlink, uid, gid;
    u32 rdev, size, blksize, blocks;
    u32 atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    u32 unused4, unused5;
};
static_assert(sizeof(OldStat) == 64);

// struct stat64 (asm/stat.h, i386), with its glibc-2.1 padding around the device numbers.
struct [[gnu::packed, gnu::aligned(4)]] Stat64
{
    u64 dev;
    u8 pad0[4];
    u32 short_ino; // __st_ino: the inode number cut to 32 bits
    u32 mode, nlink, uid, gid;
    u64 rdev;
    u8 pad3[4];
    i64 size;
    u32 blksize;
    u64 blocks;
    u32 atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    u64 ino;
};
static_assert(sizeof(Stat64) == 96);

// struct statx and struct statx_timestamp (linux/stat.h).
struct StatxTimestamp {
    i64 seconds;
    u32 nanoseconds;
    i32 reserved;
};
static_assert(sizeof(StatxTimestamp) == 16);
struct Statx {
    u32 mask, blksize;
    u64 attributes;
    u32 nlink, uid, gid;
    u16 mode, spare0;
    u64 ino, size, blocks, attributes_mask;
    StatxTimestamp atime, btime, ctime, mtime;
    u32 rdev_major, rdev_minor, dev_major, dev_minor;
    u64 mnt_id;
    u32 dio_mem_align, dio_offset_align;
    u64 spare3[12];
};
static_assert(sizeof(Statx) == 256);

// struct statfs and struct statfs64 (asm-generic/statfs.h with i386's 32-bit __statfs_word).
struct StatFs32 {
    u32 type, bsize, blocks, bfree, bavail, files, ffree;
    i32 fsid[2];
    u32 namelen, frsize, flags, spare[4];
};
static_assert(sizeof(StatFs32) == 64);
struct [[gnu::packed, gnu::aligned(4)]] StatFs64
{
    u32 type, bsize;
    u64 blocks, bfree, bavail, files, ffree;
    i32 fsid[2];
    u32 namelen, frsize, flags, spare[4];
};
static_assert(sizeof(StatFs64) == 84);

// struct flock and struct flock64 (asm-generic/fcntl.h, i386: 32-bit off_t, 4-byte aligned loff_t).
struct Flock32 {
    i16 type, whence;
    i32 start, len;
    i32 pid;
};
static_assert(sizeof(Flock32) == 16);
struct [[gnu::packed, gnu::aligned(4)]] Flock64
{
    i16 type, whence;
    i64 start, len;
    i32 pid;
};
static_assert(sizeof(Flock64) == 24);

// struct linux_dirent64's and the old struct linux_dirent's fixed heads (the name follows; the old one keeps
// d_type in the record's last byte).
struct [[gnu::packed, gnu::aligned(4)]] Dirent64Head
{
    u64 ino;
    i64 off;
    u16 reclen;
    u8 type;
};
static_assert(sizeof(Dirent64Head) == 20);
struct DirentHead {
    u32 ino, off;
    u16 reclen;
};
static_assert(sizeof(DirentHead) == 12);

// struct utimbuf (linux/utime.h) with i386's 32-bit time_t.
struct Utimbuf32 {
    i32 actime, modtime;
};
static_assert(sizeof(Utimbuf32) == 8);

// --- shared by the file handlers ---

// A path (or other string argument) copied from user memory into a PATH_MAX kmalloc'd buffer, freed with it.
class UserPath {
public:
    // EFAULT for a bad pointer, ENAMETOOLONG when no NUL comes within PATH_MAX bytes, ENOENT for "" unless
    // `may_be_empty` (AT_EMPTY_PATH: the VFS then acts on the dirfd).
    Result<StringView> copy(mm::UserIn<char> address, bool may_be_empty = false);

private:
    mm::Vector<char> m_buffer; // PATH_MAX is too much for a kernel stack, and a call may hold two (rename)
};

// The open file `fd` names for the calling process; EBADF.
Result<RefPtr<fs::OpenFile>> open_file_of(i32 fd);

// The 64-bit value i386 passes in two registers, low word first.
inline i64 join_halves(u32 low, u32 high) { return static_cast<i64>((static_cast<u64>(high) << 32) | low); }

// syscall/file_open.cpp
Result<i32> sys_open(mm::UserIn<char> path, u32 flags, u32 mode);
Result<i32> sys_openat(i32 dirfd, mm::UserIn<char> path, u32 flags, u32 mode);
Result<i32> sys_creat(mm::UserIn<char> path, u32 mode);
Result<i32> sys_lseek(i32 fd, i32 offset, u32 whence);
Result<void> sys_llseek(i32 fd, u32 offset_high, u32 offset_low, mm::UserOut<u64> result, u32 whence);

// syscall/file_io.cpp
Result<u32> sys_pread64(i32 fd, mm::UserOut<u8> buffer, u32 count, u32 offset_low, u32 offset_high);
Result<u32> sys_pwrite64(i32 fd, mm::UserIn<u8> buffer, u32 count, u32 offset_low, u32 offset_high);
Result<u32> sys_preadv(i32 fd, mm::UserIn<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high);
Result<u32> sys_pwritev(i32 fd, mm::UserIn<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high);
Result<u32> sys_sendfile(i32 out_fd, i32 in_fd, mm::UserInOut<i32> offset, u32 count);
Result<u32> sys_sendfile64(i32 out_fd, i32 in_fd, mm::UserInOut<i64> offset, u32 count);

// syscall/file_stat.cpp
Result<void> sys_stat(mm::UserIn<char> path, mm::UserOut<OldStat> buffer);
Result<void> sys_lstat(mm::UserIn<char> path, mm::UserOut<OldStat> buffer);
Result<void> sys_fstat(i32 fd, mm::UserOut<OldStat> buffer);
Result<void> sys_stat64(mm::UserIn<char> path, mm::UserOut<Stat64> buffer);
Result<void> sys_lstat64(mm::UserIn<char> path, mm::UserOut<Stat64> buffer);
Result<void> sys_fstat64(i32 fd, mm::UserOut<Stat64> buffer);
Result<void> sys_fstatat64(i32 dirfd, mm::UserIn<char> path, mm::UserOut<Stat64> buffer, u32 flags);
Result<void> sys_statx(i32 dirfd, mm::UserIn<char> path, u32 flags, u32 mask, mm::UserOut<Statx> buffer);
Result<void> sys_statfs(mm::UserIn<char> path, mm::UserOut<StatFs32> buffer);
Result<void> sys_fstatfs(i32 fd, mm::UserOut<StatFs32> buffer);
Result<void> sys_statfs64(mm::UserIn<char> path, u32 size, mm::UserOut<StatFs64> buffer);
Result<void> sys_fstatfs64(i32 fd, u32 size, mm::UserOut<StatFs64> buffer);

// syscall/file_names.cpp
Result<void> sys_mkdir(mm::UserIn<char> path, u32 mode);
Result<void> sys_mkdirat(i32 dirfd, mm::UserIn<char> path, u32 mode);
Result<void> sys_rmdir(mm::UserIn<char> path);
Result<void> sys_unlink(mm::UserIn<char> path);
Result<void> sys_unlinkat(i32 dirfd, mm::UserIn<char> path, u32 flags);
Result<void> sys_rename(mm::UserIn<char> old_path, mm::UserIn<char> new_path);
Result<void> sys_renameat(i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path);
Result<void> sys_renameat2(
    i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path, u32 flags);
Result<void> sys_link(mm::UserIn<char> old_path, mm::UserIn<char> new_path);
Result<void> sys_linkat(i32 old_dirfd, mm::UserIn<char> old_path, i32 new_dirfd, mm::UserIn<char> new_path, u32 flags);
Result<void> sys_symlink(mm::UserIn<char> target, mm::UserIn<char> link_path);
Result<void> sys_symlinkat(mm::UserIn<char> target, i32 new_dirfd, mm::UserIn<char> link_path);
Result<u32> sys_readlink(mm::UserIn<char> path, mm::UserOut<u8> buffer, i32 size);
Result<u32> sys_readlinkat(i32 dirfd, mm::UserIn<char> path, mm::UserOut<u8> buffer, i32 size);
Result<void> sys_mknod(mm::UserIn<char> path, u32 mode, u32 dev);
Result<void> sys_mknodat(i32 dirfd, mm::UserIn<char> path, u32 mode, u32 dev);

// syscall/file_advice.cpp
Result<void> sys_fadvise64(i32 fd, u32 offset_low, u32 offset_high, u32 length, i32 advice);
Result<void> sys_fadvise64_64(i32 fd, u32 offset_low, u32 offset_high, u32 length_low, u32 length_high, i32 advice);

// syscall/xattr.cpp
Result<u32> sys_getxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size);
Result<u32> sys_lgetxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size);
Result<u32> sys_fgetxattr(i32 fd, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size);
Result<void> sys_setxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags);
Result<void> sys_lsetxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags);
Result<void> sys_fsetxattr(i32 fd, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags);
Result<u32> sys_listxattr(mm::UserIn<char> path, mm::UserOut<u8> names, u32 size);
Result<u32> sys_llistxattr(mm::UserIn<char> path, mm::UserOut<u8> names, u32 size);
Result<u32> sys_flistxattr(i32 fd, mm::UserOut<u8> names, u32 size);
Result<void> sys_removexattr(mm::UserIn<char> path, mm::UserIn<char> name);
Result<void> sys_lremovexattr(mm::UserIn<char> path, mm::UserIn<char> name);
Result<void> sys_fremovexattr(i32 fd, mm::UserIn<char> name);

// syscall/file_attributes.cpp
Result<void> sys_chmod(mm::UserIn<char> path, u32 mode);
Result<void> sys_fchmod(i32 fd, u32 mode);
Result<void> sys_fchmodat(i32 dirfd, mm::UserIn<char> path, u32 mode);
Result<void> sys_chown16(mm::UserIn<char> path, u32 uid, u32 gid);
Result<void> sys_lchown16(mm::UserIn<char> path, u32 uid, u32 gid);
Result<void> sys_fchown16(i32 fd, u32 uid, u32 gid);
Result<void> sys_chown32(mm::UserIn<char> path, u32 uid, u32 gid);
Result<void> sys_lchown32(mm::UserIn<char> path, u32 uid, u32 gid);
Result<void> sys_fchown32(i32 fd, u32 uid, u32 gid);
Result<void> sys_fchownat(i32 dirfd, mm::UserIn<char> path, u32 uid, u32 gid, u32 flags);
Result<void> sys_utime(mm::UserIn<char> path, mm::UserIn<Utimbuf32> times);
Result<void> sys_utimes(mm::UserIn<char> path, mm::UserIn<Timeval32> times);
Result<void> sys_futimesat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timeval32> times);
Result<void> sys_utimensat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timespec32> times, u32 flags);
Result<void> sys_utimensat_time64(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timespec64> times, u32 flags);
Result<void> sys_access(mm::UserIn<char> path, u32 mode);
Result<void> sys_faccessat(i32 dirfd, mm::UserIn<char> path, u32 mode);
Result<void> sys_faccessat2(i32 dirfd, mm::UserIn<char> path, u32 mode, u32 flags);
Result<void> sys_truncate(mm::UserIn<char> path, i32 length);
Result<void> sys_ftruncate(i32 fd, i32 length);
Result<void> sys_truncate64(mm::UserIn<char> path, u32 length_low, u32 length_high);
Result<void> sys_ftruncate64(i32 fd, u32 length_low, u32 length_high);
Result<void> sys_fallocate(i32 fd, i32 mode, u32 offset_low, u32 offset_high, u32 length_low, u32 length_high);

// syscall/file_descriptors.cpp
Result<i32> sys_dup(i32 fd);
Result<i32> sys_dup2(i32 old_fd, i32 new_fd);
Result<i32> sys_dup3(i32 old_fd, i32 new_fd, u32 flags);
Result<i32> sys_fcntl(i32 fd, u32 command, u32 argument);
Result<i32> sys_fcntl64(i32 fd, u32 command, u32 argument);
Result<void> sys_sync();
Result<void> sys_syncfs(i32 fd);
Result<void> sys_fsync(i32 fd);
Result<void> sys_fdatasync(i32 fd);

// syscall/file_locks.cpp: fcntl's POSIX record locks (F_GETLK, F_SETLK, F_SETLKW and their 64-bit forms).
// `wide` says whether `argument` points to a struct flock64 or a struct flock.
Result<i32> fcntl_lock(i32 fd, u32 command, u32 argument, bool wide);

// syscall/file_directories.cpp
Result<u32> sys_getdents(i32 fd, mm::UserOut<u8> buffer, u32 count);
Result<u32> sys_getdents64(i32 fd, mm::UserOut<u8> buffer, u32 count);
Result<void> sys_chdir(mm::UserIn<char> path);
Result<void> sys_fchdir(i32 fd);
Result<u32> sys_getcwd(mm::UserOut<u8> buffer, u32 size);
Result<void> sys_chroot(mm::UserIn<char> path);

// syscall/file_mount.cpp
Result<void> sys_mount(
    mm::UserIn<char> source, mm::UserIn<char> target, mm::UserIn<char> fs_type, u32 flags, mm::UserIn<char> data);
Result<void> sys_umount(mm::UserIn<char> target);
Result<void> sys_umount2(mm::UserIn<char> target, u32 flags);

} // namespace sys
