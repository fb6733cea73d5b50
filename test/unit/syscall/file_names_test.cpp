// Names and directories through the system-call table: mkdir/mkdirat, rmdir, unlink/unlinkat, rename and
// renameat/renameat2, link/linkat, symlink/symlinkat, readlink/readlinkat, mknod/mknodat, getdents and
// getdents64 (record layout, resuming, a buffer too small), chdir/fchdir/getcwd/chroot, mount/umount/umount2.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kOpen = sys::nr("open"), kClose = sys::nr("close"), kLink = sys::nr("link"), kUnlink = sys::nr("unlink"),
              kChdir = sys::nr("chdir"), kMknod = sys::nr("mknod"), kMount = sys::nr("mount"),
              kUmount = sys::nr("umount"), kRename = sys::nr("rename"), kMkdir = sys::nr("mkdir"),
              kRmdir = sys::nr("rmdir"), kUmount2 = sys::nr("umount2"), kChroot = sys::nr("chroot"),
              kSymlink = sys::nr("symlink"), kReadlink = sys::nr("readlink"), kFchdir = sys::nr("fchdir"),
              kGetdents = sys::nr("getdents"), kGetcwd = sys::nr("getcwd"), kStat64 = sys::nr("stat64"),
              kLstat64 = sys::nr("lstat64"), kGetdents64 = sys::nr("getdents64"), kMkdirat = sys::nr("mkdirat"),
              kMknodat = sys::nr("mknodat"), kUnlinkat = sys::nr("unlinkat"), kRenameat = sys::nr("renameat"),
              kLinkat = sys::nr("linkat"), kSymlinkat = sys::nr("symlinkat"), kReadlinkat = sys::nr("readlinkat"),
              kRenameat2 = sys::nr("renameat2"), kSetresuid32 = sys::nr("setresuid32");
constexpr u32 kODirectory = 0200000, kOCreat = 0100, kORdWr = 2;
constexpr u32 kAtFdCwd = static_cast<u32>(-100), kAtRemoveDir = 0x200;

bool exists(Strings& s, const std::string& path, u32 out) { return call(kLstat64, s(path), out) == 0; }

struct Entry {
    u64 ino;
    i64 off;
    u16 reclen;
    u8 type;
    std::string name;
};

// Parses linux_dirent64 records.
std::vector<Entry> parse64(u32 buffer, i32 length)
{
    std::vector<Entry> entries;
    for (i32 at = 0; at < length;) {
        auto head = peek<sys::Dirent64Head>(buffer + static_cast<u32>(at));
        Entry e { head.ino, head.off, head.reclen, head.type, peek_string(buffer + static_cast<u32>(at) + 19) };
        CHECK(head.reclen % 8 == 0);
        CHECK(head.reclen >= 19 + e.name.size() + 1);
        entries.push_back(e);
        at += head.reclen;
    }
    return entries;
}

} // namespace

