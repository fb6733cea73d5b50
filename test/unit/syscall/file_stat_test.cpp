// The stat family (stat, lstat, fstat, stat64, lstat64, fstat64, fstatat64, statx), statfs/statfs64, and the
// attribute calls (chmod, chown and the 16-bit forms, utime, utimes, futimesat, utimensat in both widths,
// access/faccessat/faccessat2, truncate/ftruncate and their 64-bit forms) checked through the structures a
// simulated program reads back.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kOpen = sys::nr("open"), kChmod = sys::nr("chmod"), kLchown16 = 16, kAccess = sys::nr("access"),
              kTruncate = sys::nr("truncate"), kFtruncate = sys::nr("ftruncate"), kFchmod = sys::nr("fchmod"),
              kFchown16 = 95, kStatfs = sys::nr("statfs"), kFstatfs = sys::nr("fstatfs"), kStat = sys::nr("stat"),
              kLstat = sys::nr("lstat"), kFstat = sys::nr("fstat"), kUtime = sys::nr("utime"), kChown16 = 182,
              kTruncate64 = sys::nr("truncate64"), kFtruncate64 = sys::nr("ftruncate64"), kStat64 = sys::nr("stat64"),
              kLstat64 = sys::nr("lstat64"), kFstat64 = sys::nr("fstat64"), kFchown32 = sys::nr("fchown32"),
              kChown32 = sys::nr("chown32"), kStatfs64 = sys::nr("statfs64"), kFstatfs64 = sys::nr("fstatfs64"),
              kUtimes = sys::nr("utimes"), kFchownat = sys::nr("fchownat"), kFutimesat = sys::nr("futimesat"),
              kFstatat64 = sys::nr("fstatat64"), kSymlink = sys::nr("symlink"), kFchmodat = sys::nr("fchmodat"),
              kFaccessat = sys::nr("faccessat"), kUtimensat = sys::nr("utimensat"), kMknod = sys::nr("mknod"),
              kStatx = sys::nr("statx"), kUtimensatTime64 = sys::nr("utimensat_time64"),
              kFaccessat2 = sys::nr("faccessat2"), kSetresuid32 = sys::nr("setresuid32");
constexpr u32 kORdWr = 2, kOCreat = 0100, kOPath = 010000000;
constexpr u32 kAtFdCwd = static_cast<u32>(-100), kAtSymlinkNoFollow = 0x100, kAtEmptyPath = 0x1000;
constexpr i32 kUtimeNow = (1 << 30) - 1, kUtimeOmit = (1 << 30) - 2;

sys::Stat64 stat64_of(u32 name, u32 out)
{
    REQUIRE(call(kStat64, name, out) == 0);
    return peek<sys::Stat64>(out);
}

} // namespace

