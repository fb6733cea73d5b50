// Slab caches and kmalloc on a simulated page allocator.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <map>
#include <random>
#include <set>

#include "mm/slab.hpp"
#include "sim_ram.hpp"

using namespace mm;

TEST_CASE("A cache sizes its slabs to hold at least eight objects")
{
    SimRam ram(4);
    SlabCache tiny("tiny", 1);
    CHECK(tiny.object_size() == 8);
    CHECK(tiny.objects_per_slab() > 400);
    SlabCache odd("odd", 100);
    CHECK(odd.object_size() == 104);
    SlabCache big("big", 2048);
    CHECK(big.objects_per_slab() >= 8);
    CHECK(big.objects_per_slab() * big.object_size() <= (kPageSize << 3));
}

TEST_CASE("Objects are distinct, aligned and keep their contents")
{
    SimRam ram(4);
    SlabCache cache("test-48", 48);
    std::vector<u8*> objects;
    for (int i = 0; i < 500; ++i) {
        auto object = cache.allocate();
        REQUIRE_FALSE(object.is_error());
        auto* bytes = static_cast<u8*>(object.value());
        REQUIRE(reinterpret_cast<uptr>(bytes) % 8 == 0);
        std::memset(bytes, i & 0xFF, 48);
        objects.push_back(bytes);
    }
    CHECK(std::set<u8*>(objects.begin(), objects.end()).size() == 500);
    for (int i = 0; i < 500; ++i)
        for (int j = 0; j < 48; ++j)
            REQUIRE(objects[i][j] == (i & 0xFF));
    CHECK(cache.objects_in_use() == 500);
    CHECK(cache.check_invariants());
    for (int i = 0; i < 500; ++i)
        REQUIRE(SlabCache::cache_of(objects[i]) == &cache);
}

TEST_CASE("Freeing everything returns the pages, one empty slab kept until shrink")
{
    SimRam ram(4);
    SlabCache cache("test-64", 64);
    std::vector<void*> objects;
    for (usize i = 0; i < cache.objects_per_slab() * 5 + 3; ++i)
        objects.push_back(cache.allocate().release_value());
    CHECK(cache.slab_count() == 6);
    CHECK(ram.free_at_start - page_allocator().free_pages() == cache.pages());
    for (void* object : objects)
        cache.free(object);
    CHECK(cache.objects_in_use() == 0);
    CHECK(cache.slab_count() == 1);
    CHECK(cache.check_invariants());
    cache.shrink();
    CHECK(cache.slab_count() == 0);
    CHECK(page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("A cache with no pages left says ENOMEM and recovers when memory returns")
{
    SimRam ram(2);
    std::vector<PhysAddr> hoard;
    while (true) {
        auto page = page_allocator().allocate(0);
        if (page.is_error())
            break;
        hoard.push_back(page.value());
    }
    SlabCache cache("starved", 32);
    CHECK(cache.allocate().error() == Errno::NOMEM);
    CHECK(kmalloc(16).error() == Errno::NOMEM);
    CHECK(kmalloc(10000).error() == Errno::NOMEM);
    page_allocator().free(hoard.back(), 0);
    hoard.pop_back();
    auto object = cache.allocate();
    REQUIRE_FALSE(object.is_error());
    cache.free(object.value());
    CHECK(cache.check_invariants());
}

TEST_CASE("Freeing a foreign or misaligned pointer is a kernel bug and panics")
{
    SimRam ram(4);
    SlabCache a("a", 40), b("b", 40);
    void* object = a.allocate().release_value();
    CHECK_THROWS(b.free(object));
    panic_reset();
    CHECK_THROWS(a.free(static_cast<u8*>(object) + 8));
    panic_reset();
    PhysAddr page = page_allocator().allocate(0).release_value();
    CHECK_THROWS(a.free(arch::phys_to_virt(page, kPageSize)));
}

TEST_CASE("Random allocate and free sequences keep the slab invariants")
{
    SimRam ram(8);
    SlabCache cache("random-24", 24);
    std::mt19937 random(7);
    std::map<void*, u8> live;
    for (int step = 0; step < 20000; ++step) {
        if (!live.empty() && random() % 2) {
            auto it = live.begin();
            std::advance(it, random() % live.size());
            REQUIRE(*static_cast<u8*>(it->first) == it->second); // nobody scribbled on it
            cache.free(it->first);
            live.erase(it);
        } else {
            void* object = cache.allocate().release_value();
            REQUIRE(live.count(object) == 0);
            u8 tag = static_cast<u8>(random());
            std::memset(object, tag, 24);
            live[object] = tag;
        }
        if (step % 97 == 0)
            REQUIRE(cache.check_invariants());
    }
    CHECK(cache.objects_in_use() == live.size());
    CHECK(cache.check_invariants());
}

TEST_CASE("kmalloc serves small sizes from slabs and large ones from page blocks")
{
    SimRam ram(16);
    for (usize size : { 0, 1, 8, 9, 100, 2048 }) {
        void* p = kmalloc(size).release_value();
        CHECK(kmalloc_size(p) >= size);
        CHECK(SlabCache::cache_of(p) != nullptr);
        kfree(p);
    }
    for (usize size : { 2049, 4096, 4097, 1 << 20, 4 << 20 }) {
        void* p = kmalloc(size).release_value();
        CHECK(reinterpret_cast<uptr>(p) % 8 == 0);
        CHECK(kmalloc_size(p) >= size);
        CHECK(SlabCache::cache_of(p) == nullptr);
        std::memset(p, 0x5A, size);
        kfree(p);
    }
    CHECK(kmalloc((4 << 20) + 1).error() == Errno::NOMEM);
    kfree(nullptr);
    kmalloc_shrink();
    CHECK(kmalloc_pages() == 0);
    CHECK(page_allocator().free_pages() == ram.free_at_start);
}

TEST_CASE("kzalloc zero-fills reused memory")
{
    SimRam ram(4);
    void* p = kmalloc(200).release_value();
    std::memset(p, 0xFF, 200);
    kfree(p);
    auto* q = static_cast<u8*>(kzalloc(200).release_value());
    for (int i = 0; i < 200; ++i)
        REQUIRE(q[i] == 0);
    kfree(q);
}

TEST_CASE("Freeing a pointer inside a large allocation panics")
{
    SimRam ram(4);
    auto* p = static_cast<u8*>(kmalloc(3 * kPageSize).release_value());
    CHECK_THROWS(kfree(p + kPageSize));
}