TEST_CASE("mkdir, rmdir, unlink, rename, link, symlink, readlink, mknod and their *at forms", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m,
        { "/dir/f", "/dir/fifo", "/dir/chr", "/dir/sl3", "/dir", "/g3/f", "/g3/fifo", "/g3/chr", "/g3/sl3", "/g3",
            "/sl" },
        [&] {
            u32 base = scratch(8 * kPage);
            u32 out = base + 6 * kPage;
            Strings s { base };
            CHECK(call(kMkdir, s("/dir"), 0755) == 0);
            CHECK(call(kMkdir, s("/dir"), 0755) == err(Errno::EXIST));
            CHECK(call(kMkdir, s(""), 0755) == err(Errno::NOENT));
            CHECK(call(kMkdir, s("/no/such"), 0755) == err(Errno::NOENT));
            i32 dir = call(kOpen, s("/dir"), kODirectory, 0);
            REQUIRE(dir >= 0);
            CHECK(call(kMkdirat, static_cast<u32>(dir), s("sub"), 0700) == 0);
            REQUIRE(call(kStat64, s("/dir/sub"), out) == 0);
            CHECK((peek<sys::Stat64>(out).mode & 0777) == 0700);
            CHECK(call(kRmdir, s("/dir")) == err(Errno::NOTEMPTY));
            CHECK(call(kUnlinkat, static_cast<u32>(dir), s("sub"), 0) == err(Errno::ISDIR));
            CHECK(call(kUnlinkat, static_cast<u32>(dir), s("sub"), 0x1) == err(Errno::INVAL));
            CHECK(call(kUnlinkat, static_cast<u32>(dir), s("sub"), kAtRemoveDir) == 0);
            // Files: mknod (regular and FIFO), link, rename, unlink.
            CHECK(call(kMknod, s("/dir/f"), 0100600, 0) == 0);
            CHECK(call(kMknodat, static_cast<u32>(dir), s("fifo"), 0010600, 0) == 0);
            REQUIRE(call(kLstat64, s("/dir/fifo"), out) == 0);
            CHECK((peek<sys::Stat64>(out).mode & 0170000) == 0010000);
            CHECK(call(kMknod, s("/dir/d"), 0040755, 0) == err(Errno::PERM));
            CHECK(call(kMknod, s("/dir/chr"), 0020600, (4u << 8) | 1) == 0);
            REQUIRE(call(kLstat64, s("/dir/chr"), out) == 0);
            CHECK(peek<sys::Stat64>(out).rdev == ((4u << 8) | 1));
            CHECK(call(kLink, s("/dir/f"), s("/dir/g")) == 0);
            REQUIRE(call(kStat64, s("/dir/f"), out) == 0);
            CHECK(peek<sys::Stat64>(out).nlink == 2);
            CHECK(call(kLink, s("/dir/f"), s("/dir/g")) == err(Errno::EXIST));
            CHECK(call(kLink, s("/dir"), s("/dir2")) == err(Errno::PERM));
            CHECK(call(kLinkat, kAtFdCwd, s("/dir/f"), kAtFdCwd, s("/dir/h"), 0x2) == err(Errno::INVAL));
            CHECK(call(kLinkat, static_cast<u32>(dir), s("f"), kAtFdCwd, s("/h"), 0) == 0);
            CHECK(call(kRename, s("/dir/g"), s("/dir/g2")) == 0);
            CHECK_FALSE(exists(s, "/dir/g", out));
            CHECK(exists(s, "/dir/g2", out));
            CHECK(call(kRenameat, static_cast<u32>(dir), s("g2"), kAtFdCwd, s("/g3")) == 0);
            CHECK(exists(s, "/g3", out));
            CHECK(call(kRenameat2, kAtFdCwd, s("/g3"), kAtFdCwd, s("/h"), 1 /* NOREPLACE */) == err(Errno::EXIST));
            CHECK(call(kRenameat2, kAtFdCwd, s("/g3"), kAtFdCwd, s("/dir"), 2 /* EXCHANGE */) == 0);
            REQUIRE(call(kLstat64, s("/g3"), out) == 0);
            CHECK((peek<sys::Stat64>(out).mode & 0170000) == 0040000);
            CHECK(call(kRenameat2, kAtFdCwd, s("/g3"), kAtFdCwd, s("/dir"), 8) == err(Errno::INVAL));
            CHECK(call(kRename, s("/nothing"), s("/x")) == err(Errno::NOENT));
            CHECK(call(kUnlink, s("/h")) == 0);
            CHECK(call(kUnlink, s("/h")) == err(Errno::NOENT));
            CHECK(call(kUnlink, s("/g3")) == err(Errno::ISDIR));
            // Symlinks.
            CHECK(call(kSymlink, s("target/path"), s("/sl")) == 0);
            CHECK(call(kSymlink, s(""), s("/sl2")) == err(Errno::NOENT));
            CHECK(call(kSymlinkat, s("/g3/f"), static_cast<u32>(dir), s("sl3")) == 0);
            u32 text = base + 5 * kPage;
            CHECK(call(kReadlink, s("/sl"), text, 100) == 11);
            CHECK(peek_string(text).substr(0, 11) == "target/path");
            poke_string(text, "zzzzzzzz");
            CHECK(call(kReadlink, s("/sl"), text, 4) == 4);
            CHECK(peek_string(text) == "targzzzz"); // cut, and no NUL added
            CHECK(call(kReadlink, s("/sl"), text, 0) == err(Errno::INVAL));
            CHECK(call(kReadlink, s("/g3"), text, 10) == err(Errno::INVAL));
            CHECK(call(kReadlink, s("/sl"), 0xC0000000, 10) == err(Errno::FAULT));
            CHECK(call(kReadlinkat, static_cast<u32>(dir), s("sl3"), text, 100) == 5);
            // An empty path reads the link an O_PATH|O_NOFOLLOW descriptor names; another file is ENOENT.
            i32 link_fd = call(kOpen, s("/sl"), 010000000 | 0400000, 0);
            REQUIRE(link_fd >= 0);
            CHECK(call(kReadlinkat, static_cast<u32>(link_fd), s(""), text, 100) == 11);
            CHECK(call(kReadlinkat, static_cast<u32>(dir), s(""), text, 100) == err(Errno::NOENT));
            CHECK(call(kClose, static_cast<u32>(link_fd)) == 0);
            CHECK(call(kMkdir, s("/sl/x"), 0755) == err(Errno::NOENT)); // dangling
            CHECK(call(kClose, static_cast<u32>(dir)) == 0);
        });
}