TEST_CASE("stat64, lstat64, fstat64, fstatat64: the fields of a file, a directory and a symlink", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/data", "/link" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, link = buffer + 256, out = buffer + kPage;
        poke_string(name, "/data");
        i32 fd = call(kOpen, name, kOCreat | kORdWr, 0640);
        REQUIRE(fd == 3);
        poke(buffer + 512, "12345", 5);
        REQUIRE(call(kSysWrite, 3, buffer + 512, 5) == 5);
        sys::Stat64 s = stat64_of(name, out);
        CHECK(s.mode == (0100000u | 0640));
        CHECK(s.nlink == 1);
        CHECK(s.uid == 0);
        CHECK(s.gid == 0);
        CHECK(s.size == 5);
        CHECK(s.ino != 0);
        CHECK(s.short_ino == static_cast<u32>(s.ino));
        CHECK(s.blksize == 4096);
        CHECK(s.dev != 0);
        CHECK(call(kFstat64, 3, out) == 0);
        CHECK(peek<sys::Stat64>(out).ino == s.ino);
        CHECK(peek<sys::Stat64>(out).size == 5);
        // A symlink: stat64 follows it, lstat64 does not.
        poke_string(link, "/link");
        REQUIRE(call(kSymlink, name, link) == 0);
        CHECK(stat64_of(link, out).ino == s.ino);
        REQUIRE(call(kLstat64, link, out) == 0);
        CHECK((peek<sys::Stat64>(out).mode & 0170000) == 0120000);
        CHECK(peek<sys::Stat64>(out).size == 5); // the target's length
        // fstatat64: relative to a directory descriptor, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH.
        poke_string(buffer + 600, "/");
        i32 root = call(kOpen, buffer + 600, kOPath, 0);
        poke_string(buffer + 700, "link");
        REQUIRE(call(kFstatat64, static_cast<u32>(root), buffer + 700, out, kAtSymlinkNoFollow) == 0);
        CHECK((peek<sys::Stat64>(out).mode & 0170000) == 0120000);
        REQUIRE(call(kFstatat64, static_cast<u32>(root), buffer + 700, out, 0) == 0);
        CHECK(peek<sys::Stat64>(out).ino == s.ino);
        poke_string(buffer + 800, "");
        CHECK(call(kFstatat64, 3, buffer + 800, out, 0) == err(Errno::NOENT));
        REQUIRE(call(kFstatat64, 3, buffer + 800, out, kAtEmptyPath) == 0);
        CHECK(peek<sys::Stat64>(out).ino == s.ino);
        CHECK(call(kFstatat64, 3, buffer + 700, out, 0) == err(Errno::NOTDIR));
        CHECK(call(kFstatat64, kAtFdCwd, buffer + 700, out, 0x8000) == err(Errno::INVAL));
        REQUIRE(call(kStat64, buffer + 600, out) == 0);
        CHECK((peek<sys::Stat64>(out).mode & 0170000) == 0040000);
        // Errors: missing, empty, bad pointers.
        poke_string(buffer + 900, "/nope");
        CHECK(call(kStat64, buffer + 900, out) == err(Errno::NOENT));
        CHECK(call(kStat64, buffer + 800, out) == err(Errno::NOENT));
        CHECK(call(kStat64, name, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kStat64, 0xC0000000, out) == err(Errno::FAULT));
        CHECK(call(kFstat64, 40, out) == err(Errno::BADF));
    });
}

TEST_CASE("stat, lstat, fstat: the old struct stat, and EOVERFLOW for a size past 2 GiB", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/old" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, out = buffer + kPage;
        poke_string(name, "/old");
        i32 fd = call(kOpen, name, kOCreat | kORdWr | 0100000, 0600);
        REQUIRE(fd == 3);
        REQUIRE(call(kFtruncate, 3, 1234) == 0);
        // The old structure holds an 8:8 device number (old_valid_dev); the sim never reuses anonymous ones,
        // so after enough machines the root's does not fit.
        u32 dev = static_cast<u32>(stat64_of(name, out).dev);
        if (fs::dev_major(dev) >= 256 || fs::dev_minor(dev) >= 256) {
            CHECK(call(kStat, name, out) == err(Errno::OVERFLOW));
            return;
        }
        REQUIRE(call(kStat, name, out) == 0);
        sys::OldStat s = peek<sys::OldStat>(out);
        CHECK(s.dev == dev);
        CHECK(s.mode == (0100000u | 0600));
        CHECK(s.size == 1234);
        CHECK(s.nlink == 1);
        CHECK(s.ino == static_cast<u32>(stat64_of(name, buffer + 2 * kPage).ino));
        CHECK(call(kLstat, name, out) == 0);
        CHECK(call(kFstat, 3, out) == 0);
        CHECK(peek<sys::OldStat>(out).size == 1234);
        REQUIRE(call(kFtruncate64, 3, 0, 1) == 0);
        CHECK(call(kStat, name, out) == err(Errno::OVERFLOW));
        CHECK(call(kFstat, 3, out) == err(Errno::OVERFLOW));
        CHECK(stat64_of(name, out).size == 0x100000000ll);
    });
}

