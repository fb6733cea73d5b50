// The VFS's vocabulary: file type and permission bits, open(2) and *at(2) flags with Linux's i386 values
// (asm-generic/fcntl.h, linux/stat.h, linux/fcntl.h), and the plain records (Stat, DirEntry) the syscall
// layer turns into ABI structures (stat64, statx, linux_dirent64).
#pragma once

#include "lib/string.hpp"
#include "lib/types.hpp"

namespace fs {

// File types (the S_IFMT field of st_mode) and permission bits (man 7 inode).
inline constexpr u32 kIfMt = 0170000, kIfSock = 0140000, kIfLnk = 0120000, kIfReg = 0100000, kIfBlk = 0060000,
                     kIfDir = 0040000, kIfChr = 0020000, kIfIfo = 0010000;
inline constexpr u32 kIsUid = 04000, kIsGid = 02000, kIsVtx = 01000;
inline constexpr u32 kPermissionBits = 07777;

inline constexpr bool is_dir(u32 mode) { return (mode & kIfMt) == kIfDir; }
inline constexpr bool is_reg(u32 mode) { return (mode & kIfMt) == kIfReg; }
inline constexpr bool is_lnk(u32 mode) { return (mode & kIfMt) == kIfLnk; }
inline constexpr bool is_chr(u32 mode) { return (mode & kIfMt) == kIfChr; }
inline constexpr bool is_blk(u32 mode) { return (mode & kIfMt) == kIfBlk; }
inline constexpr bool is_fifo(u32 mode) { return (mode & kIfMt) == kIfIfo; }
inline constexpr bool is_sock(u32 mode) { return (mode & kIfMt) == kIfSock; }

// Access masks for permission checks (MAY_EXEC, MAY_WRITE, MAY_READ; the same bits as access(2)'s X_OK...).
inline constexpr u32 kMayExec = 1, kMayWrite = 2, kMayRead = 4;

// open(2) flags, i386 values (asm-generic/fcntl.h).
inline constexpr u32 kORdOnly = 0, kOWrOnly = 1, kORdWr = 2, kOAccMode = 3;
inline constexpr u32 kOCreat = 0100, kOExcl = 0200, kONoCtty = 0400, kOTrunc = 01000, kOAppend = 02000,
                     kONonBlock = 04000, kODsync = 010000, kOAsync = 020000, kODirect = 040000, kOLargeFile = 0100000,
                     kODirectory = 0200000, kONoFollow = 0400000, kONoATime = 01000000, kOCloExec = 02000000,
                     kOSync = 04010000, kOPath = 010000000, kOTmpFile = 020200000;

// *at(2) flags (linux/fcntl.h) and the special directory descriptor.
inline constexpr i32 kAtFdCwd = -100;
inline constexpr u32 kAtSymlinkNoFollow = 0x100, kAtRemoveDir = 0x200, kAtEAccess = 0x200, kAtSymlinkFollow = 0x400,
                     kAtNoAutomount = 0x800, kAtEmptyPath = 0x1000;

// renameat2(2) flags.
inline constexpr u32 kRenameNoReplace = 1, kRenameExchange = 2, kRenameWhiteout = 4;

// lseek(2) whence.
inline constexpr u32 kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2, kSeekData = 3, kSeekHole = 4;

// utimensat(2): tv_nsec values that mean "now" and "leave alone".
inline constexpr i64 kUtimeNow = (i64 { 1 } << 30) - 1, kUtimeOmit = (i64 { 1 } << 30) - 2;

// poll(2) readiness bits (asm-generic/poll.h).
inline constexpr u32 kPollIn = 0x001, kPollPri = 0x002, kPollOut = 0x004, kPollErr = 0x008, kPollHup = 0x010,
                     kPollRdNorm = 0x040, kPollWrNorm = 0x100;

// Limits (linux/limits.h): PATH_MAX counts the NUL, NAME_MAX does not; MAXSYMLINKS (namei.h).
inline constexpr usize kPathMax = 4096, kNameMax = 255;
inline constexpr u32 kMaxSymlinks = 40;

// A file's size may not reach past this (MAX_LFS_FILESIZE for 4 KiB pages on a 32-bit kernel).
inline constexpr u64 kMaxFileSize = u64 { 0xffffffff } << 12;
// Without O_LARGEFILE a 32-bit program's off_t ends here (MAX_NON_LFS): opening a larger file is EOVERFLOW
// and writing past it EFBIG. musl always passes O_LARGEFILE; old binaries may not.
inline constexpr u64 kMaxNonLfsSize = 0x7fffffff;

// d_type values for getdents64 (DT_* in dirent.h): the file type bits shifted down.
inline constexpr u8 dirent_type(u32 mode) { return static_cast<u8>((mode & kIfMt) >> 12); }

// Device numbers as user programs see them (the 32-bit dev_t of mknod and stat: Linux's new_encode_dev).
inline constexpr u32 make_dev(u32 major, u32 minor)
{
    return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffu) << 12);
}
inline constexpr u32 dev_major(u32 dev) { return (dev >> 8) & 0xfff; }
inline constexpr u32 dev_minor(u32 dev) { return (dev & 0xff) | ((dev >> 12) & 0xfff00); }

// Everything stat64 and statx report, with nanosecond times; filled by Inode::stat().
struct Stat {
    u32 dev;
    u64 ino;
    u32 mode;
    u32 nlink;
    u32 uid;
    u32 gid;
    u32 rdev;
    u64 size;
    u32 blksize;
    u64 blocks; // 512-byte units
    i64 atime_ns;
    i64 mtime_ns;
    i64 ctime_ns;
};

// What attributes a setattr call changes (ATTR_* in linux/fs.h, the subset used here).
struct SetAttr {
    static constexpr u32 kMode = 1, kUid = 2, kGid = 4, kSize = 8, kAtime = 16, kMtime = 32, kCtime = 64;
    u32 valid { 0 };
    u32 mode { 0 };
    u32 uid { 0 };
    u32 gid { 0 };
    u64 size { 0 };
    i64 atime_ns { 0 };
    i64 mtime_ns { 0 };
    i64 ctime_ns { 0 };
};

// One directory entry produced by iteration. `next_offset` is the cookie that resumes after this entry
// (d_off of linux_dirent64). `name` is only valid during the callback.
struct DirEntry {
    u64 ino;
    u64 next_offset;
    u8 type;
    StringView name;
};

} // namespace fs
