// The stat family (man 2 stat: the old struct stat, stat64, fstatat64), statx (man 2 statx) and statfs
// (man 2 statfs: struct statfs and statfs64): the VFS's Stat and StatFs turned into Linux's i386 structures.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i64 kNanosecondsPerSecond = 1000000000;
// statx(2) mask bits and flags (linux/stat.h, linux/fcntl.h).
constexpr u32 kStatxBasicStats = 0x7ff, kStatxMntId = 0x1000, kStatxReserved = 0x80000000;
constexpr u32 kAtStatxSyncType = 0x6000;
// statfs f_flags (ST_* in linux/statfs.h): ST_VALID says the others mean something.
constexpr u32 kStValid = 0x20, kStRdOnly = 1, kStNoSuid = 2, kStNoDev = 4, kStNoExec = 8;

u32 seconds_of(i64 ns) { return static_cast<u32>(ns / kNanosecondsPerSecond); }
u32 nanoseconds_of(i64 ns) { return static_cast<u32>(ns % kNanosecondsPerSecond); }

// Where a stat call's file is: a path (relative to dirfd, following a final symlink or not) or a descriptor.
Result<void> stat_at(i32 dirfd, mm::UserIn<char> path, u32 flags, fs::Stat& out)
{
    if (flags & ~(fs::kAtSymlinkNoFollow | fs::kAtEmptyPath | fs::kAtNoAutomount))
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path, flags & fs::kAtEmptyPath));
    auto caller = file_caller();
    return fs::fstatat(caller, dirfd, text, out, flags & (fs::kAtSymlinkNoFollow | fs::kAtEmptyPath));
}

Result<void> stat_fd(i32 fd, fs::Stat& out)
{
    auto caller = file_caller();
    return fs::fstat(caller, fd, out);
}

// cp_new_stat64(): everything fits.
Result<void> put_stat64(mm::UserOut<Stat64> buffer, const fs::Stat& s)
{
    Stat64 out {};
    out.dev = s.dev;
    out.short_ino = static_cast<u32>(s.ino);
    out.mode = s.mode;
    out.nlink = s.nlink;
    out.uid = s.uid;
    out.gid = s.gid;
    out.rdev = s.rdev;
    out.size = static_cast<i64>(s.size);
    out.blksize = s.blksize;
    out.blocks = s.blocks;
    out.atime = seconds_of(s.atime_ns);
    out.atime_nsec = nanoseconds_of(s.atime_ns);
    out.mtime = seconds_of(s.mtime_ns);
    out.mtime_nsec = nanoseconds_of(s.mtime_ns);
    out.ctime = seconds_of(s.ctime_ns);
    out.ctime_nsec = nanoseconds_of(s.ctime_ns);
    out.ino = s.ino;
    return mm::copy_to_user(buffer, out);
}

// A 16-bit id as the old calls report it: past 65535 it is the overflow id 65534 (high2lowuid).
u16 low_id(u32 id) { return id > 0xffff ? 65534 : static_cast<u16>(id); }

// cp_new_stat() on a 32-bit kernel: EOVERFLOW for a device number past the old 8+8 bits, an inode number,
// link count or size (MAX_NON_LFS) that does not fit.
Result<void> put_old_stat(mm::UserOut<OldStat> buffer, const fs::Stat& s)
{
    auto old_valid = [](u32 dev) { return fs::dev_major(dev) < 256 && fs::dev_minor(dev) < 256; };
    if (!old_valid(s.dev) || !old_valid(s.rdev))
        return Errno::OVERFLOW;
    if (s.ino > 0xffffffff || s.nlink > 0xffff || s.size > fs::kMaxNonLfsSize)
        return Errno::OVERFLOW;
    OldStat out {};
    out.dev = s.dev; // the old and new encodings agree below 256:256
    out.ino = static_cast<u32>(s.ino);
    out.mode = static_cast<u16>(s.mode);
    out.nlink = static_cast<u16>(s.nlink);
    out.uid = low_id(s.uid);
    out.gid = low_id(s.gid);
    out.rdev = s.rdev;
    out.size = static_cast<u32>(s.size);
    out.blksize = s.blksize;
    out.blocks = static_cast<u32>(s.blocks);
    out.atime = seconds_of(s.atime_ns);
    out.atime_nsec = nanoseconds_of(s.atime_ns);
    out.mtime = seconds_of(s.mtime_ns);
    out.mtime_nsec = nanoseconds_of(s.mtime_ns);
    out.ctime = seconds_of(s.ctime_ns);
    out.ctime_nsec = nanoseconds_of(s.ctime_ns);
    return mm::copy_to_user(buffer, out);
}

