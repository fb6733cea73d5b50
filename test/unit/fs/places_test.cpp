// Mounts, "..": across them both ways, umount's EBUSY and EINVAL, chdir/fchdir/chroot and getcwd, FsContext
// sharing and copying, and the filesystem type registry.
#include "fs_machine.hpp"

using namespace fs_test;

TEST_CASE("mounts: crossing mount points both ways", "[fs][mount]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/mnt") == 0);
    m.write_file("/mnt/hidden", "under");
    REQUIRE(m.mount_tmpfs("/mnt") == 0);
    Stat st {};
    CHECK(m.stat("/mnt/hidden", st) == e(Errno::NOENT)); // covered
    m.write_file("/mnt/on-top", "top");
    CHECK(m.stat("/mnt").dev != m.stat("/").dev);
    CHECK(m.stat("/mnt/..").ino == m.stat("/").ino);
    CHECK(m.stat("/mnt/..").dev == m.stat("/").dev);
    REQUIRE(m.mkdir("/mnt/sub") == 0);
    CHECK(m.read_file("/mnt/sub/../../mnt/on-top") == "top");
    REQUIRE(m.chdir("/mnt/sub") == 0);
    CHECK(m.cwd() == "/mnt/sub");
    CHECK(m.read_file("../on-top") == "top");
    CHECK(m.stat("../..").ino == m.stat("/").ino);
    // A mount on a mount, and a stacked mount on the same point.
    REQUIRE(m.mount_tmpfs("/mnt/sub") == 0);
    m.write_file("/mnt/sub/deep", "deep");
    CHECK(m.cwd() == "/mnt/sub"); // the cwd is the covered directory: still named the same
    REQUIRE(m.chdir("/mnt/sub") == 0);
    CHECK(m.read_file("deep") == "deep");
    CHECK(m.stat("..").ino == m.stat("/mnt").ino);
    REQUIRE(m.chdir("/") == 0);
    REQUIRE(m.mount_tmpfs("/mnt") == 0); // stacked: hides the first tmpfs
    CHECK(m.stat("/mnt/on-top", st) == e(Errno::NOENT));
    REQUIRE(m.umount("/mnt") == 0);
    CHECK(m.read_file("/mnt/on-top") == "top");
    // Symlinks that climb out of a mount.
    REQUIRE(m.symlink("../../mnt/on-top", "/mnt/sub/up") == 0);
    CHECK(m.read_file("/mnt/sub/up") == "top");
}

TEST_CASE("mounts: umount refuses busy mounts, submounts and non-mount-points", "[fs][mount]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/mnt") == 0);
    REQUIRE(m.mkdir("/plain") == 0);
    CHECK(m.umount("/plain") == e(Errno::INVAL));
    CHECK(m.umount("/missing") == e(Errno::NOENT));
    REQUIRE(m.mount_tmpfs("/mnt") == 0);
    REQUIRE(m.mkdir("/mnt/a") == 0);
    CHECK(m.umount("/mnt/a") == e(Errno::INVAL)); // inside a mount, not its root
    // An open file keeps it busy.
    int fd = m.open("/mnt/a", kORdOnly);
    REQUIRE(fd >= 0);
    CHECK(m.umount("/mnt") == e(Errno::BUSY));
    REQUIRE(m.close(fd) == 0);
    // So does a working directory.
    REQUIRE(m.chdir("/mnt/a") == 0);
    CHECK(m.umount("/mnt") == e(Errno::BUSY));
    REQUIRE(m.chdir("/") == 0);
    // And a submount.
    REQUIRE(m.mount_tmpfs("/mnt/a") == 0);
    CHECK(m.umount("/mnt") == e(Errno::BUSY));
    REQUIRE(m.umount("/mnt/a") == 0);
    REQUIRE(m.umount("/mnt") == 0);
    CHECK(m.umount("/mnt") == e(Errno::INVAL)); // nothing mounted any more
    // MNT_DETACH takes it away while in use; the open file goes on working.
    REQUIRE(m.mount_tmpfs("/mnt") == 0);
    m.write_file("/mnt/f", "still here");
    int open_fd = m.open("/mnt/f", kORdOnly);
    REQUIRE(m.umount("/mnt", kMntDetach) == 0);
    Stat st {};
    CHECK(m.stat("/mnt/f", st) == e(Errno::NOENT));
    char buffer[16] = {};
    CHECK(m.fds->get(open_fd).value()->read(buffer, sizeof buffer).value() == 10);
    CHECK(m.umount("/mnt", 0x100) == e(Errno::INVAL));
    // Only root mounts.
    m.be(1000, 1000, {});
    CHECK(m.mount_tmpfs("/mnt") == e(Errno::PERM));
    CHECK(m.umount("/") == e(Errno::PERM));
    m.be_root();
    auto c = m.caller();
    CHECK(is_error(fs::mount(c, "x", "/mnt", "nosuchfs", 0, ""), Errno::NODEV));
    m.write_file("/file", "");
    CHECK(m.mount_tmpfs("/file") == e(Errno::NOTDIR));
    CHECK(m.mount_tmpfs("/mnt", "size=bogus") == e(Errno::INVAL));
}

TEST_CASE("mounts: bind mounts show the same files", "[fs][mount]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/src") == 0);
    REQUIRE(m.mkdir("/dst") == 0);
    m.write_file("/src/f", "shared");
    auto c = m.caller();
    REQUIRE_FALSE(fs::mount(c, "/src", "/dst", "", kMsBind, "").is_error());
    CHECK(m.read_file("/dst/f") == "shared");
    CHECK(m.stat("/dst/f").ino == m.stat("/src/f").ino);
    CHECK(m.stat("/dst/..").ino == m.stat("/").ino); // ".." leaves through the bind mount point
    REQUIRE(m.umount("/dst") == 0);
    Stat st {};
    CHECK(m.stat("/dst/f", st) == e(Errno::NOENT));
}

