// A file with a store read through its page cache (what ext2's files will be): a miss reads the page from the
// store, sequential readers get read-ahead windows that double up to 128 KiB while random ones stay small,
// cached pages are never read again or overwritten by a read-in, a store error is EIO and leaves nothing
// half-read in the cache, faults through a mapping read the file's bytes, and a partial write keeps the
// rest of its page from the store. Every page comes back.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "mm/mapped_pages.hpp"
#include "user_space.hpp"

using namespace mm;

namespace {

constexpr uptr kPage = arch::kPageBytes;

// The store: byte i of the file is (i * 7 + i / 4096) & 0xFF; every read_pages call is recorded.
struct StoreFile final : MappedFile {
    PageCache cache;
    FileMapping mapping { cache, *this };
    u64 bytes;
    std::vector<std::pair<u64, usize>> reads; // (first page, pages)
    bool fail = false;

    explicit StoreFile(u64 size) : bytes(size) {}
    ~StoreFile() { cache.truncate(0); }

    static u8 byte_at(u64 offset) { return static_cast<u8>(offset * 7 + offset / kPage); }
    void pin() override { }
    void unpin() override { }
    u64 size() const override { return bytes; }
    bool has_store() const override { return true; }
    Result<void> read_pages(u64 first, const PhysAddr* frames, usize count) override
    {
        reads.emplace_back(first, count);
        if (fail)
            return Errno::IO;
        for (usize i = 0; i < count; ++i) {
            u8* page = static_cast<u8*>(arch::phys_to_virt(frames[i], kPage));
            for (usize b = 0; b < kPage; ++b) {
                REQUIRE(page[b] == 0); // handed over zero-filled
                u64 offset = (first + i) * kPage + b;
                if (offset < bytes)
                    page[b] = byte_at(offset);
            }
        }
        return {};
    }

    std::vector<u8> read(u64 offset, usize count, ReadAhead& ahead, Errno* error = nullptr)
    {
        std::vector<u8> out(count);
        OutBuffer to = OutBuffer::kernel(out.data(), count);
        auto got = mapping.read(offset, to, count, ahead);
        if (got.is_error()) {
            REQUIRE(error);
            *error = got.error();
            return {};
        }
        out.resize(got.value());
        return out;
    }
};

bool matches_store(const std::vector<u8>& bytes, u64 offset)
{
    for (usize i = 0; i < bytes.size(); ++i)
        if (bytes[i] != StoreFile::byte_at(offset + i))
            return false;
    return true;
}

} // namespace

TEST_CASE("read-ahead: a sequential reader's windows double to 128 KiB; each page is read from the store once")
{
    SimRam ram(16);
    usize free_at_start = page_allocator().free_pages();
    {
        StoreFile file(1024 * 1024 + 100); // 257 pages, the last one short
        ReadAhead ahead;
        for (u64 offset = 0; offset < file.bytes; offset += 4096) {
            auto bytes = file.read(offset, 4096, ahead);
            REQUIRE(bytes.size() == (offset + 4096 <= file.bytes ? 4096u : file.bytes - offset));
            REQUIRE(matches_store(bytes, offset));
        }
        // 4, 8, 16, then 32 at a time: 4 + 8 + 16 + 7 * 32 = 252, and the last 5 pages, clipped at the end.
        std::vector<std::pair<u64, usize>> expected { { 0, 4 }, { 4, 8 }, { 12, 16 } };
        for (u64 first = 28; first < 252; first += 32)
            expected.emplace_back(first, 32);
        expected.emplace_back(252, 5);
        CHECK(file.reads == expected);
        CHECK(file.cache.page_count() == 257);
        // Read again: all from the cache.
        ReadAhead again;
        CHECK(matches_store(file.read(8000, 200000, again), 8000));
        CHECK(file.reads.size() == expected.size());
        // A read past the end is empty; one across it stops there.
        CHECK(file.read(file.bytes, 10, again).empty());
        CHECK(file.read(file.bytes - 10, 100, again).size() == 10);
        CHECK(file.cache.check_invariants());
    }
    CHECK(page_allocator().free_pages() == free_at_start);
}