TEST_CASE("getdents64: record layout, d_type, resuming from the offset, a buffer too small", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(
        m, { "/list/subdir", "/list/file", "/list/link", "/list/a-rather-longer-name-for-padding", "/list" }, [&] {
            u32 base = scratch(8 * kPage);
            u32 buffer = base + 4 * kPage, out = base + 6 * kPage;
            Strings s { base };
            REQUIRE(call(kMkdir, s("/list"), 0755) == 0);
            REQUIRE(call(kMkdir, s("/list/subdir"), 0755) == 0);
            REQUIRE(call(kMknod, s("/list/file"), 0100644, 0) == 0);
            REQUIRE(call(kSymlink, s("x"), s("/list/link")) == 0);
            REQUIRE(call(kMknod, s("/list/a-rather-longer-name-for-padding"), 0100644, 0) == 0);
            i32 fd = call(kOpen, s("/list"), kODirectory, 0);
            REQUIRE(fd >= 0);
            i32 got = call(kGetdents64, static_cast<u32>(fd), buffer, 4096);
            REQUIRE(got > 0);
            auto entries = parse64(buffer, got);
            std::map<std::string, Entry> by_name;
            for (auto& e : entries)
                by_name[e.name] = e;
            REQUIRE(entries.size() == 6);
            CHECK(by_name.count(".") == 1);
            CHECK(by_name.count("..") == 1);
            CHECK(by_name["subdir"].type == 4); // DT_DIR
            CHECK(by_name["file"].type == 8); // DT_REG
            CHECK(by_name["link"].type == 10); // DT_LNK
            REQUIRE(call(kStat64, s("/list/file"), out) == 0);
            CHECK(by_name["file"].ino == peek<sys::Stat64>(out).ino);
            CHECK(by_name["a-rather-longer-name-for-padding"].reclen == 56);
            CHECK(call(kGetdents64, static_cast<u32>(fd), buffer, 4096) == 0); // at the end
            // One record at a time: each call resumes where the last stopped, and d_off is where the next starts.
            REQUIRE(call(sys::nr("lseek"), static_cast<u32>(fd), 0, 0) == 0);
            std::vector<std::string> one_by_one;
            for (;;) {
                i32 n = call(kGetdents64, static_cast<u32>(fd), buffer, 32);
                if (n == err(Errno::INVAL)) { // the long name needs more room
                    n = call(kGetdents64, static_cast<u32>(fd), buffer, 64);
                }
                REQUIRE(n >= 0);
                if (n == 0)
                    break;
                auto some = parse64(buffer, n);
                REQUIRE(some.size() == 1);
                one_by_one.push_back(some[0].name);
                CHECK(call(sys::nr("lseek"), static_cast<u32>(fd), 0, 1) == some[0].off);
            }
            CHECK(one_by_one.size() == 6);
            CHECK(one_by_one[0] == entries[0].name);
            CHECK(one_by_one[5] == entries[5].name);
            // Seeking back to a d_off resumes there.
            REQUIRE(call(sys::nr("lseek"), static_cast<u32>(fd), static_cast<u32>(entries[2].off), 0)
                == static_cast<i32>(entries[2].off));
            got = call(kGetdents64, static_cast<u32>(fd), buffer, 4096);
            auto rest = parse64(buffer, got);
            REQUIRE(rest.size() == 3);
            CHECK(rest[0].name == entries[3].name);
            CHECK(call(kGetdents64, static_cast<u32>(fd), buffer, 10) == 0);
            REQUIRE(call(sys::nr("lseek"), static_cast<u32>(fd), 0, 0) == 0);
            CHECK(call(kGetdents64, static_cast<u32>(fd), buffer, 10) == err(Errno::INVAL));
            CHECK(call(kGetdents64, static_cast<u32>(fd), 0xC0000000, 100) == err(Errno::FAULT));
            CHECK(call(kGetdents64, 1, buffer, 100) == err(Errno::NOTDIR));
            CHECK(call(kGetdents64, 60, buffer, 100) == err(Errno::BADF));
        });
}