TEST_CASE("places: chdir, fchdir, chroot and getcwd", "[fs][cwd]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/a") == 0);
    REQUIRE(m.mkdir("/a/b") == 0);
    m.write_file("/a/file", "x");
    CHECK(m.cwd() == "/");
    REQUIRE(m.chdir("a/b") == 0);
    CHECK(m.cwd() == "/a/b");
    CHECK(m.chdir("/a/file") == e(Errno::NOTDIR));
    CHECK(m.chdir("/none") == e(Errno::NOENT));
    // getcwd's buffer: ERANGE when the path and its NUL do not fit.
    char small[4];
    auto c = m.caller();
    CHECK(is_error(getcwd(c, small, sizeof small), Errno::RANGE));
    char exact[4 + 1];
    CHECK(getcwd(c, exact, sizeof exact).value() == 4 + 1);
    CHECK(std::string(exact) == "/a/b");
    // fchdir.
    int fd = m.open("/a", kORdOnly | kODirectory);
    REQUIRE_FALSE(fchdir(c, fd).is_error());
    CHECK(m.cwd() == "/a");
    CHECK(is_error(fchdir(c, m.open("/a/file", kORdOnly)), Errno::NOTDIR));
    CHECK(is_error(fchdir(c, 99), Errno::BADF));
    // No search permission: EACCES.
    REQUIRE(m.mkdir("/locked", 0700) == 0);
    m.be(1000, 1000, {});
    CHECK(m.chdir("/locked") == e(Errno::ACCES));
    CHECK(is_error(chroot(c, "/a"), Errno::PERM));
    m.be_root();
    // chroot: "/" and ".." stop at the new root; the cwd stays outside until it moves.
    REQUIRE(m.chdir("/a/b") == 0);
    REQUIRE_FALSE(chroot(c, "/a").is_error());
    CHECK(m.cwd() == "/b");
    CHECK(m.read_file("/file") == "x");
    CHECK(m.read_file("/../../file") == "x");
    REQUIRE(m.chdir("/") == 0);
    CHECK(m.cwd() == "/");
    CHECK(m.stat("..").ino == m.stat("/").ino);
    // A cwd outside the root reads "(unreachable)" as on Linux.
    m.fs->set_cwd(m.root_mount->root_path());
    CHECK(m.cwd() == "(unreachable)/");
    REQUIRE(m.mkdir("/sub") == 0); // inside the chroot: /a/sub
    m.fs->set_root(m.root_mount->root_path());
    REQUIRE(m.chdir("/a/sub") == 0);
    REQUIRE(m.rmdir("/a/sub") == 0);
    CHECK(m.cwd() == "error ENOENT"); // a removed cwd has no path
    Stat st {};
    CHECK(m.stat("..", st) == e(Errno::NOENT));
    CHECK(m.open("new", kOCreat | kOWrOnly) == -e(Errno::NOENT));
}

TEST_CASE("places: getcwd through mounts and deep trees", "[fs][cwd]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/m") == 0);
    REQUIRE(m.mount_tmpfs("/m") == 0);
    REQUIRE(m.mkdir("/m/x") == 0);
    REQUIRE(m.mkdir("/m/x/y") == 0);
    REQUIRE(m.chdir("/m/x/y") == 0);
    CHECK(m.cwd() == "/m/x/y");
    REQUIRE(m.chdir("/") == 0);
    // Relative steps reach a directory whose path is longer than PATH_MAX.
    for (int i = 0; i < 400; ++i) {
        std::string name = "d" + std::to_string(i % 10) + "xxxxxxxxxx";
        REQUIRE(m.mkdir(StringView(name.c_str())) == 0);
        REQUIRE(m.chdir(StringView(name.c_str())) == 0);
    }
    CHECK(m.cwd() == "error ENAMETOOLONG"); // more than a page of path
    REQUIRE(m.chdir("..") == 0);
    REQUIRE(m.chdir("/") == 0);
    REQUIRE(m.umount("/m") == 0);
}

TEST_CASE("places: FsContext shared by CLONE_FS, copied by fork; umask", "[fs][cwd]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/a") == 0);
    RefPtr<FsContext> shared = m.fs;
    auto copy = m.fs->clone().release_value();
    REQUIRE(m.chdir("/a") == 0);
    CHECK(shared->cwd() == m.fs->cwd());
    CHECK_FALSE(copy->cwd() == m.fs->cwd());
    CHECK(copy->exchange_umask(0777 | 07000) == 022);
    CHECK(copy->umask() == 0777);
    CHECK(m.fs->umask() == 022);
}

TEST_CASE("filesystem types: registry and /proc/filesystems", "[fs][mount]")
{
    FsMachine m;
    CHECK(find_filesystem("tmpfs") == &tmpfs::filesystem_type());
    CHECK(find_filesystem("ext2") == nullptr);
    CHECK(is_error(register_filesystem(tmpfs::filesystem_type()), Errno::BUSY));
    char listing[64];
    usize length = format_filesystems(listing, sizeof listing);
    CHECK(std::string(listing, length).find("nodev\ttmpfs\n") != std::string::npos);
    char tiny[4];
    CHECK(format_filesystems(tiny, sizeof tiny) == length);
    CHECK(std::string(tiny) == "nod");
}