StatxTimestamp statx_time(i64 ns)
{
    i64 seconds = ns / kNanosecondsPerSecond, rest = ns % kNanosecondsPerSecond;
    if (rest < 0) {
        rest += kNanosecondsPerSecond;
        --seconds;
    }
    return StatxTimestamp { seconds, static_cast<u32>(rest), 0 };
}

// The place a statfs call asks about: the superblock of a path, or of a descriptor's file.
struct FsInfo {
    fs::StatFs stat;
    u32 mount_flags;
    u32 dev;
};

FsInfo info_of(const fs::OpenFile& file)
{
    FsInfo info {};
    file.inode().superblock().statfs(info.stat);
    info.mount_flags = file.path().mount->flags();
    info.dev = file.inode().superblock().dev();
    return info;
}

Result<FsInfo> statfs_path(mm::UserIn<char> path)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    // An O_PATH open finds the place without any permission on the file itself (user_path_at in statfs).
    auto file = TRY(fs::open_file(caller, fs::kAtFdCwd, text, fs::kOPath, 0));
    return info_of(*file);
}

Result<FsInfo> statfs_fd(i32 fd)
{
    auto file = TRY(open_file_of(fd));
    return info_of(*file);
}

u32 statfs_flags(u32 mount_flags)
{
    u32 flags = kStValid;
    flags |= (mount_flags & fs::kMsRdOnly) ? kStRdOnly : 0;
    flags |= (mount_flags & fs::kMsNoSuid) ? kStNoSuid : 0;
    flags |= (mount_flags & fs::kMsNoDev) ? kStNoDev : 0;
    flags |= (mount_flags & fs::kMsNoExec) ? kStNoExec : 0;
    return flags;
}

Result<void> put_statfs64(mm::UserOut<StatFs64> buffer, const FsInfo& info)
{
    const fs::StatFs& s = info.stat;
    StatFs64 out {};
    out.type = s.type;
    out.bsize = s.block_size;
    out.blocks = s.blocks;
    out.bfree = s.blocks_free;
    out.bavail = s.blocks_free;
    out.files = s.files;
    out.ffree = s.files_free;
    out.fsid[0] = static_cast<i32>(info.dev);
    out.namelen = s.name_max;
    out.frsize = s.block_size;
    out.flags = statfs_flags(info.mount_flags);
    return mm::copy_to_user(buffer, out);
}

// put_compat_statfs() rules on a 32-bit kernel: EOVERFLOW when a count does not fit 32 bits.
Result<void> put_statfs32(mm::UserOut<StatFs32> buffer, const FsInfo& info)
{
    const fs::StatFs& s = info.stat;
    for (u64 value : { s.blocks, s.blocks_free, s.files, s.files_free }) {
        if (value > 0xffffffff)
            return Errno::OVERFLOW;
    }
    StatFs32 out {};
    out.type = s.type;
    out.bsize = s.block_size;
    out.blocks = static_cast<u32>(s.blocks);
    out.bfree = static_cast<u32>(s.blocks_free);
    out.bavail = static_cast<u32>(s.blocks_free);
    out.files = static_cast<u32>(s.files);
    out.ffree = static_cast<u32>(s.files_free);
    out.fsid[0] = static_cast<i32>(info.dev);
    out.namelen = s.name_max;
    out.frsize = s.block_size;
    out.flags = statfs_flags(info.mount_flags);
    return mm::copy_to_user(buffer, out);
}

} // namespace

Result<void> sys_stat(mm::UserIn<char> path, mm::UserOut<OldStat> buffer)
{
    fs::Stat s;
    TRY(stat_at(fs::kAtFdCwd, path, 0, s));
    return put_old_stat(buffer, s);
}

