// FileMapping over a file with a store (what ext2 will be): clean pages of a shared writable mapping stay
// read-only until the first write marks them dirty; write-back writes exactly the dirty pages and makes them
// read-only again in every mapping; the areas and references come back to none.
#include <catch2/catch_test_macros.hpp>
#include <map>

#include "lib/string.hpp"
#include "mm/mapped_pages.hpp"
#include "user_space.hpp"

using namespace mm;

namespace {

constexpr uptr kPage = arch::kPageBytes;

struct StoredFile final : MappedFile {
    PageCache cache;
    FileMapping mapping { cache, *this };
    u64 bytes = 4 * kPage;
    int pins = 0;
    std::map<u64, u8> written; // page -> its first byte when written back
    bool fail = false;

    void pin() override { ++pins; }
    void unpin() override { --pins; }
    u64 size() const override { return bytes; }
    bool has_store() const override { return true; }
    Result<void> read_pages(u64, const PhysAddr*, usize) override { return {}; } // a store of zeros
    Result<void> write_page(u64 index, const u8* page) override
    {
        if (fail)
            return Errno::IO;
        written[index] = page[0];
        return {};
    }
};

MapFile shared_file(StoredFile& file) { return { &file.mapping, true, true, true, false, false }; }

bool writable(UserSpace& u, uptr page)
{
    arch::PageMapping mapping;
    return arch::query_page(u.space->page_tables(), page, mapping) && (mapping.access & arch::kPageWritable);
}

} // namespace

TEST_CASE("Dirty tracking: the first write to a clean shared page marks it; write-back cleans it everywhere")
{
    UserSpace u;
    StoredFile file;
    MapFile request = shared_file(file);
    auto a = do_mmap(*u.space, 0, 4 * kPage, kProtRead | kProtWrite, kMapShared, 0, &request);
    auto b = do_mmap(*u.space, 0, 4 * kPage, kProtRead | kProtWrite, kMapShared, 0, &request);
    REQUIRE_FALSE(a.is_error());
    REQUIRE_FALSE(b.is_error());
    uptr first = a.value(), second = b.value();
    CHECK(file.pins == 2);
    CHECK(file.mapping.area_count() == 2);

    // A read maps the page read-only: it is clean.
    CHECK(u.read(first) == 0);
    CHECK_FALSE(writable(u, first));
    CHECK_FALSE(file.cache.is_dirty(0));
    // The first write faults once, marks the page and makes it writable.
    u.write(first + 1, 7);
    CHECK(file.cache.is_dirty(0));
    CHECK(writable(u, first));
    u.write(second + 2 * kPage, 9); // a fresh page written at once through the other mapping
    CHECK(file.cache.is_dirty(2));
    CHECK(u.read(second + kPage) == 0);
    CHECK_FALSE(file.cache.is_dirty(1));
    CHECK(u.read(second + 1) == 7); // the same page through the other mapping
    u.check();

    // msync writes the dirty pages, only them, and write-protects them in both mappings.
    REQUIRE_FALSE(do_msync(*u.space, first, 4 * kPage, kMsSync).is_error());
    CHECK(file.written.size() == 2);
    CHECK(file.written.count(0) == 1);
    CHECK(file.written[2] == 9);
    CHECK_FALSE(file.cache.is_dirty(0));
    CHECK_FALSE(writable(u, first));
    CHECK_FALSE(writable(u, second + 2 * kPage));
    // Nothing dirty: a second msync writes nothing.
    file.written.clear();
    REQUIRE_FALSE(do_msync(*u.space, second, 4 * kPage, kMsSync).is_error());
    CHECK(file.written.empty());
    // A write after write-back marks the page again.
    u.write(second + 5, 1);
    CHECK(file.cache.is_dirty(0));
    CHECK(writable(u, second));
    CHECK_FALSE(writable(u, first)); // the other mapping faults on its own next write

    // A store error keeps the page dirty and is reported.
    file.fail = true;
    CHECK(do_msync(*u.space, first, kPage, kMsSync).error() == Errno::IO);
    CHECK(file.cache.is_dirty(0));
    file.fail = false;
    // MS_ASYNC schedules nothing here: the page stays dirty for write-back.
    REQUIRE_FALSE(do_msync(*u.space, first, kPage, kMsAsync).is_error());
    CHECK(file.cache.is_dirty(0));
    u.check();

    // A private mapping of the same file never dirties it.
    MapFile readonly { &file.mapping, true, true, true, false, false };
    auto c = do_mmap(*u.space, 0, kPage, kProtRead | kProtWrite, kMapPrivate, 1, &readonly);
    REQUIRE_FALSE(c.is_error());
    u.write(c.value(), 3);
    CHECK_FALSE(file.cache.is_dirty(1));

    REQUIRE_FALSE(do_munmap(*u.space, first, 4 * kPage).is_error());
    REQUIRE_FALSE(do_munmap(*u.space, second, 4 * kPage).is_error());
    REQUIRE_FALSE(do_munmap(*u.space, c.value(), kPage).is_error());
    CHECK(file.pins == 0);
    CHECK(file.mapping.area_count() == 0);
    CHECK(u.space->resident_pages() == 0);
    CHECK(file.cache.check_invariants());
}

