// The permission matrix (man 7 path_resolution), root's overrides, the sticky bit, umask, set-group-ID
// directories, and the chmod/chown/utimensat/access rules.
#include "fs_machine.hpp"

#include "fs/namei.hpp"

using namespace fs_test;

namespace {

// Which of r/w/x `credentials` get on a file with `mode` owned by 100:200.
u32 granted(FsMachine& m, const char* path, u32 mode, const Credentials& who)
{
    m.be_root();
    REQUIRE(m.chmod(path, mode) == 0);
    REQUIRE(m.chown(path, 100, 200) == 0);
    Path place = resolve_path(m.fs->root(), m.fs->cwd(), path, true, m.credentials).release_value();
    u32 result = 0;
    for (u32 bit : { kMayRead, kMayWrite, kMayExec }) {
        if (!check_permission(*place.inode, bit, who).is_error())
            result |= bit;
    }
    return result;
}

Credentials ids(u32 uid, u32 gid, std::initializer_list<u32> groups = {})
{
    Credentials c {};
    c.uid = c.euid = c.suid = c.fsuid = uid;
    c.gid = c.egid = c.sgid = c.fsgid = gid;
    for (u32 g : groups)
        c.groups[c.group_count++] = g;
    return c;
}

} // namespace

TEST_CASE("permissions: owner, group, supplementary group and other classes", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/f", "x");
    auto owner = ids(100, 999);
    auto group = ids(300, 200);
    auto supplementary = ids(300, 999, { 5, 200 });
    auto other = ids(300, 999, { 5 });
    // Each class gets exactly its own three bits, whatever the others say.
    for (u32 bits = 0; bits < 8; ++bits) {
        INFO("bits " << bits);
        CHECK(granted(m, "/f", bits << 6, owner) == bits);
        CHECK(granted(m, "/f", bits << 3, group) == bits);
        CHECK(granted(m, "/f", bits << 3, supplementary) == bits);
        CHECK(granted(m, "/f", bits, other) == bits);
        // The first matching class decides: an owner is not helped by group or other bits.
        CHECK(granted(m, "/f", (bits << 6) | 077, owner) == bits);
        CHECK(granted(m, "/f", (bits << 3) | 07, group) == bits);
    }
    CHECK(granted(m, "/f", 0770, other) == 0);
}

TEST_CASE("permissions: root passes rw always and x when any x bit is set or on directories", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/f", "x");
    REQUIRE(m.mkdir("/d") == 0);
    auto root = ids(0, 0);
    CHECK(granted(m, "/f", 0000, root) == (kMayRead | kMayWrite));
    CHECK(granted(m, "/f", 0001, root) == (kMayRead | kMayWrite | kMayExec));
    CHECK(granted(m, "/f", 0010, root) == (kMayRead | kMayWrite | kMayExec));
    CHECK(granted(m, "/f", 0100, root) == (kMayRead | kMayWrite | kMayExec));
    CHECK(granted(m, "/d", 0000, root) == (kMayRead | kMayWrite | kMayExec));
    // What counts is fsuid: euid 0 with fsuid 1000 is not root here.
    auto fs_user = ids(0, 0);
    fs_user.fsuid = 1000;
    CHECK(granted(m, "/f", 0000, fs_user) == 0);
}

TEST_CASE("permissions: open, create and remove obey the bits", "[fs][permission]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/d", 0755) == 0);
    REQUIRE(m.chown("/d", 1000, 1000) == 0);
    m.write_file("/d/ro", "r", 0444);
    REQUIRE(m.chown("/d/ro", 1000, 1000) == 0);
    m.be(1000, 1000, {});
    CHECK(m.open("/d/ro", kOWrOnly) == -e(Errno::ACCES));
    CHECK(m.open("/d/ro", kORdOnly | kOTrunc) == -e(Errno::ACCES));
    CHECK(m.open("/d/ro", kORdOnly) >= 0);
    m.be(1001, 1001, {});
    CHECK(m.open("/d/new", kOWrOnly | kOCreat) == -e(Errno::ACCES));
    CHECK(m.mkdir("/d/sub") == e(Errno::ACCES));
    CHECK(m.unlink("/d/ro") == e(Errno::ACCES));
    CHECK(m.symlink("x", "/d/l") == e(Errno::ACCES));
    // An existing name still answers EEXIST before EACCES (filename_create's order).
    CHECK(m.mkdir("/d/ro") == e(Errno::EXIST));
    // A newly created file opens even when its mode denies the access asked for.
    m.be(1000, 1000, {});
    int fd = m.open("/d/created", kORdWr | kOCreat, 0000);
    CHECK(fd >= 0);
    CHECK(m.stat("/d/created").mode == (kIfReg | 0000));
}