TEST_CASE("getdents: the old linux_dirent with d_type in the last byte", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/old/d", "/old/regular", "/old" }, [&] {
        u32 base = scratch(8 * kPage);
        u32 buffer = base + 4 * kPage;
        Strings s { base };
        REQUIRE(call(kMkdir, s("/old"), 0755) == 0);
        REQUIRE(call(kMkdir, s("/old/d"), 0755) == 0);
        REQUIRE(call(kMknod, s("/old/regular"), 0100644, 0) == 0);
        i32 fd = call(kOpen, s("/old"), kODirectory, 0);
        i32 got = call(kGetdents, static_cast<u32>(fd), buffer, 4096);
        REQUIRE(got > 0);
        std::map<std::string, u8> types;
        for (i32 at = 0; at < got;) {
            auto head = peek<sys::DirentHead>(buffer + static_cast<u32>(at));
            std::string name = peek_string(buffer + static_cast<u32>(at) + 10);
            CHECK(head.reclen % 4 == 0);
            CHECK(head.reclen >= 10 + name.size() + 2);
            CHECK(head.ino != 0);
            types[name] = peek<u8>(buffer + static_cast<u32>(at) + head.reclen - 1);
            at += head.reclen;
        }
        CHECK(types.size() == 4);
        CHECK(types["d"] == 4);
        CHECK(types["regular"] == 8);
        CHECK(types["."] == 4);
        REQUIRE(call(sys::nr("lseek"), static_cast<u32>(fd), 0, 0) == 0);
        CHECK(call(kGetdents, static_cast<u32>(fd), buffer, 8) == err(Errno::INVAL));
    });
}

