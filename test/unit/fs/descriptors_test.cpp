// Open file descriptions and descriptor tables: offsets shared by dup and fork but not by two opens, the
// lowest free descriptor, dup2/dup3 rules, EMFILE, close-on-exec, lseek, O_APPEND, and open(2)'s flags.
#include "fs_machine.hpp"

using namespace fs_test;

namespace {

std::string read_fd(FsMachine& m, int fd, usize count)
{
    auto file = m.fds->get(fd).release_value();
    std::string buffer(count, '?');
    auto got = file->read(buffer.data(), count);
    REQUIRE_FALSE(got.is_error());
    buffer.resize(got.value());
    return buffer;
}

} // namespace

TEST_CASE("descriptors: dup'd and forked descriptors share an offset, two opens do not", "[fs][fd]")
{
    FsMachine m;
    m.write_file("/f", "0123456789");
    int a = m.open("/f", kORdOnly);
    int b = m.open("/f", kORdOnly);
    REQUIRE(a == 0);
    REQUIRE(b == 1);
    int a2 = m.fds->dup(a, 1024).value();
    CHECK(a2 == 2);
    CHECK(read_fd(m, a, 3) == "012");
    CHECK(read_fd(m, a2, 3) == "345"); // same description
    CHECK(read_fd(m, b, 3) == "012"); // its own
    // fork: the copy names the same descriptions.
    auto child = m.fds->clone().release_value();
    CHECK(child->open_count() == 3);
    auto in_child = child->get(a).release_value();
    char buffer[2];
    REQUIRE(in_child->read(buffer, 2).value() == 2);
    CHECK(std::string(buffer, 2) == "67");
    CHECK(read_fd(m, a, 2) == "89");
    // Closing in the child leaves the parent's descriptor open.
    REQUIRE_FALSE(child->close(a).is_error());
    CHECK(m.fds->get(a).value()->offset() == 10);
    // A CLONE_FILES sharer sees the same table: a close there is a close here.
    RefPtr<FdTable> shared = m.fds;
    REQUIRE_FALSE(shared->close(b).is_error());
    CHECK(is_error(m.fds->get(b), Errno::BADF));
}

TEST_CASE("descriptors: lowest free descriptor, dup2 and dup3 rules, EBADF", "[fs][fd]")
{
    FsMachine m;
    m.write_file("/f", "x");
    int a = m.open("/f", kORdOnly);
    int b = m.open("/f", kORdOnly);
    int c = m.open("/f", kORdOnly);
    REQUIRE((a == 0 && b == 1 && c == 2));
    REQUIRE(m.close(b) == 0);
    CHECK(m.open("/f", kORdOnly) == 1); // the hole is refilled first
    CHECK(m.close(7) == e(Errno::BADF));
    CHECK(m.close(-1) == e(Errno::BADF));
    CHECK(m.close(b) == 0);
    CHECK(m.close(b) == e(Errno::BADF));
    auto& fds = *m.fds;
    CHECK(fds.dup2(a, a, 1024).value() == a); // same fd: returned as is
    CHECK(is_error(fds.dup2(5, 5, 1024), Errno::BADF)); // unless it is not open
    CHECK(is_error(fds.dup3(a, a, 0, 1024), Errno::INVAL));
    CHECK(is_error(fds.dup3(a, 9, kOAppend, 1024), Errno::INVAL));
    CHECK(is_error(fds.dup2(a, 1024, 1024), Errno::BADF)); // new fd past the limit
    CHECK(is_error(fds.dup2(a, -1, 1024), Errno::BADF));
    CHECK(is_error(fds.dup2(42, 3, 1024), Errno::BADF));
    CHECK(fds.dup2(a, 100, 1024).value() == 100);
    CHECK(fds.get(100).value() == fds.get(a).value());
    // dup2 over an open descriptor closes what it named.
    int other = m.open("/f", kORdOnly);
    auto before = fds.get(other).release_value();
    CHECK(fds.dup2(a, other, 1024).value() == other);
    CHECK(fds.get(other).value() == fds.get(a).value());
    CHECK(before->ref_count() == 1); // only ours is left
    CHECK(fds.dup3(a, 50, kOCloExec, 1024).value() == 50);
    CHECK(fds.close_on_exec(50).value());
    CHECK_FALSE(fds.close_on_exec(100).value());
    // F_DUPFD: the lowest free at or above min.
    CHECK(fds.dup_from(a, 50, false, 1024).value() == 51);
    CHECK(is_error(fds.dup_from(a, 1024, false, 1024), Errno::INVAL));
}

