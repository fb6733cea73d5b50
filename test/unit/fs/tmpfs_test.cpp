// tmpfs: sparse files, truncate, the size limit, large directories, getdents cookies, link counts and times.
#include <chrono>
#include <pthread.h>

#include "fs/devices.hpp"
#include "fs_machine.hpp"

#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"

using namespace fs_test;

namespace {

RefPtr<OpenFile> open_file_at(FsMachine& m, StringView path, u32 flags, u32 mode = 0644)
{
    auto c = m.caller();
    auto file = open_file(c, kAtFdCwd, path, flags, mode);
    INFO("open " << std::string(path.characters(), path.length()) << " " << err(file));
    REQUIRE_FALSE(file.is_error());
    return file.release_value();
}

// Free pages once empty slabs are given back, so that kmalloc's churn does not blur page counts.
usize free_pages_now()
{
    mm::kmalloc_shrink();
    return mm::page_allocator().free_pages();
}

std::string read_all_at(OpenFile& file, i64 offset, usize count)
{
    std::string buffer(count, '?');
    auto got = file.pread(buffer.data(), count, offset);
    REQUIRE_FALSE(got.is_error());
    buffer.resize(got.value());
    return buffer;
}

} // namespace

TEST_CASE("tmpfs: sparse files hold only the pages written, holes read as zeros", "[fs][tmpfs]")
{
    FsMachine m;
    REQUIRE(m.close(m.open("/", kORdOnly)) == 0); // the descriptor table's array, allocated once, stays
    usize free_before = free_pages_now();
    auto file = open_file_at(m, "/sparse", kORdWr | kOCreat | kOLargeFile);
    usize created = free_pages_now(); // the name took some kmalloc memory
    const u64 far = u64 { 5 } << 30; // 5 GiB: past 32 bits
    REQUIRE(file->pwrite("end", 3, static_cast<i64>(far)).value() == 3);
    Stat st = m.stat("/sparse");
    CHECK(st.size == far + 3);
    CHECK(st.blocks == 8); // one 4 KiB page
    CHECK(free_pages_now() == created - 1);
    CHECK(read_all_at(*file, 0, 16) == std::string(16, '\0'));
    CHECK(read_all_at(*file, static_cast<i64>(far - 2), 10) == std::string("\0\0end", 5));
    CHECK(read_all_at(*file, static_cast<i64>(far + 3), 10).empty());
    // A write straddling a page boundary takes two pages.
    std::string across(10, 'x');
    REQUIRE(file->pwrite(across.data(), across.size(), 4096 - 5).value() == 10);
    CHECK(m.stat("/sparse").blocks == 24);
    CHECK(read_all_at(*file, 4090, 12) == std::string("\0", 1) + std::string(10, 'x') + std::string("\0", 1));
    // SEEK_DATA / SEEK_HOLE see the holes.
    CHECK(file->seek(0, kSeekData).value() == 0);
    CHECK(file->seek(0, kSeekHole).value() == 8192);
    CHECK(file->seek(8192, kSeekData).value() == (far & ~u64 { 4095 }));
    CHECK(is_error(file->seek(static_cast<i64>(far + 3), kSeekData), Errno::NXIO));
    CHECK(file->seek(static_cast<i64>(far), kSeekHole).value() == far + 3);
    // Without O_LARGEFILE (an old 32-bit binary) the big file cannot be opened, nor written past 2 GiB.
    CHECK(m.open("/sparse", kORdOnly) == -e(Errno::OVERFLOW));
    CHECK(m.open("/sparse", kORdOnly | kOLargeFile) >= 0);
    auto small = open_file_at(m, "/small", kORdWr | kOCreat);
    CHECK(small->pwrite("abcd", 4, 0x7ffffffe).value() == 1); // cut at 2 GiB - 1
    CHECK(is_error(small->pwrite("abcd", 4, 0x7fffffff), Errno::FBIG));
    small.reset();
    REQUIRE(m.unlink("/small") == 0);
    file.reset();
    m.fds->close_all();
    REQUIRE(m.unlink("/sparse") == 0);
    CHECK(free_pages_now() == free_before);
}