TEST_CASE("statx: the basic fields and the mask, the sync flags, EINVAL for bad flags", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/x" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, out = buffer + kPage, st = buffer + 2 * kPage;
        poke_string(name, "/x");
        REQUIRE(call(kOpen, name, kOCreat | kORdWr, 0604) == 3);
        REQUIRE(call(kFtruncate, 3, 777) == 0);
        sys::Stat64 s = stat64_of(name, st);
        REQUIRE(call(kStatx, kAtFdCwd, name, 0, 0x7ff, out) == 0);
        sys::Statx x = peek<sys::Statx>(out);
        CHECK((x.mask & 0x7ff) == 0x7ff);
        CHECK(x.mode == (0100000u | 0604));
        CHECK(x.size == 777);
        CHECK(x.ino == s.ino);
        CHECK(x.nlink == 1);
        CHECK(x.blksize == 4096);
        CHECK(x.mtime.seconds == s.mtime);
        CHECK(x.mtime.nanoseconds == s.mtime_nsec);
        CHECK(x.dev_major == fs::dev_major(static_cast<u32>(s.dev)));
        CHECK(x.dev_minor == fs::dev_minor(static_cast<u32>(s.dev)));
        CHECK(call(kStatx, kAtFdCwd, name, 0x2000 /* FORCE_SYNC */, 0x7ff, out) == 0);
        CHECK(call(kStatx, kAtFdCwd, name, 0x4000 /* DONT_SYNC */, 0x7ff, out) == 0);
        CHECK(call(kStatx, kAtFdCwd, name, 0x6000, 0x7ff, out) == err(Errno::INVAL));
        CHECK(call(kStatx, kAtFdCwd, name, 0, 0x80000000, out) == err(Errno::INVAL));
        CHECK(call(kStatx, kAtFdCwd, name, 0x10, 0x7ff, out) == err(Errno::INVAL));
        poke_string(buffer + 100, "");
        REQUIRE(call(kStatx, 3, buffer + 100, kAtEmptyPath, 0x7ff, out) == 0);
        CHECK(peek<sys::Statx>(out).ino == s.ino);
        CHECK(call(kStatx, 3, buffer + 100, 0, 0x7ff, out) == err(Errno::NOENT));
    });
}

TEST_CASE("statfs, fstatfs, statfs64, fstatfs64: tmpfs's magic and counts", "[syscall][file]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch();
        u32 name = buffer, out = buffer + kPage;
        poke_string(name, "/");
        REQUIRE(call(kStatfs64, name, sizeof(sys::StatFs64), out) == 0);
        sys::StatFs64 wide = peek<sys::StatFs64>(out);
        CHECK(wide.type == 0x01021994u);
        CHECK(wide.bsize == 4096);
        CHECK(wide.frsize == 4096);
        CHECK(wide.namelen == 255);
        CHECK((wide.flags & 0x20) != 0); // ST_VALID
        CHECK(wide.bavail == wide.bfree);
        CHECK(call(kStatfs64, name, 88, out) == err(Errno::INVAL));
        REQUIRE(call(kFstatfs64, 0, sizeof(sys::StatFs64), out) == 0);
        CHECK(peek<sys::StatFs64>(out).type == 0x01021994u); // the console node lives on the root tmpfs
        REQUIRE(call(kStatfs, name, out) == 0);
        sys::StatFs32 narrow = peek<sys::StatFs32>(out);
        CHECK(narrow.type == 0x01021994u);
        CHECK(narrow.namelen == 255);
        CHECK(narrow.blocks == wide.blocks);
        CHECK(call(kFstatfs, 1, out) == 0);
        poke_string(buffer + 64, "/none");
        CHECK(call(kStatfs, buffer + 64, out) == err(Errno::NOENT));
        CHECK(call(kFstatfs, 50, out) == err(Errno::BADF));
        CHECK(call(kStatfs, name, 0xC0000000) == err(Errno::FAULT));
    });
}

