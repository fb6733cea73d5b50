// rename(2) and renameat2(2) in every case man 2 rename lists, and the link counts they leave.
#include "fs_machine.hpp"

using namespace fs_test;

TEST_CASE("rename: files, over files, and hard links to the same file", "[fs][rename]")
{
    FsMachine m;
    m.write_file("/a", "A");
    m.write_file("/b", "B");
    u64 a_ino = m.stat("/a").ino;
    REQUIRE(m.rename("/a", "/c") == 0);
    CHECK_FALSE(m.exists("/a"));
    CHECK(m.read_file("/c") == "A");
    CHECK(m.stat("/c").ino == a_ino);
    // Over an existing file: the old one loses its name.
    int fd = m.open("/b", kORdOnly);
    REQUIRE(fd >= 0);
    REQUIRE(m.rename("/c", "/b") == 0);
    CHECK(m.read_file("/b") == "A");
    CHECK_FALSE(m.exists("/c"));
    Stat replaced {};
    auto c = m.caller();
    REQUIRE_FALSE(fstat(c, fd, replaced).is_error());
    CHECK(replaced.nlink == 0); // still open, no names
    // Two names of one inode: a successful no-op, both names stay.
    REQUIRE(m.link("/b", "/b2") == 0);
    CHECK(m.stat("/b").nlink == 2);
    REQUIRE(m.rename("/b", "/b2") == 0);
    CHECK(m.exists("/b"));
    CHECK(m.exists("/b2"));
    CHECK(m.stat("/b").nlink == 2);
    // Missing source.
    CHECK(m.rename("/nothing", "/x") == e(Errno::NOENT));
    CHECK(m.rename("/b", "/missingdir/x") == e(Errno::NOENT));
}

TEST_CASE("rename: directories over directories and files", "[fs][rename]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/d1") == 0);
    REQUIRE(m.mkdir("/d2") == 0);
    REQUIRE(m.mkdir("/full") == 0);
    m.write_file("/full/f", "x");
    m.write_file("/file", "x");
    CHECK(m.rename("/d1", "/full") == e(Errno::NOTEMPTY));
    CHECK(m.rename("/d1", "/file") == e(Errno::NOTDIR));
    CHECK(m.rename("/file", "/d1") == e(Errno::ISDIR));
    u32 root_links = m.stat("/").nlink;
    REQUIRE(m.rename("/d1", "/d2") == 0); // over an empty directory
    CHECK_FALSE(m.exists("/d1"));
    CHECK(m.stat("/").nlink == root_links - 1); // the replaced directory's ".." is gone
    // A trailing slash on a file source or target.
    CHECK(m.rename("/file/", "/file2") == e(Errno::NOTDIR));
    CHECK(m.rename("/file", "/file2/") == e(Errno::NOTDIR));
    CHECK(m.rename("/d2/", "/d3/") == 0);
    CHECK(is_dir(m.stat("/d3").mode));
    // ".", ".." and "/" cannot be renamed or be targets.
    CHECK(m.rename("/d3/.", "/x") == e(Errno::BUSY));
    CHECK(m.rename("/d3/..", "/x") == e(Errno::BUSY));
    CHECK(m.rename("/file", "/d3/.") == e(Errno::BUSY));
    CHECK(m.rename("/file", "/d3/..", kRenameNoReplace) == e(Errno::EXIST));
}

TEST_CASE("rename: into its own subtree, and a target above the source", "[fs][rename]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/a") == 0);
    REQUIRE(m.mkdir("/a/b") == 0);
    REQUIRE(m.mkdir("/a/b/c") == 0);
    CHECK(m.rename("/a", "/a/b/x") == e(Errno::INVAL));
    CHECK(m.rename("/a", "/a/x") == e(Errno::INVAL));
    CHECK(m.rename("/a/b", "/a/b/c/d") == e(Errno::INVAL));
    CHECK(m.rename("/a", "/a") == 0); // the same directory: a no-op
    // The target is an ancestor of the source: ENOTEMPTY (EINVAL with RENAME_EXCHANGE).
    CHECK(m.rename("/a/b/c", "/a") == e(Errno::NOTEMPTY));
    CHECK(m.rename("/a/b/c", "/a", kRenameExchange) == e(Errno::INVAL));
    CHECK(m.exists("/a/b/c"));
}

