// Path resolution: ".", "..", the process root, symlinks in the middle and at the end, ELOOP, trailing
// slashes, name and path length limits, search permission on every directory.
#include "fs_machine.hpp"

using namespace fs_test;

TEST_CASE("namei: absolute and relative paths, dot and dot-dot", "[fs][namei]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/a") == 0);
    REQUIRE(m.mkdir("/a/b") == 0);
    REQUIRE(m.mkdir("a/b/c") == 0);
    m.write_file("/a/b/c/file", "hello");
    CHECK(m.read_file("/a/./b/../b/c/./file") == "hello");
    CHECK(m.read_file("//a///b//c/file") == "hello");
    REQUIRE(m.chdir("/a/b") == 0);
    CHECK(m.read_file("c/file") == "hello");
    CHECK(m.read_file("../b/c/file") == "hello");
    CHECK(m.stat(".").ino == m.stat("/a/b").ino);
    CHECK(m.stat("..").ino == m.stat("/a").ino);
    CHECK(m.stat("../..").ino == m.stat("/").ino);
    // ".." at the root stays at the root.
    CHECK(m.stat("/..").ino == m.stat("/").ino);
    CHECK(m.stat("/../../..").ino == m.stat("/").ino);
    CHECK(m.read_file("/../../a/b/c/file") == "hello");
}

TEST_CASE("namei: empty path, missing components, non-directories in the middle", "[fs][namei]")
{
    FsMachine m;
    m.write_file("/file", "x");
    Stat st {};
    CHECK(m.stat("", st) == e(Errno::NOENT));
    CHECK(m.stat("/missing", st) == e(Errno::NOENT));
    CHECK(m.stat("/missing/x", st) == e(Errno::NOENT));
    CHECK(m.stat("/file/x", st) == e(Errno::NOTDIR));
    CHECK(m.stat("/file/.", st) == e(Errno::NOTDIR));
    CHECK(m.stat("/file/..", st) == e(Errno::NOTDIR));
    // AT_EMPTY_PATH: the dirfd's own file.
    int fd = m.open("/file", kORdOnly);
    REQUIRE(fd >= 0);
    auto c = m.caller();
    Stat via_fd {};
    REQUIRE_FALSE(fstatat(c, fd, "", via_fd, kAtEmptyPath).is_error());
    CHECK(via_fd.ino == m.stat("/file").ino);
    CHECK(is_error(fstatat(c, fd, "", via_fd, 0), Errno::NOENT));
    // A relative path from a non-directory dirfd.
    CHECK(is_error(fstatat(c, fd, "x", via_fd, 0), Errno::NOTDIR));
    CHECK(is_error(fstatat(c, 77, "x", via_fd, 0), Errno::BADF));
    // An absolute path ignores dirfd, even a bad one.
    CHECK_FALSE(fstatat(c, 77, "/file", via_fd, 0).is_error());
}

TEST_CASE("namei: trailing slashes", "[fs][namei]")
{
    FsMachine m;
    m.write_file("/file", "x");
    REQUIRE(m.mkdir("/dir") == 0);
    Stat st {};
    CHECK(m.stat("/dir/", st) == 0);
    CHECK(m.stat("/dir//", st) == 0);
    CHECK(m.stat("/file/", st) == e(Errno::NOTDIR));
    CHECK(m.open("/file/", kORdOnly) == -e(Errno::NOTDIR));
    // mkdir "new/" works; creating a file "new/" does not.
    CHECK(m.mkdir("/newdir/") == 0);
    CHECK(m.stat("/newdir").mode == (kIfDir | 0755));
    CHECK(m.open("/newfile/", kOWrOnly | kOCreat) == -e(Errno::ISDIR));
    auto c = m.caller();
    CHECK(is_error(mknodat(c, kAtFdCwd, "/fifo/", kIfIfo | 0600, 0), Errno::NOENT));
    CHECK(m.symlink("/dir", "/newlink/") == e(Errno::NOENT));
    // A symlink with a trailing slash is followed even by lstat.
    REQUIRE(m.symlink("/dir", "/dirlink") == 0);
    REQUIRE(m.symlink("/file", "/filelink") == 0);
    CHECK(is_lnk(m.stat("/dirlink", false).mode));
    CHECK(is_dir(m.stat("/dirlink/", false).mode));
    CHECK(m.stat("/filelink/", st, false) == e(Errno::NOTDIR));
    // unlink of "file/" is ENOTDIR; rmdir of "dir/" works.
    CHECK(m.unlink("/file/") == e(Errno::NOTDIR));
    CHECK(m.rmdir("/newdir/") == 0);
}