TEST_CASE("chdir, fchdir, getcwd, chroot", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/a/b", "/a/file", "/a" }, [&] {
        u32 base = scratch(8 * kPage);
        u32 buffer = base + 4 * kPage;
        Strings s { base };
        CHECK(call(kGetcwd, buffer, 100) == 2);
        CHECK(peek_string(buffer) == "/");
        REQUIRE(call(kMkdir, s("/a"), 0755) == 0);
        REQUIRE(call(kMkdir, s("/a/b"), 0755) == 0);
        CHECK(call(kChdir, s("/a/b")) == 0);
        CHECK(call(kGetcwd, buffer, 100) == 5);
        CHECK(peek_string(buffer) == "/a/b");
        CHECK(call(kGetcwd, buffer, 4) == err(Errno::RANGE));
        CHECK(call(kGetcwd, buffer, 0) == err(Errno::RANGE));
        CHECK(call(kGetcwd, 0xC0000000, 100) == err(Errno::FAULT));
        CHECK(call(kChdir, s("..")) == 0);
        CHECK(call(kGetcwd, buffer, 100) == 3);
        CHECK(call(kChdir, s("/nowhere")) == err(Errno::NOENT));
        REQUIRE(call(kMknod, s("/a/file"), 0100644, 0) == 0);
        CHECK(call(kChdir, s("/a/file")) == err(Errno::NOTDIR));
        i32 b = call(kOpen, s("/a/b"), kODirectory, 0);
        CHECK(call(kChdir, s("/")) == 0);
        CHECK(call(kFchdir, static_cast<u32>(b)) == 0);
        CHECK(call(kGetcwd, buffer, 100) == 5);
        i32 file = call(kOpen, s("/a/file"), 0, 0);
        CHECK(call(kFchdir, static_cast<u32>(file)) == err(Errno::NOTDIR));
        CHECK(call(kFchdir, 70) == err(Errno::BADF));
        // chroot: "/" is now /a; the working directory stays.
        CHECK(call(kChroot, s("/a")) == 0);
        CHECK(call(kChdir, s("/")) == 0);
        CHECK(call(kGetcwd, buffer, 100) == 2);
        u32 out = base + 6 * kPage;
        CHECK(call(kStat64, s("/file"), out) == 0);
        REQUIRE(call(kSetresuid32, 1000, 1000, 0) == 0); // the saved id lets root come back
        CHECK(call(kChroot, s("/b")) == err(Errno::PERM));
        REQUIRE(call(kSetresuid32, 0, 0, 0) == 0);
        CHECK(call(kChroot, s("/..")) == 0); // still inside the jail: ".." at its root stays there
        CHECK(call(kStat64, s("/file"), out) == 0);
    });
}

TEST_CASE("mount, umount, umount2: a tmpfs on a directory, busy, and the errors", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/mnt" }, [&] {
        u32 base = scratch(8 * kPage);
        u32 out = base + 6 * kPage;
        Strings s { base };
        REQUIRE(call(kMkdir, s("/mnt"), 0755) == 0);
        REQUIRE(call(kStat64, s("/mnt"), out) == 0);
        u64 before = peek<sys::Stat64>(out).dev;
        CHECK(call(kMount, s("none"), s("/mnt"), s("tmpfs"), 0xC0ED0000, 0) == 0);
        REQUIRE(call(kStat64, s("/mnt"), out) == 0);
        CHECK(peek<sys::Stat64>(out).dev != before);
        i32 fd = call(kOpen, s("/mnt/inside"), kOCreat | kORdWr, 0644);
        REQUIRE(fd >= 0);
        CHECK(call(kUmount, s("/mnt")) == err(Errno::BUSY));
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        CHECK(call(kUmount2, s("/mnt"), 0x100) == err(Errno::INVAL));
        CHECK(call(kUmount, s("/mnt")) == 0);
        CHECK(call(kStat64, s("/mnt/inside"), out) == err(Errno::NOENT));
        CHECK(call(kMount, 0, s("/mnt"), s("nosuchfs"), 0, 0) == err(Errno::NODEV));
        CHECK(call(kMount, 0, s("/none"), s("tmpfs"), 0, 0) == err(Errno::NOENT));
        CHECK(call(kUmount, s("/mnt")) == err(Errno::INVAL));
        CHECK(call(kMount, 0, s("/mnt"), s("tmpfs"), 0, s("size=64k")) == 0);
        CHECK(call(kUmount2, s("/mnt"), 2 /* MNT_DETACH */) == 0);
        REQUIRE(call(kSetresuid32, 1000, 1000, 0) == 0); // the saved id lets root come back
        CHECK(call(kMount, 0, s("/mnt"), s("tmpfs"), 0, 0) == err(Errno::PERM));
        REQUIRE(call(kSetresuid32, 0, 0, 0) == 0);
    });
}