TEST_CASE("Splitting, merging and forking areas of a file keeps one reference per area")
{
    UserSpace u;
    StoredFile file;
    MapFile request = shared_file(file);
    auto a = do_mmap(*u.space, 0, 4 * kPage, kProtRead | kProtWrite, kMapShared, 0, &request);
    REQUIRE_FALSE(a.is_error());
    uptr at = a.value();
    REQUIRE_FALSE(do_mprotect(*u.space, at + kPage, kPage, kProtRead).is_error()); // three areas
    CHECK(file.pins == 3);
    CHECK(file.mapping.area_count() == 3);
    REQUIRE_FALSE(do_mprotect(*u.space, at + kPage, kPage, kProtRead | kProtWrite).is_error()); // one again
    CHECK(file.pins == 1);
    u.write(at + 3 * kPage, 4);
    {
        auto child = u.space->fork();
        REQUIRE_FALSE(child.is_error());
        CHECK(file.pins == 2);
        CHECK(child.value()->invariant_violation() == nullptr);
    }
    CHECK(file.pins == 1);
    // Truncation through the mapping's owner takes the pages from the mapping.
    file.bytes = kPage;
    file.mapping.remove_pages(1);
    CHECK(u.space->handle_fault(at + 3 * kPage, { false, false }).error() == Errno::NXIO);
    CHECK(u.space->resident_pages() == 0);
    REQUIRE_FALSE(do_munmap(*u.space, at, 4 * kPage).is_error());
    CHECK(file.pins == 0);
}

TEST_CASE("Fault-around: a read fault maps the cached neighbours in its aligned 64 KiB, within the area")
{
    UserSpace u;
    StoredFile file;
    file.bytes = 40 * kPage;
    for (u64 index = 0; index < 40; ++index)
        if (index != 7)
            REQUIRE_FALSE(file.cache.find_or_create(index).is_error()); // page 7 is not cached
    MapFile request = shared_file(file);
    // The area starts two pages into an aligned 64 KiB window and maps the file from page 0.
    constexpr uptr kWindow = 0x20000000;
    auto shared = do_mmap(*u.space, kWindow + 2 * kPage, 30 * kPage, kProtRead | kProtWrite, kMapShared | kMapFixed, 0,
        &request);
    REQUIRE(shared.value() == kWindow + 2 * kPage);
    CHECK(u.read(kWindow + 6 * kPage) == 0); // file page 4
    for (uptr page = 0; page < 20; ++page) {
        uptr at = kWindow + page * kPage;
        bool expected = page >= 2 && page < 16 && page != 9; // the area's part of the window, but file page 7
        INFO("page " << page);
        CHECK(u.space->is_resident(at) == expected);
        if (expected)
            CHECK_FALSE(writable(u, at)); // clean pages of a file with a store stay read-only
    }
    CHECK(u.space->resident_pages() == 13);
    u.check();

    // A private mapping: the neighbours are the cache's pages, read-only; a write copies one of them.
    auto own = do_mmap(*u.space, kWindow + 0x100000, 16 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapFixed, 16,
        &request);
    REQUIRE(own.value() == kWindow + 0x100000);
    CHECK(u.read(own.value()) == 0);
    arch::PageMapping mapping;
    REQUIRE(arch::query_page(u.space->page_tables(), own.value() + 5 * kPage, mapping));
    CHECK(mapping.phys == file.cache.find(21));
    CHECK_FALSE(mapping.access & arch::kPageWritable);
    u.write(own.value() + 5 * kPage, 42);
    REQUIRE(arch::query_page(u.space->page_tables(), own.value() + 5 * kPage, mapping));
    CHECK(mapping.phys != file.cache.find(21));
    CHECK(static_cast<const u8*>(arch::phys_to_virt(file.cache.find(21), kPage))[0] == 0);
    u.check();
    REQUIRE_FALSE(do_munmap(*u.space, kWindow, 0x200000).is_error());
}