TEST_CASE("rename: moving a directory between parents fixes link counts", "[fs][rename]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/p1") == 0);
    REQUIRE(m.mkdir("/p2") == 0);
    REQUIRE(m.mkdir("/p1/child") == 0);
    REQUIRE(m.mkdir("/p1/child/grandchild") == 0);
    CHECK(m.stat("/p1").nlink == 3);
    CHECK(m.stat("/p2").nlink == 2);
    CHECK(m.stat("/p1/child").nlink == 3);
    REQUIRE(m.rename("/p1/child", "/p2/moved") == 0);
    CHECK(m.stat("/p1").nlink == 2);
    CHECK(m.stat("/p2").nlink == 3);
    CHECK(m.stat("/p2/moved").nlink == 3);
    // ".." of the moved directory now leads to its new parent.
    CHECK(m.stat("/p2/moved/..").ino == m.stat("/p2").ino);
    CHECK(m.stat("/p2/moved/grandchild/../..").ino == m.stat("/p2").ino);
    REQUIRE(m.chdir("/p2/moved/grandchild") == 0);
    CHECK(m.cwd() == "/p2/moved/grandchild");
    // Within one parent, counts do not move.
    REQUIRE(m.rename("/p2/moved", "/p2/renamed") == 0);
    CHECK(m.stat("/p2").nlink == 3);
    CHECK(m.cwd() == "/p2/renamed/grandchild");
}

TEST_CASE("renameat2: RENAME_NOREPLACE and RENAME_EXCHANGE", "[fs][rename]")
{
    FsMachine m;
    m.write_file("/f1", "one");
    m.write_file("/f2", "two");
    REQUIRE(m.mkdir("/dir") == 0);
    REQUIRE(m.mkdir("/dir/sub") == 0);
    REQUIRE(m.mkdir("/other") == 0);
    CHECK(m.rename("/f1", "/f2", kRenameNoReplace) == e(Errno::EXIST));
    CHECK(m.rename("/f1", "/f3", kRenameNoReplace) == 0);
    CHECK(m.rename("/f3", "/f1", kRenameNoReplace | kRenameExchange) == e(Errno::INVAL));
    CHECK(m.rename("/f1", "/f2", 0x80) == e(Errno::INVAL));
    CHECK(m.rename("/f3", "/nothing", kRenameExchange) == e(Errno::NOENT));
    REQUIRE(m.rename("/f3", "/f2", kRenameExchange) == 0);
    CHECK(m.read_file("/f3") == "two");
    CHECK(m.read_file("/f2") == "one");
    // Exchanging a file and a directory in different parents moves a ".." link.
    m.write_file("/other/file", "o");
    u32 dir_links = m.stat("/dir").nlink; // 3: has sub
    u32 other_links = m.stat("/other").nlink; // 2
    REQUIRE(m.rename("/dir/sub", "/other/file", kRenameExchange) == 0);
    CHECK(is_dir(m.stat("/other/file").mode));
    CHECK(is_reg(m.stat("/dir/sub").mode));
    CHECK(m.stat("/dir").nlink == dir_links - 1);
    CHECK(m.stat("/other").nlink == other_links + 1);
    CHECK(m.stat("/other/file/..").ino == m.stat("/other").ino);
}

TEST_CASE("rename: across mounts is EXDEV", "[fs][rename]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/mnt") == 0);
    REQUIRE(m.mount_tmpfs("/mnt") == 0);
    m.write_file("/f", "x");
    CHECK(m.rename("/f", "/mnt/f") == e(Errno::XDEV));
    CHECK(m.link("/f", "/mnt/f") == e(Errno::XDEV));
    // The mount point itself is busy.
    REQUIRE(m.mkdir("/mnt2") == 0);
    CHECK(m.rename("/mnt", "/elsewhere") == e(Errno::BUSY));
    CHECK(m.rmdir("/mnt") == e(Errno::BUSY));
    REQUIRE(m.umount("/mnt") == 0);
    CHECK(m.rename("/f", "/mnt/f") == 0);
}

TEST_CASE("rename: sticky directories and write permission on a moved directory", "[fs][rename]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/tmp", 01777) == 0);
    CHECK(m.stat("/tmp").mode == (kIfDir | 01755)); // umask 022
    REQUIRE(m.chmod("/tmp", 01777) == 0);
    m.be(1000, 1000, {});
    m.write_file("/tmp/mine", "m");
    REQUIRE(m.mkdir("/tmp/mydir", 0755) == 0);
    m.be(1001, 1001, {});
    m.write_file("/tmp/theirs", "t");
    CHECK(m.rename("/tmp/mine", "/tmp/stolen") == e(Errno::PERM));
    CHECK(m.rename("/tmp/theirs", "/tmp/mine") == e(Errno::PERM)); // replacing someone else's file
    CHECK(m.unlink("/tmp/mine") == e(Errno::PERM));
    CHECK(m.rename("/tmp/theirs", "/tmp/renamed") == 0);
    m.be(1000, 1000, {});
    CHECK(m.unlink("/tmp/mine") == 0);
    // Moving a directory to another parent needs write permission on the directory itself.
    m.be_root();
    REQUIRE(m.mkdir("/tmp/dest", 0777) == 0);
    REQUIRE(m.chmod("/tmp/dest", 0777) == 0);
    REQUIRE(m.chmod("/tmp/mydir", 0555) == 0);
    m.be(1000, 1000, {});
    CHECK(m.rename("/tmp/mydir", "/tmp/dest/mydir") == e(Errno::ACCES));
    CHECK(m.rename("/tmp/mydir", "/tmp/mydir2") == 0); // same parent: fine
}
