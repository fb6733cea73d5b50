// The buddy allocator: splitting, merging, accounting and reference counts, checked against a plain model.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <random>
#include <vector>

#include "kernel/panic.hpp"
#include "mm/buddy.hpp"
#include "sim/sim.hpp"

using mm::BuddyAllocator;
using mm::kPageSize;

namespace {

// 1024 frames from 1 MiB: blocks of 256 (at 1 MiB), 512 (at 2 MiB) and 256 (at 4 MiB) pages when all free.
struct Fixture {
    static constexpr u32 kFirstFrame = 256;
    static constexpr usize kCount = 1024;
    std::vector<mm::PageFrame> frames { kCount };
    BuddyAllocator buddy;

    Fixture()
    {
        sim::reset();
        panic_reset();
        buddy.init(frames.data(), kFirstFrame, kCount);
    }
    void add_all() { buddy.add_free(u64 { kFirstFrame } * kPageSize, u64 { kFirstFrame + kCount } * kPageSize); }
};

} // namespace

TEST_CASE("A fresh range coalesces into the largest aligned blocks")
{
    Fixture f;
    CHECK(f.buddy.free_pages() == 0);
    f.add_all();
    CHECK(f.buddy.managed_pages() == 1024);
    CHECK(f.buddy.free_pages() == 1024);
    CHECK(f.buddy.free_blocks(8) == 2);
    CHECK(f.buddy.free_blocks(9) == 1);
    CHECK(f.buddy.free_blocks(0) == 0);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("Partial pages at the edges of a range are not handed out")
{
    Fixture f;
    f.buddy.add_free(0x100001, 0x103fff); // whole pages: 0x101000 and 0x102000 only
    CHECK(f.buddy.managed_pages() == 2);
    f.buddy.add_free(0, 0x1000); // below the described frames: ignored
    CHECK(f.buddy.managed_pages() == 2);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("Allocation splits the smallest block that fits and returns aligned blocks")
{
    Fixture f;
    f.add_all();
    auto page = f.buddy.allocate(0);
    REQUIRE_FALSE(page.is_error());
    CHECK(page.value() == 0x100000);
    // The 256-page block at 1 MiB split into 128 + 64 + ... + 1 free halves.
    for (unsigned order = 0; order < 8; ++order)
        CHECK(f.buddy.free_blocks(order) == 1);
    CHECK(f.buddy.free_pages() == 1023);
    auto big = f.buddy.allocate(9);
    REQUIRE_FALSE(big.is_error());
    CHECK(big.value() == 0x200000);
    CHECK(big.value() % (kPageSize << 9) == 0);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("Running out of memory is ENOMEM and an impossible order EINVAL")
{
    Fixture f;
    f.add_all();
    CHECK(f.buddy.allocate(10).error() == Errno::NOMEM); // 1024 pages but no aligned 4 MiB block
    CHECK(f.buddy.allocate(11).error() == Errno::INVAL);
    std::vector<PhysAddr> pages;
    for (;;) {
        auto page = f.buddy.allocate(0);
        if (page.is_error()) {
            CHECK(page.error() == Errno::NOMEM);
            break;
        }
        pages.push_back(page.value());
    }
    CHECK(pages.size() == 1024);
    CHECK(f.buddy.free_pages() == 0);
    for (PhysAddr page : pages)
        f.buddy.free(page, 0);
    // Freeing everything merges back to exactly the initial blocks.
    CHECK(f.buddy.free_pages() == 1024);
    CHECK(f.buddy.free_blocks(8) == 2);
    CHECK(f.buddy.free_blocks(9) == 1);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("A hole in the map keeps blocks from merging across it")
{
    Fixture f;
    f.buddy.add_free(0x100000, 0x180000); // 128 pages
    f.buddy.add_free(0x181000, 0x200000); // a one-page hole at 0x180000, then 127 pages
    CHECK(f.buddy.managed_pages() == 255);
    CHECK(f.buddy.free_blocks(7) == 1);
    CHECK(f.buddy.free_blocks(8) == 0);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("Reference counts: a shared page is freed by its last unref")
{
    Fixture f;
    f.add_all();
    PhysAddr page = f.buddy.allocate(0).release_value();
    CHECK(f.buddy.refcount(page) == 1);
    f.buddy.ref(page);
    f.buddy.ref(page);
    CHECK(f.buddy.refcount(page) == 3);
    CHECK_FALSE(f.buddy.unref(page));
    CHECK_FALSE(f.buddy.unref(page));
    CHECK(f.buddy.free_pages() == 1023);
    CHECK(f.buddy.unref(page));
    CHECK(f.buddy.free_pages() == 1024);
    CHECK(f.buddy.check_invariants());
}

TEST_CASE("Freeing what was not allocated is a kernel bug and panics")
{
    Fixture f;
    f.add_all();
    PhysAddr page = f.buddy.allocate(0).release_value();
    f.buddy.free(page, 0);
    CHECK_THROWS(f.buddy.free(page, 0)); // double free: panic, which the simulated machine turns into a throw
    CHECK(sim::last_exit().exited);
    PhysAddr block = f.buddy.allocate(2).release_value();
    CHECK_THROWS(f.buddy.free(block, 1)); // wrong order
    CHECK_THROWS(f.buddy.free(block + kPageSize, 0)); // inside a block
    CHECK_THROWS(f.buddy.add_free(0x100000, 0x101000)); // handed over twice
}

TEST_CASE("Random allocate and free sequences keep every invariant and never overlap")
{
    Fixture f;
    f.add_all();
    std::mt19937 random(1234);
    std::map<PhysAddr, unsigned> live; // start -> order
    for (int step = 0; step < 4000; ++step) {
        bool do_free = !live.empty() && (random() % 3 == 0 || f.buddy.free_pages() < 64);
        if (do_free) {
            auto it = live.begin();
            std::advance(it, random() % live.size());
            f.buddy.free(it->first, it->second);
            live.erase(it);
        } else {
            unsigned order = random() % 5;
            auto block = f.buddy.allocate(order);
            if (block.is_error()) {
                REQUIRE(block.error() == Errno::NOMEM);
                continue;
            }
            PhysAddr start = block.value();
            REQUIRE(start % (kPageSize << order) == 0);
            // No overlap with the neighbours on either side.
            auto next = live.lower_bound(start);
            if (next != live.end())
                REQUIRE(start + (kPageSize << order) <= next->first);
            if (next != live.begin()) {
                auto previous = std::prev(next);
                REQUIRE(previous->first + (kPageSize << previous->second) <= start);
            }
            live[start] = order;
        }
        usize used = 0;
        for (auto& [start, order] : live)
            used += usize { 1 } << order;
        REQUIRE(f.buddy.free_pages() + used == 1024);
        REQUIRE(f.buddy.check_invariants());
    }
    for (auto& [start, order] : live)
        f.buddy.free(start, order);
    CHECK(f.buddy.free_pages() == 1024);
    CHECK(f.buddy.free_blocks(8) == 2);
    CHECK(f.buddy.free_blocks(9) == 1);
}