TEST_CASE("read-ahead: random reads stay small, a big read takes the largest window, cached pages are kept")
{
    SimRam ram(16);
    StoreFile file(512 * kPage);
    ReadAhead ahead;
    CHECK(matches_store(file.read(100 * kPage + 5, 10, ahead), 100 * kPage + 5));
    CHECK(matches_store(file.read(300 * kPage, 10, ahead), 300 * kPage));
    CHECK(matches_store(file.read(7 * kPage, 10, ahead), 7 * kPage));
    CHECK(file.reads == std::vector<std::pair<u64, usize>> { { 100, 4 }, { 300, 4 }, { 7, 4 } });

    // A page written in the cache is newer than the store: a read-in around it stops before it.
    u8 mine = 0xEE;
    InBuffer from = InBuffer::kernel(&mine, 1);
    REQUIRE(file.mapping.write(40 * kPage + 1, from, 1, ahead).value() == 1); // read in first: a partial write
    CHECK(file.reads.back() == std::pair<u64, usize> { 40, 4 });
    ReadAhead fresh;
    auto big = file.read(36 * kPage, 64 * kPage, fresh);
    REQUIRE(big.size() == 64 * kPage);
    CHECK(big[4 * kPage + 1] == 0xEE);
    CHECK(big[4 * kPage] == StoreFile::byte_at(40 * kPage));
    CHECK(file.reads[4] == std::pair<u64, usize> { 36, 4 }); // up to the cached 40..43, not over them
    CHECK(file.reads[5] == std::pair<u64, usize> { 44, 32 });
    CHECK(file.cache.is_dirty(40));
    CHECK_FALSE(file.cache.is_dirty(41));
    // A whole-page write reads nothing in.
    std::vector<u8> page(kPage, 0x11);
    InBuffer whole = InBuffer::kernel(page.data(), kPage);
    usize reads_before = file.reads.size();
    REQUIRE(file.mapping.write(200 * kPage, whole, kPage, ahead).value() == kPage);
    CHECK(file.reads.size() == reads_before);
}

TEST_CASE("read-ahead: a store error is EIO, leaves no page in the cache, and a later read succeeds")
{
    SimRam ram(16);
    usize free_at_start = page_allocator().free_pages();
    {
        StoreFile file(64 * kPage);
        ReadAhead ahead;
        file.fail = true;
        Errno error {};
        CHECK(file.read(0, 100, ahead, &error).empty());
        CHECK(error == Errno::IO);
        CHECK(file.cache.page_count() == 0);
        file.fail = false;
        CHECK(matches_store(file.read(0, 100, ahead), 0));
        // A read that fails after its first page returns what it copied.
        StoreFile other(64 * kPage);
        ReadAhead first, second;
        REQUIRE(other.read(0, 100, first).size() == 100); // pages 0 to 3 in the cache
        other.fail = true;
        auto partial = other.read(0, 8 * kPage, second);
        CHECK(partial.size() == 4 * kPage);
        CHECK(matches_store(partial, 0));
    }
    CHECK(page_allocator().free_pages() == free_at_start);
}

TEST_CASE("read-ahead: faults through a mapping read the file's bytes from the store, sequentially ahead")
{
    UserSpace u;
    StoreFile file(40 * kPage);
    MapFile request { &file.mapping, true, true, false, false, false };
    auto mapped = do_mmap(*u.space, 0, 40 * kPage, kProtRead, kMapPrivate, 0, &request);
    REQUIRE_FALSE(mapped.is_error());
    uptr at = mapped.value();
    for (uptr page = 0; page < 40; ++page)
        REQUIRE(u.read(at + page * kPage + 3) == StoreFile::byte_at(page * kPage + 3));
    CHECK(file.reads == std::vector<std::pair<u64, usize>> { { 0, 4 }, { 4, 8 }, { 12, 16 }, { 28, 12 } });
    u.check();
    REQUIRE_FALSE(do_munmap(*u.space, at, 40 * kPage).is_error());
}