TEST_CASE("chmod, fchmod, fchmodat, chown forms: stat64 shows the changes; -1 leaves an id", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/owned", "/owned-link" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, link = buffer + 128, out = buffer + kPage;
        poke_string(name, "/owned");
        REQUIRE(call(kOpen, name, kOCreat | kORdWr, 0600) == 3);
        CHECK(call(kChmod, name, 0751) == 0);
        CHECK((stat64_of(name, out).mode & 07777) == 0751);
        CHECK(call(kFchmod, 3, 0640) == 0);
        CHECK((stat64_of(name, out).mode & 07777) == 0640);
        CHECK(call(kFchmodat, kAtFdCwd, name, 0444) == 0);
        CHECK((stat64_of(name, out).mode & 07777) == 0444);
        CHECK(call(kFchmod, 33, 0) == err(Errno::BADF));
        CHECK(call(kChown32, name, 1000, 2000) == 0);
        CHECK(stat64_of(name, out).uid == 1000);
        CHECK(stat64_of(name, out).gid == 2000);
        CHECK(call(kChown32, name, 0xffffffff, 3000) == 0);
        CHECK(stat64_of(name, out).uid == 1000);
        CHECK(stat64_of(name, out).gid == 3000);
        CHECK(call(kFchown32, 3, 5, 0xffffffff) == 0);
        CHECK(stat64_of(name, out).uid == 5);
        CHECK(stat64_of(name, out).gid == 3000);
        // The 16-bit calls: 0xffff is "unchanged", the upper half is ignored.
        CHECK(call(kChown16, name, 0xffff, 7) == 0);
        CHECK(stat64_of(name, out).uid == 5);
        CHECK(stat64_of(name, out).gid == 7);
        CHECK(call(kFchown16, 3, 0x10009, 0xffff) == 0);
        CHECK(stat64_of(name, out).uid == 9);
        // lchown acts on the link itself, chown on its target.
        poke_string(link, "/owned-link");
        REQUIRE(call(kSymlink, name, link) == 0);
        CHECK(call(kLchown16, link, 44, 45) == 0);
        REQUIRE(call(kLstat64, link, out) == 0);
        CHECK(peek<sys::Stat64>(out).uid == 44);
        CHECK(stat64_of(name, out).uid == 9);
        CHECK(call(kFchownat, kAtFdCwd, link, 60, 61, kAtSymlinkNoFollow) == 0);
        REQUIRE(call(kLstat64, link, out) == 0);
        CHECK(peek<sys::Stat64>(out).gid == 61);
        CHECK(call(kFchownat, kAtFdCwd, link, 60, 61, 0x4) == err(Errno::INVAL));
        // An unprivileged owner may not give the file away.
        REQUIRE(call(kSetresuid32, 9, 9, 0) == 0); // the saved id lets root come back
        CHECK(call(kChown32, name, 10, 0xffffffff) == err(Errno::PERM));
        CHECK(call(kChmod, name, 0777) == 0); // but may chmod its own file
        poke_string(buffer + 512, "/");
        CHECK(call(kChmod, buffer + 512, 0777) == err(Errno::PERM));
        REQUIRE(call(kSetresuid32, 0, 0, 0) == 0);
    });
}