TEST_CASE("tmpfs: truncate frees pages and zeros what comes back", "[fs][tmpfs]")
{
    FsMachine m;
    auto file = open_file_at(m, "/t", kORdWr | kOCreat);
    usize free_before = free_pages_now();
    std::string data(3 * 4096, 'a');
    REQUIRE(file->write(data.data(), data.size()).value() == data.size());
    CHECK(free_pages_now() == free_before - 3);
    auto c = m.caller();
    REQUIRE_FALSE(truncate(c, "/t", 4096 + 10).is_error());
    CHECK(m.stat("/t").size == 4106);
    CHECK(free_pages_now() == free_before - 2);
    // Growing again reads zeros past the old cut, not the old bytes.
    REQUIRE_FALSE(truncate(c, "/t", 3 * 4096).is_error());
    CHECK(m.stat("/t").blocks == 16); // growing allocates nothing
    std::string back = read_all_at(*file, 4096, 4096);
    CHECK(back == std::string(10, 'a') + std::string(4086, '\0'));
    REQUIRE_FALSE(truncate(c, "/t", 0).is_error());
    CHECK(free_pages_now() == free_before);
    CHECK(m.stat("/t").blocks == 0);
    // Errors.
    CHECK(is_error(truncate(c, "/t", -1), Errno::INVAL));
    REQUIRE(m.mkdir("/d") == 0);
    CHECK(is_error(truncate(c, "/d", 0), Errno::ISDIR));
    CHECK(is_error(truncate(c, "/missing", 0), Errno::NOENT));
    int ro = m.open("/t", kORdOnly);
    int rw = m.open("/t", kORdWr);
    int dir = m.open("/d", kORdOnly);
    CHECK(is_error(ftruncate(c, ro, 10), Errno::INVAL));
    CHECK(is_error(ftruncate(c, dir, 10), Errno::INVAL));
    CHECK(is_error(ftruncate(c, 99, 10), Errno::BADF));
    CHECK(is_error(ftruncate(c, rw, -5), Errno::INVAL));
    CHECK_FALSE(ftruncate(c, rw, 100).is_error());
    CHECK(m.stat("/t").size == 100);
    CHECK(is_error(truncate(c, "/t", i64 { 1 } << 62), Errno::FBIG));
}

TEST_CASE("tmpfs: a size limit gives ENOSPC, short writes first", "[fs][tmpfs]")
{
    FsMachine m("size=16k");
    auto file = open_file_at(m, "/big", kORdWr | kOCreat);
    std::string data(5 * 4096, 'z');
    auto written = file->write(data.data(), data.size());
    REQUIRE_FALSE(written.is_error());
    CHECK(written.value() == 4 * 4096); // a short write up to the limit
    CHECK(is_error(file->write(data.data(), 1), Errno::NOSPC));
    // Holes cost nothing, so a sparse file far past the limit is fine until written.
    auto other = open_file_at(m, "/other", kORdWr | kOCreat);
    auto c = m.caller();
    REQUIRE_FALSE(ftruncate(c, m.open("/other", kORdWr), 1 << 30).is_error());
    CHECK(is_error(other->pwrite("x", 1, 12345), Errno::NOSPC));
    // Freeing pages makes room again.
    REQUIRE_FALSE(truncate(c, "/big", 4096).is_error());
    CHECK(other->pwrite("x", 1, 12345).value() == 1);
    StatFs info {};
    m.root_mount->superblock().statfs(info);
    CHECK(info.blocks == 4);
    CHECK(info.blocks_free == 2);
    // Bad options are refused.
    CHECK(is_error(tmpfs::create("size=12q"), Errno::INVAL));
    CHECK(is_error(tmpfs::create("colour=blue"), Errno::INVAL));
    CHECK(is_error(tmpfs::create("size"), Errno::INVAL));
    auto with_mode = tmpfs::create("mode=0700,uid=5,gid=6,nr_inodes=3");
    REQUIRE_FALSE(with_mode.is_error());
    CHECK(with_mode.value().root->mode() == (kIfDir | 0700));
    CHECK(with_mode.value().root->attributes().uid == 5);
    CHECK(with_mode.value().root->attributes().gid == 6);
    // nr_inodes counts the root: two more fit.
    auto& root = *with_mode.value().root;
    CHECK_FALSE(root.create("a", kIfReg | 0644, 0, 0, 0).is_error());
    CHECK_FALSE(root.create("b", kIfReg | 0644, 0, 0, 0).is_error());
    CHECK(is_error(root.create("c", kIfReg | 0644, 0, 0, 0), Errno::NOSPC));
}

