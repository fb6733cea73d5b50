// The newc unpacker: a good archive with every file type and hard links, and archives broken in every field.
#include "cpio_builder.hpp"
#include "fs_machine.hpp"

#include "fs/cpio.hpp"
#include "kernel/log.hpp"

using namespace fs_test;

namespace {

CpioSummary unpack(FsMachine& m, const std::string& bytes)
{
    auto summary = unpack_cpio(m.fs->root(), reinterpret_cast<const u8*>(bytes.data()), bytes.size());
    REQUIRE_FALSE(summary.is_error());
    return summary.value();
}

std::string log_text()
{
    static char buffer[65536];
    usize length = log_read_ring(buffer, sizeof buffer);
    return std::string(buffer, length);
}

} // namespace

TEST_CASE("cpio: a good archive with every kind of entry", "[fs][cpio]")
{
    FsMachine m;
    CpioBuilder archive;
    archive.add(CpioEntry { ".", 040700, "", 0, 0, 0, 2, 1111 });
    archive.add(CpioEntry { "bin", 040755, "", 0, 0, 0, 2, 2222 });
    archive.add(CpioEntry { "bin/busybox", 0104755, "ELF...", 0, 10, 20, 1, 3333 });
    archive.symlink("bin/sh", "busybox");
    archive.dir("dev");
    archive.add(CpioEntry { "dev/console", 020600, "", 0, 0, 0, 1, 0, 0, 0, 5, 1 });
    archive.add(CpioEntry { "dev/sda", 060660, "", 0, 0, 6, 1, 0, 0, 0, 8, 0 });
    archive.add(CpioEntry { "dev/fifo", 010644 });
    archive.add(CpioEntry { "dev/socket", 0140755 });
    // A hard-linked pair: the first name has no data, the last carries it (GNU cpio's order).
    archive.add(CpioEntry { "bin/ls", 0100755, "", 77, 0, 0, 2, 4444 });
    archive.add(CpioEntry { "bin/dir", 0100755, "listing", 77, 0, 0, 2, 4444 });
    archive.add(CpioEntry { "/etc", 040755 }); // absolute: relative to the target
    archive.add(CpioEntry { "./etc/passwd", 0100600, "root:x:0:0\n" });
    archive.trailer();
    log_reset();
    CpioSummary summary = unpack(m, archive.bytes);
    INFO(log_text());
    CHECK(summary.unpacked == 13);
    CHECK(summary.skipped == 0);
    CHECK(summary.archives == 1);
    CHECK_FALSE(summary.truncated);

    CHECK(m.stat("/").mode == (kIfDir | 0700));
    CHECK(m.stat("/").mtime_ns == 1111000000000);
    CHECK(m.stat("/bin").mtime_ns == 2222000000000); // set after its contents were made
    Stat busybox = m.stat("/bin/busybox");
    CHECK(busybox.mode == (kIfReg | 04755)); // chown before chmod keeps set-user-ID
    CHECK(busybox.uid == 10);
    CHECK(busybox.gid == 20);
    CHECK(busybox.mtime_ns == 3333000000000);
    CHECK(m.read_file("/bin/busybox") == "ELF...");
    CHECK(is_lnk(m.stat("/bin/sh", false).mode));
    CHECK(m.read_file("/bin/sh") == "ELF...");
    Stat console = m.stat("/dev/console");
    CHECK(console.mode == (kIfChr | 0600));
    CHECK(console.rdev == make_dev(5, 1));
    CHECK(m.stat("/dev/sda").rdev == make_dev(8, 0));
    CHECK(m.stat("/dev/sda").gid == 6);
    CHECK(is_fifo(m.stat("/dev/fifo").mode));
    CHECK(is_sock(m.stat("/dev/socket").mode));
    CHECK(m.stat("/bin/ls").ino == m.stat("/bin/dir").ino);
    CHECK(m.stat("/bin/ls").nlink == 2);
    CHECK(m.read_file("/bin/ls") == "listing");
    CHECK(m.read_file("/etc/passwd") == "root:x:0:0\n");
    CHECK(m.stat("/etc/passwd").mode == (kIfReg | 0600));
}

TEST_CASE("cpio: checksummed archives (070702)", "[fs][cpio]")
{
    FsMachine m;
    CpioBuilder archive(true);
    archive.file("good", "checked");
    archive.add(CpioEntry { "bad", 0100644, "tampered", 0, 0, 0, 1, 0, 0, 0, 0, 0, -1, -1, 12345 });
    archive.file("after", "fine");
    archive.trailer();
    log_reset();
    CpioSummary summary = unpack(m, archive.bytes);
    CHECK(summary.unpacked == 2);
    CHECK(summary.skipped == 1);
    CHECK(m.read_file("/good") == "checked");
    CHECK_FALSE(m.exists("/bad"));
    CHECK(m.read_file("/after") == "fine");
    CHECK(log_text().find("checksum") != std::string::npos);
}

