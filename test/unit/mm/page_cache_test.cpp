// mm::PageCache: sparse indices that make the tree taller, truncate, frames that outlive their removal through
// a mapping's reference, ENOMEM that leaves the cache whole, and every frame back at the end.
#include <catch2/catch_test_macros.hpp>

#include "arch/arch.hpp"
#include "mm/fault_injection.hpp"
#include "mm/page_cache.hpp"
#include "sim_ram.hpp"

namespace {

struct CountingAccount final : mm::PageAccount {
    u64 pages { 0 };
    u64 limit { 0 }; // 0: none
    Result<void> charge() override
    {
        if (limit != 0 && pages >= limit)
            return Errno::NOSPC;
        ++pages;
        return {};
    }
    void uncharge() override { --pages; }
};

u8* bytes(PhysAddr frame) { return static_cast<u8*>(arch::phys_to_virt(frame, mm::kPageSize)); }

} // namespace

TEST_CASE("PageCache finds, creates zeroed pages and grows in height for far indices", "[mm][page_cache]")
{
    SimRam ram(16);
    {
        CountingAccount account;
        mm::PageCache cache(&account);
        CHECK(cache.find(0) == 0);
        CHECK(cache.next_index(0) == mm::PageCache::kNone);
        const u64 indices[] = { 5, 0, 63, 64, 4095, 4096, 1ull << 30, mm::PageCache::kMaxIndex };
        for (u64 index : indices) {
            auto frame = cache.find_or_create(index);
            REQUIRE_FALSE(frame.is_error());
            CHECK(bytes(frame.value())[0] == 0);
            CHECK(bytes(frame.value())[mm::kPageSize - 1] == 0);
            bytes(frame.value())[0] = static_cast<u8>(index + 1);
            CHECK(cache.find(index) == frame.value());
            CHECK(cache.find_or_create(index).value() == frame.value());
            REQUIRE(cache.check_invariants());
        }
        CHECK(cache.page_count() == 8);
        CHECK(account.pages == 8);
        CHECK(cache.find(6) == 0);
        CHECK(cache.find(1ull << 31) == 0);
        CHECK(cache.find_or_create(mm::PageCache::kMaxIndex + 1).error() == Errno::INVAL);

        // In index order, empty subtrees skipped.
        const u64 sorted[] = { 0, 5, 63, 64, 4095, 4096, 1ull << 30, mm::PageCache::kMaxIndex };
        u64 at = 0;
        for (u64 expected : sorted) {
            at = cache.next_index(at);
            CHECK(at == expected);
            CHECK(bytes(cache.find(at))[0] == static_cast<u8>(expected + 1));
            ++at;
        }
        CHECK(cache.next_index(at) == mm::PageCache::kNone);
        CHECK(cache.next_index(65) == 4095);

        cache.remove(4095, 2);
        CHECK(cache.find(4095) == 0);
        CHECK(cache.find(4096) == 0);
        CHECK(cache.page_count() == 6);
        REQUIRE(cache.check_invariants());
        cache.remove_from(64);
        CHECK(cache.page_count() == 3);
        CHECK(cache.next_index(6) == 63);
        CHECK(account.pages == 3);
        REQUIRE(cache.check_invariants());
    }
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("PageCache truncate drops pages past the size and zeros the tail", "[mm][page_cache]")
{
    SimRam ram(8);
    {
        mm::PageCache cache;
        u8 data[3 * mm::kPageSize];
        for (usize i = 0; i < sizeof data; ++i)
            data[i] = static_cast<u8>(i % 251 + 1);
        auto in = mm::InBuffer::kernel(data, sizeof data);
        REQUIRE(cache.write(100, in, sizeof data).value() == sizeof data);
        CHECK(cache.page_count() == 4);
        cache.truncate(mm::kPageSize + 10);
        CHECK(cache.page_count() == 2);
        u8 back[2 * mm::kPageSize];
        auto out = mm::OutBuffer::kernel(back, sizeof back);
        REQUIRE(cache.read(0, out, sizeof back) == sizeof back);
        CHECK(back[0] == 0); // a hole before the write
        CHECK(back[100] == data[0]);
        CHECK(back[mm::kPageSize + 9] == data[mm::kPageSize + 9 - 100]);
        CHECK(back[mm::kPageSize + 10] == 0);
        CHECK(back[2 * mm::kPageSize - 1] == 0);
        cache.truncate(0);
        CHECK(cache.page_count() == 0);
        REQUIRE(cache.check_invariants());
    }
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("PageCache pages a mapping references outlive their removal", "[mm][page_cache]")
{
    SimRam ram(8);
    PhysAddr kept = 0;
    {
        mm::PageCache cache;
        kept = cache.find_or_create(7).value();
        mm::page_allocator().ref(kept); // as a mapping would
        CHECK(mm::page_allocator().refcount(kept) == 2);
        bytes(kept)[1] = 0x5a;
        cache.remove(7);
        CHECK(cache.find(7) == 0);
        CHECK(mm::page_allocator().refcount(kept) == 1);
        CHECK(bytes(kept)[1] == 0x5a);
        PhysAddr fresh = cache.find_or_create(7).value(); // a new page, zeroed, not the mapped one
        CHECK(fresh != kept);
        CHECK(bytes(fresh)[1] == 0);
    }
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start - 1);
    CHECK(mm::page_allocator().unref(kept));
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("PageCache ENOMEM and a refused charge leave the cache whole", "[mm][page_cache]")
{
    SimRam ram(8);
    {
        CountingAccount account;
        mm::PageCache cache(&account);
        REQUIRE_FALSE(cache.find_or_create(3).is_error());
        // Each allocation a far index needs (frame, new roots, inner nodes) fails in turn.
        for (u64 after = 0;; ++after) {
            mm::inject_allocation_failures(after);
            auto frame = cache.find_or_create(1ull << 40);
            mm::stop_allocation_failures();
            REQUIRE(cache.check_invariants());
            if (!frame.is_error())
                break;
            CHECK(frame.error() == Errno::NOMEM);
            CHECK(cache.page_count() == 1);
            CHECK(account.pages == 1);
            CHECK(cache.find(3) != 0);
            CHECK(cache.next_index(4) == mm::PageCache::kNone);
        }
        CHECK(cache.page_count() == 2);
        account.limit = 2;
        CHECK(cache.find_or_create(9).error() == Errno::NOSPC);
        u8 byte = 1;
        auto in = mm::InBuffer::kernel(&byte, 1);
        CHECK(cache.write(9 * mm::kPageSize, in, 1).error() == Errno::NOSPC);
        CHECK(cache.page_count() == 2);
        REQUIRE(cache.check_invariants());
    }
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("PageCache ENOMEM on an empty cache leaves it empty", "[mm][page_cache]")
{
    SimRam ram(8);
    {
        mm::PageCache cache;
        for (u64 after = 0; after < 4; ++after) {
            mm::inject_allocation_failures(after);
            auto frame = cache.find_or_create(1ull << 20);
            mm::stop_allocation_failures();
            REQUIRE(cache.check_invariants());
            if (frame.is_error())
                CHECK(cache.page_count() == 0);
        }
        CHECK(cache.page_count() == 1);
    }
    CHECK(mm::page_allocator().free_pages() == ram.free_at_start);
}