TEST_CASE("tmpfs: 10,000-entry directories stay fast and lookups are not linear", "[fs][tmpfs]")
{
    FsMachine m("nr_inodes=0"); // no limit: Linux's default, half the RAM's pages, is 6,000 here
    REQUIRE(m.mkdir("/big") == 0);
    Path big = resolve_path(m.fs->root(), m.fs->cwd(), "/big", true, m.credentials).release_value();
    auto& dir = static_cast<tmpfs::TmpfsInode&>(*big.inode);
    constexpr int kCount = 10000;
    auto start = std::chrono::steady_clock::now();
    char name[32];
    for (int i = 0; i < kCount; ++i) {
        snprintf(name, sizeof name, "/big/file-%05d", i);
        int fd = m.open(name, kOWrOnly | kOCreat | kOExcl);
        REQUIRE(fd >= 0);
        REQUIRE(m.close(fd) == 0);
    }
    CHECK(dir.entry_count() == kCount);
    CHECK(m.stat("/big").size == kCount);
    for (int i = 0; i < kCount; ++i) {
        snprintf(name, sizeof name, "/big/file-%05d", i);
        Stat st {};
        REQUIRE(m.stat(name, st) == 0);
    }
    auto lookup_cost = [&](const char* n) {
        // Time 2000 lookups of one name; a linear scan of 10,000 entries would take far longer.
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 2000; ++i)
            REQUIRE_FALSE(dir.lookup(n).is_error());
        return std::chrono::steady_clock::now() - t0;
    };
    auto first = lookup_cost("file-00000");
    auto last = lookup_cost("file-09999");
    // Both ends of the directory cost about the same (a linear scan would make the last 10,000x dearer).
    CHECK(last < first * 20 + std::chrono::milliseconds(5));
    CHECK(first < std::chrono::milliseconds(200));
    EntryList listing;
    auto file = open_file_at(m, "/big", kORdOnly | kODirectory);
    REQUIRE_FALSE(file->iterate(listing).is_error());
    CHECK(listing.items.size() == kCount + 2);
    for (int i = 0; i < kCount; ++i) {
        snprintf(name, sizeof name, "/big/file-%05d", i);
        REQUIRE(m.unlink(name) == 0);
    }
    CHECK(dir.entry_count() == 0);
    REQUIRE(m.rmdir("/big") == 0);
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("tmpfs: getdents offsets survive concurrent unlinks", "[fs][tmpfs]")
{
    FsMachine m;
    REQUIRE(m.mkdir("/d") == 0);
    for (int i = 0; i < 10; ++i)
        m.write_file(StringView(("/d/e" + std::to_string(i)).c_str()), "");
    auto dir = open_file_at(m, "/d", kORdOnly | kODirectory);
    EntryList first;
    first.room = 5; // ".", "..", e0, e1, e2
    REQUIRE_FALSE(dir->iterate(first).is_error());
    REQUIRE(first.items.size() == 5);
    CHECK(first.items[0].name == ".");
    CHECK(first.items[0].ino == m.stat("/d").ino);
    CHECK(first.items[1].name == "..");
    CHECK(first.items[1].ino == m.stat("/").ino);
    CHECK(first.items[2].name == "e0");
    CHECK(first.items[2].type == dirent_type(kIfReg));
    CHECK(dir->offset() == first.items[4].next_offset);
    // Remove one already listed, the very next one, and one later; add a new one.
    REQUIRE(m.unlink("/d/e1") == 0);
    REQUIRE(m.unlink("/d/e3") == 0);
    REQUIRE(m.unlink("/d/e7") == 0);
    m.write_file("/d/new", "");
    EntryList rest;
    REQUIRE_FALSE(dir->iterate(rest).is_error());
    std::vector<std::string> names;
    for (auto& item : rest.items)
        names.push_back(item.name);
    CHECK(names == std::vector<std::string> { "e4", "e5", "e6", "e8", "e9", "new" });
    // Seeking back to a saved cookie resumes there.
    REQUIRE(dir->seek(static_cast<i64>(first.items[2].next_offset), kSeekSet).value() == first.items[2].next_offset);
    EntryList again;
    again.room = 1;
    REQUIRE_FALSE(dir->iterate(again).is_error());
    CHECK(again.items.at(0).name == "e2");
    REQUIRE(dir->seek(0, kSeekSet).value() == 0);
    EntryList all;
    REQUIRE_FALSE(dir->iterate(all).is_error());
    CHECK(all.items.size() == 2 + 8);
    CHECK(is_error(dir->seek(0, kSeekEnd), Errno::INVAL));
    // getdents on a removed directory gives ENOENT; on a file, ENOTDIR.
    REQUIRE(m.mkdir("/gone") == 0);
    auto gone = open_file_at(m, "/gone", kORdOnly);
    REQUIRE(m.rmdir("/gone") == 0);
    EntryList none;
    CHECK(is_error(gone->iterate(none), Errno::NOENT));
    m.write_file("/file", "");
    auto file = open_file_at(m, "/file", kORdOnly);
    CHECK(is_error(file->iterate(none), Errno::NOTDIR));
}