Result<void> sys_lstat(mm::UserIn<char> path, mm::UserOut<OldStat> buffer)
{
    fs::Stat s;
    TRY(stat_at(fs::kAtFdCwd, path, fs::kAtSymlinkNoFollow, s));
    return put_old_stat(buffer, s);
}

Result<void> sys_fstat(i32 fd, mm::UserOut<OldStat> buffer)
{
    fs::Stat s;
    TRY(stat_fd(fd, s));
    return put_old_stat(buffer, s);
}

Result<void> sys_stat64(mm::UserIn<char> path, mm::UserOut<Stat64> buffer)
{
    fs::Stat s;
    TRY(stat_at(fs::kAtFdCwd, path, 0, s));
    return put_stat64(buffer, s);
}

Result<void> sys_lstat64(mm::UserIn<char> path, mm::UserOut<Stat64> buffer)
{
    fs::Stat s;
    TRY(stat_at(fs::kAtFdCwd, path, fs::kAtSymlinkNoFollow, s));
    return put_stat64(buffer, s);
}

Result<void> sys_fstat64(i32 fd, mm::UserOut<Stat64> buffer)
{
    fs::Stat s;
    TRY(stat_fd(fd, s));
    return put_stat64(buffer, s);
}

Result<void> sys_fstatat64(i32 dirfd, mm::UserIn<char> path, mm::UserOut<Stat64> buffer, u32 flags)
{
    fs::Stat s;
    TRY(stat_at(dirfd, path, flags, s));
    return put_stat64(buffer, s);
}

// statx(2): the basic stats and the mount id are always known here, whatever `mask` asks (the mask only says
// what the caller needs); btime is not kept, so its bit stays clear. The AT_STATX_* sync flags mean nothing
// for tmpfs, but both at once are EINVAL.
Result<void> sys_statx(i32 dirfd, mm::UserIn<char> path, u32 flags, u32 mask, mm::UserOut<Statx> buffer)
{
    if (mask & kStatxReserved)
        return Errno::INVAL;
    if ((flags & kAtStatxSyncType) == kAtStatxSyncType)
        return Errno::INVAL;
    if (flags & ~(fs::kAtSymlinkNoFollow | fs::kAtEmptyPath | fs::kAtNoAutomount | kAtStatxSyncType))
        return Errno::INVAL;
    fs::Stat s;
    TRY(stat_at(dirfd, path, flags & ~kAtStatxSyncType, s));
    Statx out {};
    out.mask = kStatxBasicStats | kStatxMntId;
    out.blksize = s.blksize;
    out.nlink = s.nlink;
    out.uid = s.uid;
    out.gid = s.gid;
    out.mode = static_cast<u16>(s.mode);
    out.ino = s.ino;
    out.size = s.size;
    out.blocks = s.blocks;
    out.atime = statx_time(s.atime_ns);
    out.mtime = statx_time(s.mtime_ns);
    out.ctime = statx_time(s.ctime_ns);
    out.rdev_major = fs::dev_major(s.rdev);
    out.rdev_minor = fs::dev_minor(s.rdev);
    out.dev_major = fs::dev_major(s.dev);
    out.dev_minor = fs::dev_minor(s.dev);
    out.mnt_id = s.dev; // one mount per superblock here: its device names it
    return mm::copy_to_user(buffer, out);
}

Result<void> sys_statfs(mm::UserIn<char> path, mm::UserOut<StatFs32> buffer)
{
    return put_statfs32(buffer, TRY(statfs_path(path)));
}

Result<void> sys_fstatfs(i32 fd, mm::UserOut<StatFs32> buffer) { return put_statfs32(buffer, TRY(statfs_fd(fd))); }

// statfs64(2) takes the structure's size, which must be i386's (EINVAL otherwise).
Result<void> sys_statfs64(mm::UserIn<char> path, u32 size, mm::UserOut<StatFs64> buffer)
{
    if (size != sizeof(StatFs64))
        return Errno::INVAL;
    return put_statfs64(buffer, TRY(statfs_path(path)));
}

Result<void> sys_fstatfs64(i32 fd, u32 size, mm::UserOut<StatFs64> buffer)
{
    if (size != sizeof(StatFs64))
        return Errno::INVAL;
    return put_statfs64(buffer, TRY(statfs_fd(fd)));
}

} // namespace sys