TEST_CASE("cpio: bad names are skipped and unpacking goes on", "[fs][cpio]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/target") == 0);
    m.write_file("/outside", "keep");
    CpioBuilder archive;
    archive.file("../outside", "overwritten!");
    archive.file("a/../../outside", "overwritten!");
    archive.file("..", "x");
    archive.file("missing-parent/file", "x");
    CpioEntry embedded_nul { std::string("ab\0cd", 5), 0100644, "x" };
    archive.add(embedded_nul);
    archive.add(CpioEntry { "odd-type", 0170644 });
    archive.symlink("empty-link", "");
    archive.file("ok", "fine");
    archive.trailer();
    log_reset();
    Path target = resolve_path(m.fs->root(), m.fs->cwd(), "/target", true, m.credentials).release_value();
    auto summary = unpack_cpio(target, reinterpret_cast<const u8*>(archive.bytes.data()), archive.bytes.size());
    REQUIRE_FALSE(summary.is_error());
    CHECK(summary.value().unpacked == 1);
    CHECK(summary.value().skipped == 7);
    CHECK(m.read_file("/outside") == "keep");
    CHECK(m.read_file("/target/ok") == "fine");
    std::string log = log_text();
    CHECK(log.find("\"..\"") != std::string::npos);
    CHECK(log.find("unknown file type") != std::string::npos);
    CHECK(log.find("ENOENT") != std::string::npos);
}

TEST_CASE("cpio: corrupt headers and truncation stop cleanly", "[fs][cpio]")
{
    CpioBuilder good;
    good.file("one", "1111");
    good.file("two", "2222");
    good.trailer();
    const std::string& bytes = good.bytes;
    usize second = bytes.find("070701", 1);
    REQUIRE(second != std::string::npos);

    SECTION("every truncation point keeps what came before and never reads past the end")
    {
        for (usize cut = 0; cut < bytes.size(); ++cut) {
            FsMachine m;
            CpioSummary summary = unpack(m, bytes.substr(0, cut));
            INFO("cut " << cut);
            CHECK(summary.unpacked == (cut >= second ? 1u : 0u) + (cut >= bytes.find("070701", second + 1) ? 1u : 0u));
            CHECK(summary.archives == 0);
            if (cut >= second)
                CHECK(m.read_file("/one") == "1111");
        }
    }
    SECTION("a bad magic stops at that entry")
    {
        FsMachine m;
        std::string broken = bytes;
        broken[second + 5] = '7';
        CpioSummary summary = unpack(m, broken);
        CHECK(summary.unpacked == 1);
        CHECK(summary.truncated);
        CHECK_FALSE(m.exists("/two"));
    }
    SECTION("a non-hex digit stops at that entry")
    {
        FsMachine m;
        std::string broken = bytes;
        broken[second + 6 + 8 * 6 + 3] = 'g'; // in filesize
        CpioSummary summary = unpack(m, broken);
        CHECK(summary.unpacked == 1);
        CHECK(summary.truncated);
    }
    SECTION("sizes past the end stop; a zero namesize stops")
    {
        FsMachine m;
        CpioBuilder huge;
        huge.file("first", "ok");
        huge.add(CpioEntry { "big", 0100644, "abc", 0, 0, 0, 1, 0, 0, 0, 0, 0, -1, 0x7fffffff });
        CpioSummary summary = unpack(m, huge.bytes);
        CHECK(summary.unpacked == 1);
        CHECK(summary.truncated);
        CpioBuilder no_name;
        no_name.add(CpioEntry { "x", 0100644, "", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 });
        CHECK(unpack(m, no_name.bytes).truncated);
        CpioBuilder long_name;
        long_name.add(CpioEntry { "x", 0100644, "", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x10000 });
        CHECK(unpack(m, long_name.bytes).truncated);
    }
    SECTION("a namesize without the NUL at its end skips the entry")
    {
        FsMachine m;
        CpioBuilder archive;
        archive.add(CpioEntry { "abcd", 0100644, "", 0, 0, 0, 1, 0, 0, 0, 0, 0, 3 });
        archive.file("next", "n");
        CpioSummary summary = unpack(m, archive.bytes);
        CHECK(summary.skipped >= 1);
        CHECK_FALSE(m.exists("/ab"));
    }
    SECTION("concatenated archives with zero padding between them")
    {
        FsMachine m;
        CpioBuilder second_archive;
        second_archive.file("three", "3");
        second_archive.trailer();
        std::string both = bytes + std::string(512, '\0') + second_archive.bytes + std::string(7, '\0');
        CpioSummary summary = unpack(m, both);
        CHECK(summary.archives == 2);
        CHECK(summary.unpacked == 3);
        CHECK_FALSE(summary.truncated);
        CHECK(m.read_file("/three") == "3");
    }
}

TEST_CASE("cpio: entries replace what is already there", "[fs][cpio]")
{
    FsMachine m;
    m.write_file("/was-file", "old");
    REQUIRE(m.mkdir("/was-dir") == 0);
    REQUIRE(m.mkdir("/full-dir") == 0);
    m.write_file("/full-dir/x", "");
    m.write_file("/same", "old contents that are longer");
    CpioBuilder archive;
    archive.dir("was-file");
    archive.file("was-dir", "now a file");
    archive.symlink("full-dir", "cannot replace a non-empty directory");
    archive.file("same", "new");
    archive.dir("was-file"); // a directory again: kept, attributes applied
    archive.trailer();
    CpioSummary summary = unpack(m, archive.bytes);
    CHECK(summary.unpacked == 4);
    CHECK(summary.skipped == 1);
    CHECK(is_dir(m.stat("/was-file").mode));
    CHECK(m.read_file("/was-dir") == "now a file");
    CHECK(is_dir(m.stat("/full-dir").mode));
    CHECK(m.read_file("/same") == "new");
}