TEST_CASE("tmpfs: link counts of files and directories", "[fs][tmpfs]")
{
    FsMachine m;
    CHECK(m.stat("/").nlink == 2);
    REQUIRE(m.mkdir("/a") == 0);
    CHECK(m.stat("/").nlink == 3);
    CHECK(m.stat("/a").nlink == 2);
    REQUIRE(m.mkdir("/a/b") == 0);
    REQUIRE(m.mkdir("/a/c") == 0);
    CHECK(m.stat("/a").nlink == 4);
    m.write_file("/a/f", "x");
    CHECK(m.stat("/a").nlink == 4); // files do not add
    REQUIRE(m.link("/a/f", "/a/g") == 0);
    REQUIRE(m.link("/a/f", "/h") == 0);
    CHECK(m.stat("/a/f").nlink == 3);
    CHECK(m.stat("/h").ino == m.stat("/a/f").ino);
    CHECK(m.link("/a/b", "/bb") == e(Errno::PERM));
    CHECK(m.link("/a/f", "/h") == e(Errno::EXIST));
    CHECK(m.link("/missing", "/x") == e(Errno::NOENT));
    REQUIRE(m.unlink("/a/g") == 0);
    CHECK(m.stat("/h").nlink == 2);
    CHECK(m.unlink("/a/b") == e(Errno::ISDIR));
    CHECK(m.rmdir("/a/f") == e(Errno::NOTDIR));
    CHECK(m.rmdir("/a") == e(Errno::NOTEMPTY));
    CHECK(m.rmdir("/a/b/.") == e(Errno::INVAL));
    CHECK(m.rmdir("/a/b/..") == e(Errno::NOTEMPTY));
    CHECK(m.unlink("/a/.") == e(Errno::ISDIR));
    REQUIRE(m.rmdir("/a/b") == 0);
    CHECK(m.stat("/a").nlink == 3);
    // linkat: AT_SYMLINK_FOLLOW links the target, by default the link itself.
    REQUIRE(m.symlink("/h", "/sym") == 0);
    REQUIRE(m.link("/sym", "/sym2") == 0);
    CHECK(is_lnk(m.stat("/sym2", false).mode));
    REQUIRE(m.link("/sym", "/h2", kAtSymlinkFollow) == 0);
    CHECK(m.stat("/h2", false).ino == m.stat("/h").ino);
    CHECK(m.stat("/h").nlink == 3);
    // An open file outlives its last name.
    int fd = m.open("/h", kORdWr);
    REQUIRE(m.unlink("/h") == 0);
    REQUIRE(m.unlink("/h2") == 0);
    REQUIRE(m.unlink("/a/f") == 0);
    auto file = m.fds->get(fd).release_value();
    CHECK(file->inode().attributes().nlink == 0);
    CHECK(file->write("more", 4).value() == 4);
    char buffer[8] = {};
    CHECK(file->pread(buffer, 8, 0).value() == 4);
    CHECK(std::string(buffer, 4) == "more");
}

TEST_CASE("tmpfs: timestamps move like Linux's", "[fs][tmpfs]")
{
    FsMachine m;
    set_realtime_ns(1000);
    m.write_file("/f", "x");
    REQUIRE(m.mkdir("/d") == 0);
    Stat before = m.stat("/f");
    Stat dir_before = m.stat("/d");
    set_realtime_ns(5000000000);
    auto file = open_file_at(m, "/f", kOWrOnly);
    REQUIRE(file->write("y", 1).value() == 1);
    Stat after = m.stat("/f");
    CHECK(after.mtime_ns > before.mtime_ns);
    CHECK(after.ctime_ns > before.ctime_ns);
    CHECK(after.atime_ns == before.atime_ns);
    m.write_file("/d/new", "");
    CHECK(m.stat("/d").mtime_ns > dir_before.mtime_ns);
    set_realtime_ns(9000000000);
    REQUIRE(m.chmod("/f", 0600) == 0);
    Stat chmodded = m.stat("/f");
    CHECK(chmodded.ctime_ns > after.ctime_ns);
    CHECK(chmodded.mtime_ns == after.mtime_ns);
}