TEST_CASE("descriptors: EMFILE at the limit, and open creates nothing then", "[fs][fd]")
{
    FsMachine m;
    m.write_file("/f", "x");
    auto c = m.caller();
    c.fd_limit = 4;
    for (int i = 0; i < 4; ++i)
        CHECK(openat(c, kAtFdCwd, "/f", kORdOnly, 0).value() == i);
    CHECK(is_error(openat(c, kAtFdCwd, "/f", kORdOnly, 0), Errno::MFILE));
    CHECK(is_error(openat(c, kAtFdCwd, "/new", kOCreat | kOWrOnly, 0644), Errno::MFILE));
    CHECK_FALSE(m.exists("/new"));
    CHECK(is_error(m.fds->dup(0, 4), Errno::MFILE));
    CHECK(is_error(m.fds->dup_from(0, 2, false, 4), Errno::MFILE));
    REQUIRE(m.close(2) == 0);
    CHECK(m.fds->dup(0, 4).value() == 2);
    // A table grows past its first allocation.
    c.fd_limit = 1024;
    int last = -1;
    for (int i = 0; i < 300; ++i)
        last = openat(c, kAtFdCwd, "/f", kORdOnly, 0).value();
    CHECK(last == 303);
    CHECK(m.fds->open_count() == 304);
}

TEST_CASE("descriptors: close-on-exec", "[fs][fd]")
{
    FsMachine m;
    m.write_file("/f", "x");
    int keep = m.open("/f", kORdOnly);
    int drop = m.open("/f", kORdOnly | kOCloExec);
    int later = m.open("/f", kORdOnly);
    CHECK(m.fds->close_on_exec(drop).value());
    CHECK_FALSE(m.fds->close_on_exec(keep).value());
    REQUIRE_FALSE(m.fds->set_close_on_exec(later, true).is_error());
    CHECK(is_error(m.fds->set_close_on_exec(77, true), Errno::BADF));
    int duplicate = m.fds->dup(drop, 1024).value(); // dup clears the flag
    CHECK_FALSE(m.fds->close_on_exec(duplicate).value());
    auto copy = m.fds->clone().release_value(); // fork keeps the flags
    CHECK(copy->close_on_exec(drop).value());
    m.fds->close_on_exec_all();
    CHECK_FALSE(m.fds->get(keep).is_error());
    CHECK_FALSE(m.fds->get(duplicate).is_error());
    CHECK(is_error(m.fds->get(drop), Errno::BADF));
    CHECK(is_error(m.fds->get(later), Errno::BADF));
    CHECK_FALSE(copy->get(drop).is_error()); // the fork's own table is untouched
}

TEST_CASE("open files: read/write access, lseek, O_APPEND", "[fs][fd]")
{
    FsMachine m;
    m.write_file("/f", "hello");
    int ro = m.open("/f", kORdOnly);
    int wo = m.open("/f", kOWrOnly);
    int path = m.open("/f", kOPath);
    auto& fds = *m.fds;
    char buffer[16];
    CHECK(is_error(fds.get(ro).value()->write("x", 1), Errno::BADF));
    CHECK(is_error(fds.get(wo).value()->read(buffer, 1), Errno::BADF));
    CHECK(is_error(fds.get(path).value()->read(buffer, 1), Errno::BADF));
    CHECK(is_error(fds.get(path).value()->seek(0, kSeekSet), Errno::BADF));
    auto file = fds.get(ro).release_value();
    CHECK(file->seek(2, kSeekSet).value() == 2);
    CHECK(file->seek(1, kSeekCur).value() == 3);
    CHECK(file->seek(-1, kSeekEnd).value() == 4);
    CHECK(is_error(file->seek(-10, kSeekCur), Errno::INVAL));
    CHECK(file->offset() == 4); // a failed seek moves nothing
    CHECK(is_error(file->seek(0, 7), Errno::INVAL));
    CHECK(is_error(file->seek(INT64_MAX, kSeekEnd), Errno::INVAL)); // overflow
    CHECK(file->seek(100, kSeekSet).value() == 100); // past the end is fine
    CHECK(file->read(buffer, 16).value() == 0);
    CHECK(is_error(file->pread(buffer, 1, -1), Errno::INVAL));
    // A write past the end leaves a hole of zeros.
    auto writer = fds.get(wo).release_value();
    REQUIRE(writer->seek(8, kSeekSet).value() == 8);
    REQUIRE(writer->write("!", 1).value() == 1);
    CHECK(m.read_file("/f") == std::string("hello\0\0\0!", 9));
    // O_APPEND: every write goes to the end, whatever the offset.
    int app = m.open("/f", kOWrOnly | kOAppend);
    auto appender = fds.get(app).release_value();
    REQUIRE(appender->seek(0, kSeekSet).value() == 0);
    REQUIRE(appender->write("AB", 2).value() == 2);
    CHECK(appender->offset() == 11);
    REQUIRE(writer->write("?", 1).value() == 1); // the plain writer overwrites at its offset 9
    REQUIRE(appender->write("C", 1).value() == 1);
    CHECK(m.read_file("/f") == std::string("hello\0\0\0!?BC", 12));
    // F_SETFL changes only the status flags it may.
    appender->set_status_flags(kONonBlock | kORdWr);
    CHECK((appender->flags() & kOAccMode) == kOWrOnly);
    CHECK((appender->flags() & kOAppend) == 0);
    CHECK((appender->flags() & kONonBlock) != 0);
    // A write at the largest size is EFBIG.
    auto large = m.fds->get(m.open("/f", kOWrOnly | kOLargeFile)).release_value();
    REQUIRE(large->seek(static_cast<i64>(kMaxFileSize), kSeekSet).value() == kMaxFileSize);
    CHECK(is_error(large->write("x", 1), Errno::FBIG));
    REQUIRE(writer->seek(static_cast<i64>(kMaxFileSize), kSeekSet).value() == kMaxFileSize);
    CHECK(is_error(writer->write("x", 1), Errno::FBIG));
    CHECK(is_error(writer->seek(static_cast<i64>(kMaxFileSize) + 1, kSeekSet), Errno::INVAL));
}

