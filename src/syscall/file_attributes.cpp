// A file's attributes: mode (man 2 chmod), owner (man 2 chown, with i386's 16-bit calls), times (man 2 utime,
// utimes, futimesat, utimensat), access checks (man 2 access), size (man 2 truncate, fallocate).
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i64 kNanosecondsPerSecond = 1000000000;

// A 16-bit id of the old calls: (u16)-1 still means "leave alone" (low2highuid).
u32 high_id(u32 id)
{
    u16 low = static_cast<u16>(id);
    return low == 0xffff ? 0xffffffff : low;
}

Result<void> chown_at(i32 dirfd, mm::UserIn<char> path, u32 uid, u32 gid, u32 flags)
{
    if (flags & ~(fs::kAtSymlinkNoFollow | fs::kAtEmptyPath))
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path, flags & fs::kAtEmptyPath));
    auto caller = file_caller();
    return fs::fchownat(caller, dirfd, text, uid, gid, flags);
}

// The two times of utimes and futimesat: struct timeval, microseconds in [0, 1000000) (EINVAL otherwise).
Result<void> copy_timevals(mm::UserIn<Timeval32> address, fs::TimeSpec (&times)[2])
{
    Timeval32 values[2];
    TRY(mm::copy_array_from_user(values, address, 2));
    for (int i = 0; i < 2; ++i) {
        if (values[i].microseconds < 0 || values[i].microseconds >= 1000000)
            return Errno::INVAL;
        times[i] = fs::TimeSpec { values[i].seconds, i64 { values[i].microseconds } * 1000 };
    }
    return {};
}

// utimensat with either timespec width. A null path with a real descriptor acts on that descriptor
// (do_utimes: futimens, EINVAL with any flag); otherwise the path is walked.
Result<void> utimens(i32 dirfd, mm::UserIn<char> path, const fs::TimeSpec* times, u32 flags)
{
    if (times) {
        for (int i = 0; i < 2; ++i) {
            i64 ns = times[i].nanoseconds;
            if (ns != fs::kUtimeNow && ns != fs::kUtimeOmit && (ns < 0 || ns >= kNanosecondsPerSecond))
                return Errno::INVAL;
        }
    }
    auto caller = file_caller();
    if (path.is_null() && dirfd != fs::kAtFdCwd) {
        if (flags)
            return Errno::INVAL;
        return fs::futimens(caller, dirfd, times);
    }
    if (flags & ~(fs::kAtSymlinkNoFollow | fs::kAtEmptyPath))
        return Errno::INVAL;
    if (times && times[0].nanoseconds == fs::kUtimeOmit && times[1].nanoseconds == fs::kUtimeOmit)
        return {}; // nothing to change: Linux returns before looking at the path
    UserPath name;
    StringView text = TRY(name.copy(path, flags & fs::kAtEmptyPath));
    return fs::utimensat(caller, dirfd, text, times, flags);
}

Result<void> utimes_at(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timeval32> times)
{
    fs::TimeSpec values[2];
    if (!times.is_null())
        TRY(copy_timevals(times, values));
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::utimensat(caller, dirfd, text, times.is_null() ? nullptr : values, 0);
}

Result<void> access_at(i32 dirfd, mm::UserIn<char> path, u32 mode, u32 flags)
{
    if (mode & ~u32 { 7 })
        return Errno::INVAL;
    if (flags & ~(fs::kAtEAccess | fs::kAtSymlinkNoFollow | fs::kAtEmptyPath))
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path, flags & fs::kAtEmptyPath));
    auto caller = file_caller();
    return fs::faccessat(caller, dirfd, text, mode, flags);
}

Result<void> truncate_path(mm::UserIn<char> path, i64 length)
{
    if (length < 0)
        return Errno::INVAL;
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::truncate(caller, text, length);
}

Result<void> truncate_fd(i32 fd, i64 length)
{
    auto caller = file_caller();
    // do_sys_ftruncate: EBADF first, then EINVAL for a negative length.
    TRY(caller.fds.get(fd));
    if (length < 0)
        return Errno::INVAL;
    return fs::ftruncate(caller, fd, length);
}

} // namespace

Result<void> sys_fchmodat(i32 dirfd, mm::UserIn<char> path, u32 mode)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::fchmodat(caller, dirfd, text, mode, 0);
}

Result<void> sys_chmod(mm::UserIn<char> path, u32 mode) { return sys_fchmodat(fs::kAtFdCwd, path, mode); }

Result<void> sys_fchmod(i32 fd, u32 mode)
{
    auto caller = file_caller();
    return fs::fchmod(caller, fd, mode);
}

// On i386, chown (182) follows symlinks and lchown (16) does not; both take 16-bit ids, as does fchown (95).
Result<void> sys_chown16(mm::UserIn<char> path, u32 uid, u32 gid)
{
    return chown_at(fs::kAtFdCwd, path, high_id(uid), high_id(gid), 0);
}
Result<void> sys_lchown16(mm::UserIn<char> path, u32 uid, u32 gid)
{
    return chown_at(fs::kAtFdCwd, path, high_id(uid), high_id(gid), fs::kAtSymlinkNoFollow);
}
Result<void> sys_fchown16(i32 fd, u32 uid, u32 gid) { return sys_fchown32(fd, high_id(uid), high_id(gid)); }