TEST_CASE("tmpfs: device nodes, FIFOs and sockets are inodes with rdev", "[fs][tmpfs]")
{
    FsMachine m;
    auto c = m.caller();
    // 240: a major for local use (devices.txt), which no driver of this kernel takes.
    REQUIRE_FALSE(mknodat(c, kAtFdCwd, "/null", kIfChr | 0666, make_dev(240, 3)).is_error());
    REQUIRE_FALSE(mknodat(c, kAtFdCwd, "/sda", kIfBlk | 0660, make_dev(8, 0)).is_error());
    REQUIRE_FALSE(mknodat(c, kAtFdCwd, "/fifo", kIfIfo | 0600, 1234).is_error());
    REQUIRE_FALSE(mknodat(c, kAtFdCwd, "/plain", 0600, 0).is_error());
    Stat st = m.stat("/null");
    CHECK(st.mode == (kIfChr | 0644));
    CHECK(dev_major(st.rdev) == 240);
    CHECK(dev_minor(st.rdev) == 3);
    CHECK(m.stat("/fifo").rdev == 0);
    CHECK(is_reg(m.stat("/plain").mode));
    CHECK(is_error(mknodat(c, kAtFdCwd, "/dir", kIfDir | 0755, 0), Errno::PERM));
    CHECK(is_error(mknodat(c, kAtFdCwd, "/odd", 0170000 | 0755, 0), Errno::INVAL));
    CHECK(is_error(mknodat(c, kAtFdCwd, "/null", kIfChr | 0666, 0), Errno::EXIST));
    m.be(1000, 1000, {});
    CHECK(is_error(mknodat(c, kAtFdCwd, "/tmpdev", kIfChr | 0666, make_dev(1, 3)), Errno::PERM));
    m.be_root();
    // Nobody serves these yet: opening them is ENXIO, until a driver registers the number.
    CHECK(m.open("/null", kORdWr) == -e(Errno::NXIO));
    struct Zero final : FileOperations {
        Result<usize> read(OpenFile&, u64, mm::OutBuffer& to) override { return to.put_zeros(to.remaining()); }
    };
    static Zero zero;
    REQUIRE_FALSE(register_device({ DeviceKind::Char, 240, 3, "zero240", 0666, "test" }, zero).is_error());
    int fd = m.open("/null", kORdOnly);
    REQUIRE(fd >= 0);
    char buffer[4] = { 1, 1, 1, 1 };
    CHECK(m.fds->get(fd).value()->read(buffer, 4).value() == 4);
    CHECK(buffer[3] == 0);
    CHECK(m.open("/sda", kORdOnly) == -e(Errno::NXIO));
    unregister_device(DeviceKind::Char, 240, 3);
}

TEST_CASE("tmpfs: a very deep tree is freed without deep recursion", "[fs][tmpfs]")
{
    // The kernel stack is 16 KiB; freeing a 3000-level tree recursively would need megabytes. Drop the tree
    // on a thread with a small stack: a recursion as deep as the tree overflows it (and ASan reports it).
    auto* m = new FsMachine;
    REQUIRE(m->mkdir("/top") == 0);
    REQUIRE(m->chdir("/top") == 0);
    for (int i = 0; i < 3000; ++i) {
        REQUIRE(m->mkdir("d") == 0);
        REQUIRE(m->chdir("d") == 0);
        if (i % 500 == 0)
            m->write_file("f", "data");
    }
    REQUIRE(m->chdir("/") == 0);
    usize free_pages_with_tree = mm::page_allocator().free_pages();
    struct Job {
        FsMachine* machine;
        usize free_after = 0;
    } job { m };
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 256 * 1024);
    pthread_t thread;
    auto body = [](void* argument) -> void* {
        auto* job = static_cast<Job*>(argument);
        // Dropping the root mount drops the whole tree.
        job->machine->fds->close_all();
        job->machine->fs.reset();
        job->machine->root_mount.reset();
        job->free_after = free_pages_now();
        return nullptr;
    };
    REQUIRE(pthread_create(&thread, &attributes, body, &job) == 0);
    REQUIRE(pthread_join(thread, nullptr) == 0);
    pthread_attr_destroy(&attributes);
    CHECK(job.free_after > free_pages_with_tree); // the file pages and the names came back
    m->root_mount = Mount::create_root(tmpfs::create("").release_value()).release_value();
    m->fs = FsContext::create(m->root_mount->root_path()).release_value();
    delete m;
}