TEST_CASE("open: O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH, directories", "[fs][fd]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/d") == 0);
    m.write_file("/f", "content");
    REQUIRE(m.symlink("/f", "/link") == 0);
    REQUIRE(m.symlink("/d/target", "/dangling") == 0);
    CHECK(m.open("/missing", kORdOnly) == -e(Errno::NOENT));
    CHECK(m.open("/f", kOCreat | kOExcl | kOWrOnly) == -e(Errno::EXIST));
    CHECK(m.open("/link", kOCreat | kOExcl | kOWrOnly) == -e(Errno::EXIST));
    // O_EXCL does not follow even a dangling symlink...
    CHECK(m.open("/dangling", kOCreat | kOExcl | kOWrOnly) == -e(Errno::EXIST));
    CHECK_FALSE(m.exists("/d/target"));
    // ...while plain O_CREAT creates the symlink's target.
    CHECK(m.open("/dangling", kOCreat | kOWrOnly) >= 0);
    CHECK(is_reg(m.stat("/d/target").mode));
    CHECK(m.open("/missing-dir/x", kOCreat | kOWrOnly) == -e(Errno::NOENT));
    // O_TRUNC empties, without O_CREAT too.
    CHECK(m.open("/link", kOWrOnly | kOTrunc) >= 0);
    CHECK(m.stat("/f").size == 0);
    // Directories.
    CHECK(m.open("/d", kOWrOnly) == -e(Errno::ISDIR));
    CHECK(m.open("/d", kORdWr) == -e(Errno::ISDIR));
    CHECK(m.open("/d", kORdOnly) >= 0);
    CHECK(m.open("/d", kOCreat | kORdOnly) == -e(Errno::ISDIR));
    CHECK(m.open("/", kOCreat | kORdOnly) == -e(Errno::ISDIR));
    CHECK(m.open("/d/.", kOCreat | kORdOnly) == -e(Errno::ISDIR));
    CHECK(m.open("/f", kORdOnly | kODirectory) == -e(Errno::NOTDIR));
    CHECK(m.open("/d", kORdOnly | kODirectory) >= 0);
    CHECK(m.open("/newdir", kOCreat | kODirectory | kORdOnly) == -e(Errno::INVAL));
    CHECK_FALSE(m.exists("/newdir"));
    // O_NOFOLLOW.
    CHECK(m.open("/link", kORdOnly | kONoFollow) == -e(Errno::LOOP));
    int path_fd = m.open("/link", kOPath | kONoFollow);
    REQUIRE(path_fd >= 0);
    auto path_file = m.fds->get(path_fd).release_value();
    CHECK(path_file->is_path_only());
    CHECK(path_file->inode().is_symlink());
    // O_PATH needs no read permission and ignores O_TRUNC/O_CREAT.
    m.write_file("/secret", "s", 0000);
    m.be(1000, 1000, {});
    CHECK(m.open("/secret", kORdOnly) == -e(Errno::ACCES));
    CHECK(m.open("/secret", kOPath | kOTrunc) >= 0);
    m.be_root();
    CHECK(m.stat("/secret").size == 1);
    // O_TMPFILE is not supported here.
    CHECK(m.open("/d", kOTmpFile | kORdWr, 0600) == -e(Errno::OPNOTSUPP));
    // *at with a directory descriptor.
    int dirfd = m.open("/d", kORdOnly | kODirectory);
    auto c = m.caller();
    auto at = openat(c, dirfd, "made-at", kOCreat | kOWrOnly, 0600);
    REQUIRE_FALSE(at.is_error());
    CHECK(m.exists("/d/made-at"));
    CHECK(is_error(openat(c, m.open("/f", kORdOnly), "x", kORdOnly, 0), Errno::NOTDIR));
    CHECK(is_error(mkdirat(c, 555, "x", 0755), Errno::BADF));
    REQUIRE_FALSE(mkdirat(c, dirfd, "sub", 0755).is_error());
    CHECK(is_dir(m.stat("/d/sub").mode));
}