TEST_CASE("permissions: sticky directories", "[fs][permission]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/tmp") == 0);
    REQUIRE(m.chmod("/tmp", 01777) == 0);
    m.be(1000, 1000, {});
    m.write_file("/tmp/a", "a", 0666);
    REQUIRE(m.mkdir("/tmp/adir", 0777) == 0);
    m.be(1001, 1001, {});
    CHECK(m.unlink("/tmp/a") == e(Errno::PERM));
    CHECK(m.rmdir("/tmp/adir") == e(Errno::PERM));
    CHECK(m.read_file("/tmp/a") == "a"); // other access is untouched
    m.be_root();
    REQUIRE(m.chown("/tmp", 1001, 0) == 0); // the directory's owner may remove anything
    m.be(1001, 1001, {});
    CHECK(m.unlink("/tmp/a") == 0);
    m.be_root();
    CHECK(m.rmdir("/tmp/adir") == 0);
    // Without the sticky bit, write permission on the directory is enough.
    REQUIRE(m.chmod("/tmp", 0777) == 0);
    m.be(1000, 1000, {});
    m.write_file("/tmp/b", "b");
    m.be(1002, 1002, {});
    CHECK(m.unlink("/tmp/b") == 0);
}

TEST_CASE("permissions: umask and new files' owners", "[fs][permission]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/pub") == 0);
    REQUIRE(m.chmod("/pub", 0777) == 0);
    m.be(1000, 2000, { 3000 });
    CHECK(m.fs->exchange_umask(027) == 022);
    REQUIRE(m.open("/pub/f", kOWrOnly | kOCreat, 0666) >= 0);
    Stat st = m.stat("/pub/f");
    CHECK(st.mode == (kIfReg | 0640));
    CHECK(st.uid == 1000);
    CHECK(st.gid == 2000);
    REQUIRE(m.mkdir("/pub/d", 0777) == 0);
    CHECK(m.stat("/pub/d").mode == (kIfDir | 0750));
    auto c = m.caller();
    REQUIRE_FALSE(mknodat(c, kAtFdCwd, "/pub/fifo", kIfIfo | 0666, 0).is_error());
    CHECK(m.stat("/pub/fifo").mode == (kIfIfo | 0640));
    CHECK(m.fs->exchange_umask(0) == 027);
    REQUIRE(m.mkdir("/pub/d2", 01777) == 0);
    CHECK(m.stat("/pub/d2").mode == (kIfDir | 01777));
    // The fs ids decide, not the effective ones.
    m.credentials.fsuid = 4000;
    m.credentials.fsgid = 5000;
    REQUIRE(m.open("/pub/g", kOWrOnly | kOCreat, 0600) >= 0);
    CHECK(m.stat("/pub/g").uid == 4000);
    CHECK(m.stat("/pub/g").gid == 5000);
}

TEST_CASE("permissions: set-group-ID directories pass their group down", "[fs][permission]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/shared") == 0);
    REQUIRE(m.chown("/shared", 0, 777) == 0);
    REQUIRE(m.chmod("/shared", 02777) == 0);
    m.be(1000, 1000, {});
    m.write_file("/shared/file", "x");
    CHECK(m.stat("/shared/file").gid == 777);
    CHECK((m.stat("/shared/file").mode & kIsGid) == 0);
    REQUIRE(m.mkdir("/shared/sub", 0755) == 0);
    CHECK(m.stat("/shared/sub").gid == 777);
    CHECK(m.stat("/shared/sub").mode == (kIfDir | kIsGid | 0755));
    REQUIRE(m.mkdir("/shared/sub/deeper", 0700) == 0);
    CHECK(m.stat("/shared/sub/deeper").gid == 777);
    CHECK((m.stat("/shared/sub/deeper").mode & kIsGid) != 0);
}