TEST_CASE("utimensat (both widths), utime, utimes, futimesat: the times stat64 reports", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/t" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, times = buffer + 256, out = buffer + kPage;
        poke_string(name, "/t");
        REQUIRE(call(kOpen, name, kOCreat | kORdWr, 0600) == 3);
        poke(times, sys::Timespec32 { 1000, 5 });
        poke(times + 8, sys::Timespec32 { 2000, 6 });
        CHECK(call(kUtimensat, kAtFdCwd, name, times, 0) == 0);
        sys::Stat64 s = stat64_of(name, out);
        CHECK(s.atime == 1000);
        CHECK(s.atime_nsec == 5);
        CHECK(s.mtime == 2000);
        CHECK(s.mtime_nsec == 6);
        // time64: a 64-bit seconds field; UTIME_OMIT leaves atime.
        poke(times, sys::Timespec64 { 0, kUtimeOmit });
        poke(times + 16, sys::Timespec64 { 0x100000000ll, 7 });
        CHECK(call(kUtimensatTime64, kAtFdCwd, name, times, 0) == 0);
        s = stat64_of(name, out);
        CHECK(s.atime == 1000);
        CHECK(s.mtime == 0); // the 32-bit field holds the low word of 2^32
        poke_string(buffer + 512, "");
        REQUIRE(call(kStatx, 3, buffer + 512, kAtEmptyPath, 0x7ff, buffer + 2 * kPage) == 0);
        CHECK(peek<sys::Statx>(buffer + 2 * kPage).mtime.seconds == 0x100000000ll);
        // Seconds past what i64 nanoseconds hold are clamped, not overflowed (the host fuzzer's UBSan find).
        poke(times, sys::Timespec64 { -0x4080000000000000ll, 0 });
        poke(times + 16, sys::Timespec64 { 0x7FFFFFFFFFFFFFFFll, 999999999 });
        CHECK(call(kUtimensatTime64, kAtFdCwd, name, times, 0) == 0);
        REQUIRE(call(kStatx, 3, buffer + 512, kAtEmptyPath, 0x7ff, buffer + 2 * kPage) == 0);
        CHECK(peek<sys::Statx>(buffer + 2 * kPage).mtime.seconds == 9223372036ll);
        CHECK(peek<sys::Statx>(buffer + 2 * kPage).atime.seconds == -9223372037ll);
        // A null path with a descriptor is futimens; flags are EINVAL there.
        poke(times, sys::Timespec32 { 3000, 0 });
        poke(times + 8, sys::Timespec32 { 4000, 0 });
        CHECK(call(kUtimensat, 3, 0, times, 0) == 0);
        CHECK(stat64_of(name, out).mtime == 4000);
        CHECK(call(kUtimensat, 3, 0, times, kAtSymlinkNoFollow) == err(Errno::INVAL));
        poke(times + 8, sys::Timespec32 { 4000, 1000000000 });
        CHECK(call(kUtimensat, kAtFdCwd, name, times, 0) == err(Errno::INVAL));
        poke(times, sys::Timespec32 { 0, kUtimeOmit });
        poke(times + 8, sys::Timespec32 { 0, kUtimeOmit });
        CHECK(call(kUtimensat, kAtFdCwd, name, times, 0) == 0);
        CHECK(call(kUtimensat, kAtFdCwd, name, times, 0x2) == err(Errno::INVAL));
        poke(times + 8, sys::Timespec32 { 0, kUtimeNow });
        CHECK(call(kUtimensat, kAtFdCwd, name, times, 0) == 0);
        CHECK(stat64_of(name, out).mtime != 4000);
        // utime: whole seconds; utimes and futimesat: microseconds.
        poke(times, sys::Utimbuf32 { 11, 22 });
        CHECK(call(kUtime, name, times) == 0);
        s = stat64_of(name, out);
        CHECK(s.atime == 11);
        CHECK(s.mtime == 22);
        CHECK(s.mtime_nsec == 0);
        CHECK(call(kUtime, name, 0) == 0);
        CHECK(stat64_of(name, out).mtime != 22);
        poke(times, sys::Timeval32 { 33, 1 });
        poke(times + 8, sys::Timeval32 { 44, 2 });
        CHECK(call(kUtimes, name, times) == 0);
        s = stat64_of(name, out);
        CHECK(s.atime == 33);
        CHECK(s.atime_nsec == 1000);
        CHECK(s.mtime == 44);
        CHECK(s.mtime_nsec == 2000);
        poke(times + 8, sys::Timeval32 { 55, 0 });
        poke_string(buffer + 600, "t");
        poke_string(buffer + 700, "/");
        i32 root = call(kOpen, buffer + 700, kOPath, 0);
        CHECK(call(kFutimesat, static_cast<u32>(root), buffer + 600, times) == 0);
        CHECK(stat64_of(name, out).mtime == 55);
        poke(times + 8, sys::Timeval32 { 55, 1000000 });
        CHECK(call(kUtimes, name, times) == err(Errno::INVAL));
        CHECK(call(kUtimes, name, 0xC0000000) == err(Errno::FAULT));
    });
}