TEST_CASE("namei: symlinks in the middle and at the end", "[fs][namei]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/a") == 0);
    REQUIRE(m.mkdir("/a/b") == 0);
    m.write_file("/a/b/file", "data");
    REQUIRE(m.symlink("b", "/a/rel") == 0); // relative to the link's directory
    REQUIRE(m.symlink("/a/b", "/abs") == 0);
    REQUIRE(m.symlink("/abs/file", "/chain1") == 0);
    REQUIRE(m.symlink("chain1", "/chain2") == 0);
    REQUIRE(m.symlink("/nowhere", "/dangling") == 0);
    REQUIRE(m.symlink("..", "/a/b/up") == 0);
    CHECK(m.read_file("/a/rel/file") == "data");
    CHECK(m.read_file("/abs/file") == "data");
    CHECK(m.read_file("/chain2") == "data");
    CHECK(m.read_file("/a/b/up/b/up/rel/file") == "data");
    CHECK(is_lnk(m.stat("/chain2", false).mode));
    CHECK(is_reg(m.stat("/chain2").mode));
    Stat st {};
    CHECK(m.stat("/dangling", st) == e(Errno::NOENT));
    CHECK(m.stat("/dangling", st, false) == 0);
    // O_NOFOLLOW: ELOOP on a final symlink, fine in the middle.
    CHECK(m.open("/chain2", kORdOnly | kONoFollow) == -e(Errno::LOOP));
    int fd = m.open("/abs/file", kORdOnly | kONoFollow);
    CHECK(fd >= 0);
    // O_PATH | O_NOFOLLOW opens the link itself.
    int path_fd = m.open("/chain2", kOPath | kONoFollow);
    REQUIRE(path_fd >= 0);
    CHECK(m.fds->get(path_fd).value()->inode().is_symlink());
    // readlink
    char buffer[64];
    auto c = m.caller();
    auto length = readlinkat(c, kAtFdCwd, "/chain2", buffer, sizeof buffer);
    REQUIRE_FALSE(length.is_error());
    CHECK(std::string(buffer, length.value()) == "chain1");
    CHECK(is_error(readlinkat(c, kAtFdCwd, "/a", buffer, sizeof buffer), Errno::INVAL));
    CHECK(is_error(readlinkat(c, kAtFdCwd, "/chain2", buffer, 0), Errno::INVAL));
    auto short_read = readlinkat(c, kAtFdCwd, "/abs", buffer, 3);
    REQUIRE_FALSE(short_read.is_error());
    CHECK(std::string(buffer, short_read.value()) == "/a/");
}