TEST_CASE("permissions: chmod rules", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/f", "x");
    REQUIRE(m.chown("/f", 1000, 1000) == 0);
    m.be(1001, 1001, {});
    CHECK(m.chmod("/f", 0777) == e(Errno::PERM));
    m.be(1000, 1000, { 50 });
    CHECK(m.chmod("/f", 02755) == 0);
    CHECK(m.stat("/f").mode == (kIfReg | 02755)); // its own group: kept
    m.be_root();
    REQUIRE(m.chown("/f", 1000, 60) == 0);
    m.be(1000, 1000, { 50 });
    CHECK(m.chmod("/f", 06755) == 0);
    CHECK(m.stat("/f").mode == (kIfReg | 04755)); // not in group 60: S_ISGID dropped silently
    m.be_root();
    CHECK(m.chmod("/f", 06755) == 0);
    CHECK(m.stat("/f").mode == (kIfReg | 06755));
    // chmod on a symlink changes its target.
    REQUIRE(m.symlink("/f", "/l") == 0);
    CHECK(m.chmod("/l", 0600) == 0);
    CHECK(m.stat("/f").mode == (kIfReg | 0600));
    auto c = m.caller();
    CHECK(is_error(fchmodat(c, kAtFdCwd, "/l", 0600, kAtSymlinkNoFollow), Errno::OPNOTSUPP));
    CHECK(is_error(fchmodat(c, kAtFdCwd, "/l", 0600, 0x1), Errno::INVAL));
}

TEST_CASE("permissions: chown rules", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/f", "x");
    REQUIRE(m.chown("/f", 1000, 1000) == 0);
    REQUIRE(m.chmod("/f", 06755) == 0);
    m.be(1000, 1000, { 50 });
    CHECK(m.chown("/f", 1001, 0xffffffff) == e(Errno::PERM));
    CHECK(m.chown("/f", 0xffffffff, 60) == e(Errno::PERM)); // not one of its groups
    CHECK(m.chown("/f", 1000, 50) == 0); // chgrp to its own group
    Stat st = m.stat("/f");
    CHECK(st.gid == 50);
    CHECK(st.mode == (kIfReg | 0755)); // set-user-ID and set-group-ID (group x set) cleared
    m.be(1001, 50, {});
    CHECK(m.chown("/f", 0xffffffff, 50) == e(Errno::PERM)); // not the owner
    m.be_root();
    CHECK(m.chmod("/f", 06745) == 0); // set-group-ID without group x: mandatory-locking marker, kept
    CHECK(m.chown("/f", 7, 8) == 0);
    st = m.stat("/f");
    CHECK(st.uid == 7);
    CHECK(st.gid == 8);
    CHECK(st.mode == (kIfReg | 02745));
    // Directories keep their bits.
    REQUIRE(m.mkdir("/d") == 0);
    REQUIRE(m.chmod("/d", 07755) == 0);
    REQUIRE(m.chown("/d", 5, 5) == 0);
    CHECK(m.stat("/d").mode == (kIfDir | 07755));
}