TEST_CASE("tmpfs: by default at most half the RAM and as many inodes as half its pages, as Linux", "[fs][tmpfs]")
{
    FsMachine m;
    StatFs s {};
    m.root_mount->superblock().statfs(s);
    u64 half = mm::page_allocator().managed_pages() / 2;
    CHECK(s.blocks == half);
    CHECK(s.files == half);
    CHECK(s.blocks_free <= half);
}

TEST_CASE("tmpfs: running out of memory is a short write, then ENOMEM, and nothing leaks", "[fs][tmpfs]")
{
    FsMachine m("size=0", 4); // 4 MiB of RAM, the first MiB reserved; no size limit but memory itself
    auto file = open_file_at(m, "/hog", kORdWr | kOCreat);
    usize free_before = free_pages_now();
    std::string chunk(64 * 1024, 'h');
    u64 total = 0;
    Errno last {};
    for (int i = 0; i < 100; ++i) {
        auto written = file->write(chunk.data(), chunk.size());
        if (written.is_error()) {
            last = written.error();
            break;
        }
        total += written.value();
        if (written.value() < chunk.size()) {
            // The short write said how far it got; the next one has nothing left.
            CHECK(is_error(file->write(chunk.data(), chunk.size()), Errno::NOMEM));
            last = Errno::NOMEM;
            break;
        }
    }
    CHECK(last == Errno::NOMEM);
    CHECK(total > 0);
    CHECK(m.stat("/hog").size == total);
    // Metadata operations fail cleanly too once memory is gone, and work again after it is freed.
    file.reset();
    REQUIRE(m.unlink("/hog") == 0);
    CHECK(free_pages_now() >= free_before);
    m.write_file("/after", "fits again");
    CHECK(m.read_file("/after") == "fits again");
}

TEST_CASE("tmpfs: names made under failing allocations are ENOMEM and change nothing, or whole", "[fs][tmpfs]")
{
    FsMachine m;
    m.write_file("/a", "A");
    REQUIRE(m.symlink("/a", "/link") == 0);
    mm::kmalloc_shrink();
    u64 free_before = mm::page_allocator().free_pages();
    int failures = 0;
    for (u32 after = 0; after < 8; ++after) {
        // rename copies the new name before it touches either directory.
        mm::inject_allocation_failures(after);
        int renamed = m.rename("/a", "/a-new-and-longer-name");
        mm::stop_allocation_failures();
        if (renamed == e(Errno::NOMEM)) {
            ++failures;
            CHECK(m.read_file("/a") == "A");
            CHECK_FALSE(m.exists("/a-new-and-longer-name"));
        } else {
            REQUIRE(renamed == 0);
            REQUIRE(m.rename("/a-new-and-longer-name", "/a") == 0);
        }
        // A symlink and its body; following one takes a PATH_MAX buffer.
        mm::inject_allocation_failures(after);
        int made = m.symlink("/a", "/link2");
        Stat followed {};
        int stat_result = m.stat("/link", followed);
        mm::stop_allocation_failures();
        CHECK((stat_result == 0 || stat_result == e(Errno::NOMEM)));
        if (made == e(Errno::NOMEM)) {
            CHECK_FALSE(m.exists("/link2"));
        } else {
            REQUIRE(made == 0);
            CHECK(m.read_file("/link2") == "A");
            REQUIRE(m.unlink("/link2") == 0);
        }
    }
    CHECK(failures > 0);
    mm::inject_allocation_failures(0);
    Stat out {};
    CHECK(m.stat("/link", out) == e(Errno::NOMEM));
    mm::stop_allocation_failures();
    CHECK(m.read_file("/link") == "A");
    mm::kmalloc_shrink();
    CHECK(mm::page_allocator().free_pages() == free_before);
}