TEST_CASE("namei: symlink loops give ELOOP, 40 links are allowed", "[fs][namei]")
{
    FsMachine m;
    REQUIRE(m.symlink("/loop2", "/loop1") == 0);
    REQUIRE(m.symlink("/loop1", "/loop2") == 0);
    REQUIRE(m.symlink("self", "/self") == 0);
    Stat st {};
    CHECK(m.stat("/loop1", st) == e(Errno::LOOP));
    CHECK(m.stat("/self", st) == e(Errno::LOOP));
    CHECK(m.stat("/self/x", st) == e(Errno::LOOP));
    CHECK(m.open("/loop1", kORdOnly) == -e(Errno::LOOP));
    CHECK(m.open("/self", kOWrOnly | kOCreat) == -e(Errno::LOOP));
    CHECK(m.stat("/loop1", st, false) == 0); // lstat does not follow
    // A chain of exactly 40 links resolves; 41 does not.
    m.write_file("/target", "end");
    std::string previous = "/target";
    for (int i = 1; i <= 41; ++i) {
        std::string name = "/l" + std::to_string(i);
        REQUIRE(m.symlink(StringView(previous.c_str()), StringView(name.c_str())) == 0);
        previous = name;
    }
    CHECK(m.read_file("/l40") == "end");
    CHECK(m.stat("/l41", st) == e(Errno::LOOP));
    // Links in the middle count too.
    REQUIRE(m.mkdir("/d") == 0);
    m.write_file("/d/f", "in d");
    previous = "/d";
    for (int i = 1; i <= 41; ++i) {
        std::string name = "/m" + std::to_string(i);
        REQUIRE(m.symlink(StringView(previous.c_str()), StringView(name.c_str())) == 0);
        previous = name;
    }
    CHECK(m.read_file("/m40/f") == "in d");
    CHECK(m.stat("/m41/f", st) == e(Errno::LOOP));
}

TEST_CASE("namei: name and path length limits", "[fs][namei]")
{
    FsMachine m;
    std::string name255(255, 'n');
    std::string name256(256, 'n');
    CHECK(m.mkdir(StringView(("/" + name255).c_str())) == 0);
    CHECK(m.mkdir(StringView(("/" + name256).c_str())) == e(Errno::NAMETOOLONG));
    Stat st {};
    CHECK(m.stat(StringView(("/" + name256).c_str()), st) == e(Errno::NAMETOOLONG));
    CHECK(m.stat(StringView(("/" + name256 + "/x").c_str()), st) == e(Errno::NAMETOOLONG));
    CHECK(m.open(StringView(("/" + name256).c_str()), kOCreat | kOWrOnly) == -e(Errno::NAMETOOLONG));
    // 4095 bytes is a valid length; 4096 is not (PATH_MAX counts the NUL).
    std::string long_ok;
    while (long_ok.size() + 2 <= 4095)
        long_ok += "/.";
    long_ok.resize(4095, '/');
    CHECK(m.stat(StringView(long_ok.c_str()), st) == 0);
    std::string too_long = long_ok + "/";
    CHECK(too_long.size() == 4096);
    CHECK(m.stat(StringView(too_long.c_str()), st) == e(Errno::NAMETOOLONG));
}

TEST_CASE("namei: search permission on every directory", "[fs][namei]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/pub", 0755) == 0);
    REQUIRE(m.mkdir("/pub/locked", 0700) == 0);
    REQUIRE(m.mkdir("/pub/locked/inner", 0777) == 0);
    m.write_file("/pub/locked/inner/f", "secret", 0666);
    REQUIRE(m.mkdir("/pub/readonly", 0744) == 0); // r but no x for others
    m.write_file("/pub/readonly/f", "r", 0644);
    m.be(1000, 1000, {});
    Stat st {};
    CHECK(m.stat("/pub", st) == 0);
    CHECK(m.stat("/pub/locked", st) == 0); // stat of the dir itself needs only x on /pub
    CHECK(m.stat("/pub/locked/inner", st) == e(Errno::ACCES));
    CHECK(m.stat("/pub/locked/inner/f", st) == e(Errno::ACCES));
    CHECK(m.stat("/pub/locked/..", st) == e(Errno::ACCES));
    CHECK(m.stat("/pub/readonly/f", st) == e(Errno::ACCES));
    CHECK(m.open("/pub/locked/new", kOCreat | kOWrOnly) == -e(Errno::ACCES));
    CHECK(m.chdir("/pub/locked") == e(Errno::ACCES));
    m.be_root();
    CHECK(m.stat("/pub/locked/inner/f", st) == 0);
    // A symlink through a locked directory is refused the same way.
    REQUIRE(m.symlink("/pub/locked/inner/f", "/via") == 0);
    m.be(1000, 1000, {});
    CHECK(m.open("/via", kORdOnly) == -e(Errno::ACCES));
}