TEST_CASE("permissions: utimensat rules", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/f", "x");
    REQUIRE(m.chown("/f", 1000, 1000) == 0);
    REQUIRE(m.chmod("/f", 0666) == 0);
    m.write_file("/ro", "x", 0644);
    auto c = m.caller();
    TimeSpec times[2] = { { 100, 5 }, { 200, 7 } };
    REQUIRE_FALSE(utimensat(c, kAtFdCwd, "/f", times, 0).is_error());
    Stat st = m.stat("/f");
    CHECK(st.atime_ns == 100000000005);
    CHECK(st.mtime_ns == 200000000007);
    TimeSpec omit_atime[2] = { { 0, kUtimeOmit }, { 300, 0 } };
    REQUIRE_FALSE(utimensat(c, kAtFdCwd, "/f", omit_atime, 0).is_error());
    st = m.stat("/f");
    CHECK(st.atime_ns == 100000000005);
    CHECK(st.mtime_ns == 300000000000);
    TimeSpec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    CHECK(is_error(utimensat(c, kAtFdCwd, "/f", bad, 0), Errno::INVAL));
    CHECK(is_error(utimensat(c, kAtFdCwd, "/f", times, 0x4), Errno::INVAL));
    m.be(1001, 1001, {});
    // Not the owner: "now" needs write access, explicit times need ownership.
    CHECK(is_error(utimensat(c, kAtFdCwd, "/f", times, 0), Errno::PERM));
    CHECK_FALSE(utimensat(c, kAtFdCwd, "/f", nullptr, 0).is_error());
    TimeSpec both_now[2] = { { 0, kUtimeNow }, { 0, kUtimeNow } };
    CHECK_FALSE(utimensat(c, kAtFdCwd, "/f", both_now, 0).is_error());
    CHECK(is_error(utimensat(c, kAtFdCwd, "/ro", nullptr, 0), Errno::ACCES));
    TimeSpec both_omit[2] = { { 0, kUtimeOmit }, { 0, kUtimeOmit } };
    CHECK_FALSE(utimensat(c, kAtFdCwd, "/ro", both_omit, 0).is_error());
    CHECK_FALSE(utimensat(c, kAtFdCwd, "/missing", both_omit, 0x4).is_error()); // not even looked at
}

TEST_CASE("permissions: access uses the real ids unless AT_EACCESS", "[fs][permission]")
{
    FsMachine m;
    m.write_file("/mine", "x", 0600);
    REQUIRE(m.chown("/mine", 1000, 1000) == 0);
    m.write_file("/exe", "x", 0644);
    // Real uid 1000, effective (and fs) uid 2000, like a set-user-ID program.
    m.be(1000, 1000, {});
    m.credentials.euid = m.credentials.fsuid = 2000;
    CHECK(m.access("/mine", kMayRead | kMayWrite) == 0);
    CHECK(m.access("/mine", kMayRead, kAtEAccess) == e(Errno::ACCES));
    CHECK(m.access("/mine", 0) == 0);
    CHECK(m.access("/missing", 0) == e(Errno::NOENT));
    CHECK(m.access("/mine", 8) == e(Errno::INVAL));
    CHECK(m.access("/mine", 0, 0x1) == e(Errno::INVAL));
    m.be_root();
    CHECK(m.access("/exe", kMayExec) == e(Errno::ACCES)); // root, but no x bit anywhere
    CHECK(m.access("/exe", kMayRead | kMayWrite) == 0);
}

TEST_CASE("permissions: a read-only mount refuses writes with EROFS", "[fs][permission]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/ro") == 0);
    REQUIRE(m.mount_tmpfs("/ro") == 0);
    m.write_file("/ro/f", "x");
    auto c = m.caller();
    REQUIRE_FALSE(fs::mount(c, "", "/ro", "", kMsRemount | kMsRdOnly, "").is_error());
    CHECK(m.open("/ro/f", kOWrOnly) == -e(Errno::ROFS));
    CHECK(m.open("/ro/g", kOWrOnly | kOCreat) == -e(Errno::ROFS));
    CHECK(m.mkdir("/ro/d") == e(Errno::ROFS));
    CHECK(m.unlink("/ro/f") == e(Errno::ROFS));
    CHECK(m.chmod("/ro/f", 0600) == e(Errno::ROFS));
    CHECK(m.access("/ro/f", kMayWrite) == e(Errno::ROFS));
    REQUIRE(m.chmod("/ro/f", 0444) == e(Errno::ROFS));
    m.be(1000, 1000, {});
    CHECK(m.access("/ro/f", kMayWrite) == e(Errno::ACCES)); // EACCES comes before EROFS
    m.be_root();
    CHECK(m.read_file("/ro/f") == "x");
    REQUIRE(m.umount("/ro") == 0);
}