TEST_CASE("access, faccessat, faccessat2: modes, flags, and the real ids", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/acc" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, root = buffer + 128;
        poke_string(name, "/acc");
        REQUIRE(call(kOpen, name, kOCreat | kORdWr, 0600) == 3);
        poke_string(root, "/");
        CHECK(call(kAccess, name, 0) == 0);
        CHECK(call(kAccess, name, 6) == 0);
        CHECK(call(kAccess, name, 8) == err(Errno::INVAL));
        poke_string(buffer + 256, "/missing");
        CHECK(call(kAccess, buffer + 256, 0) == err(Errno::NOENT));
        CHECK(call(kFaccessat, kAtFdCwd, name, 4) == 0);
        CHECK(call(kFaccessat2, kAtFdCwd, name, 4, 0x200 /* AT_EACCESS */) == 0);
        CHECK(call(kFaccessat2, kAtFdCwd, name, 4, 0x8) == err(Errno::INVAL));
        poke_string(buffer + 300, "");
        CHECK(call(kFaccessat2, 3, buffer + 300, 4, kAtEmptyPath) == 0);
        REQUIRE(call(kSetresuid32, 1000, 1000, 0) == 0); // the saved id lets root come back
        CHECK(call(kAccess, name, 4) == err(Errno::ACCES));
        CHECK(call(kAccess, name, 0) == 0);
        CHECK(call(kAccess, root, 1) == 0);
        REQUIRE(call(kSetresuid32, 0, 0, 0) == 0);
    });
}

TEST_CASE("truncate, ftruncate, truncate64, ftruncate64: sizes and errors", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/tr", "/r" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer, out = buffer + kPage;
        poke_string(name, "/tr");
        REQUIRE(call(kOpen, name, kOCreat | kORdWr, 0600) == 3);
        CHECK(call(kTruncate, name, 300) == 0);
        CHECK(stat64_of(name, out).size == 300);
        CHECK(call(kFtruncate, 3, 20) == 0);
        CHECK(stat64_of(name, out).size == 20);
        CHECK(call(kTruncate64, name, 5, 1) == 0);
        CHECK(stat64_of(name, out).size == 0x100000005ll);
        CHECK(call(kFtruncate64, 3, 9, 0) == 0);
        CHECK(stat64_of(name, out).size == 9);
        CHECK(call(kTruncate, name, static_cast<u32>(-1)) == err(Errno::INVAL));
        CHECK(call(kFtruncate, 3, static_cast<u32>(-1)) == err(Errno::INVAL));
        CHECK(call(kFtruncate64, 3, 0, 0x80000000) == err(Errno::INVAL));
        CHECK(call(kFtruncate, 40, 0) == err(Errno::BADF));
        poke_string(buffer + 100, "/");
        CHECK(call(kTruncate, buffer + 100, 0) == err(Errno::ISDIR));
        poke_string(buffer + 200, "/r");
        i32 reader = call(kOpen, name, 0, 0);
        CHECK(call(kFtruncate, static_cast<u32>(reader), 0) == err(Errno::INVAL));
        CHECK(call(kMknod, buffer + 200, 0010644, 0) == 0); // a FIFO
        CHECK(call(kTruncate, buffer + 200, 0) == err(Errno::INVAL));
    });
}