Result<void> sys_chown32(mm::UserIn<char> path, u32 uid, u32 gid) { return chown_at(fs::kAtFdCwd, path, uid, gid, 0); }
Result<void> sys_lchown32(mm::UserIn<char> path, u32 uid, u32 gid)
{
    return chown_at(fs::kAtFdCwd, path, uid, gid, fs::kAtSymlinkNoFollow);
}

Result<void> sys_fchown32(i32 fd, u32 uid, u32 gid)
{
    auto caller = file_caller();
    return fs::fchown(caller, fd, uid, gid);
}

Result<void> sys_fchownat(i32 dirfd, mm::UserIn<char> path, u32 uid, u32 gid, u32 flags)
{
    return chown_at(dirfd, path, uid, gid, flags);
}

// utime(2): struct utimbuf in whole seconds, or null for now.
Result<void> sys_utime(mm::UserIn<char> path, mm::UserIn<Utimbuf32> times)
{
    fs::TimeSpec values[2];
    if (!times.is_null()) {
        Utimbuf32 buffer;
        TRY(mm::copy_from_user(buffer, times));
        values[0] = fs::TimeSpec { buffer.actime, 0 };
        values[1] = fs::TimeSpec { buffer.modtime, 0 };
    }
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::utimensat(caller, fs::kAtFdCwd, text, !times.is_null() ? values : nullptr, 0);
}

Result<void> sys_utimes(mm::UserIn<char> path, mm::UserIn<Timeval32> times)
{
    return utimes_at(fs::kAtFdCwd, path, times);
}
Result<void> sys_futimesat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timeval32> times)
{
    return utimes_at(dirfd, path, times);
}

// utimensat(2) with the old 32-bit timespec.
Result<void> sys_utimensat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timespec32> times, u32 flags)
{
    fs::TimeSpec values[2];
    if (!times.is_null()) {
        Timespec32 raw[2];
        TRY(mm::copy_array_from_user(raw, times, 2));
        for (int i = 0; i < 2; ++i)
            values[i] = fs::TimeSpec { raw[i].seconds, raw[i].nanoseconds };
    }
    return utimens(dirfd, path, !times.is_null() ? values : nullptr, flags);
}

Result<void> sys_utimensat_time64(i32 dirfd, mm::UserIn<char> path, mm::UserIn<Timespec64> times, u32 flags)
{
    fs::TimeSpec values[2];
    if (!times.is_null()) {
        Timespec64 raw[2];
        TRY(mm::copy_array_from_user(raw, times, 2));
        for (int i = 0; i < 2; ++i) {
            // A 32-bit program's tv_nsec is a 32-bit long: the upper half is padding (get_timespec64).
            values[i] = fs::TimeSpec { raw[i].seconds, static_cast<i32>(raw[i].nanoseconds) };
        }
    }
    return utimens(dirfd, path, !times.is_null() ? values : nullptr, flags);
}

Result<void> sys_access(mm::UserIn<char> path, u32 mode) { return access_at(fs::kAtFdCwd, path, mode, 0); }
Result<void> sys_faccessat(i32 dirfd, mm::UserIn<char> path, u32 mode) { return access_at(dirfd, path, mode, 0); }
Result<void> sys_faccessat2(i32 dirfd, mm::UserIn<char> path, u32 mode, u32 flags)
{
    return access_at(dirfd, path, mode, flags);
}

Result<void> sys_truncate(mm::UserIn<char> path, i32 length) { return truncate_path(path, length); }
Result<void> sys_ftruncate(i32 fd, i32 length) { return truncate_fd(fd, length); }
Result<void> sys_truncate64(mm::UserIn<char> path, u32 length_low, u32 length_high)
{
    return truncate_path(path, join_halves(length_low, length_high));
}
Result<void> sys_ftruncate64(i32 fd, u32 length_low, u32 length_high)
{
    return truncate_fd(fd, join_halves(length_low, length_high));
}

// fallocate(2), mode 0 only: tmpfs allocates pages as they are written, so reserving space is extending the
// size when the range reaches past it (vfs_fallocate's checks, in its order).
Result<void> sys_fallocate(i32 fd, i32 mode, u32 offset_low, u32 offset_high, u32 length_low, u32 length_high)
{
    i64 offset = join_halves(offset_low, offset_high), length = join_halves(length_low, length_high);
    auto file = TRY(open_file_of(fd));
    if (offset < 0 || length <= 0)
        return Errno::INVAL;
    if (mode != 0)
        return Errno::OPNOTSUPP; // no hole punching, zeroing, collapsing or inserting ranges
    if (!file->writable())
        return Errno::BADF;
    u32 type = file->inode().mode();
    if (fs::is_fifo(type))
        return Errno::SPIPE;
    if (fs::is_dir(type))
        return Errno::ISDIR;
    if (!fs::is_reg(type))
        return Errno::NODEV;
    i64 end;
    if (__builtin_add_overflow(offset, length, &end) || static_cast<u64>(end) > fs::kMaxFileSize)
        return Errno::FBIG;
    if (static_cast<u64>(end) <= file->inode().attributes().size)
        return {};
    auto caller = file_caller();
    return fs::ftruncate(caller, fd, end);
}

} // namespace sys
