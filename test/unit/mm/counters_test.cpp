// The /proc/meminfo counters follow what the allocators do.
#include <catch2/catch_test_macros.hpp>

#include "mm/counters.hpp"
#include "user_space.hpp"

using namespace mm;

TEST_CASE("Memory counters track free pages, slabs and shared memory")
{
    UserSpace u(8);
    kmalloc_shrink();
    MemoryCounters before = memory_counters();
    CHECK(before.total == page_allocator().managed_pages() * 4);
    CHECK(before.free == page_allocator().free_pages() * 4);
    CHECK(before.shmem == 0);
    CHECK(before.swap_total == 0);
    CHECK(before.available >= before.free);

    uptr shared = u.map(3 * 4096, kProtRead | kProtWrite, kMapShared | kMapAnonymous);
    u.write(shared, 1);
    u.write(shared + 2 * 4096, 1);
    MemoryCounters touched = memory_counters();
    CHECK(touched.shmem == 8);
    CHECK(touched.free < before.free);

    void* object = kmalloc(100).release_value();
    CHECK(memory_counters().slab >= 4);
    kfree(object);
    MemoryCounters freed = memory_counters();
    CHECK(freed.available - freed.free >= 4); // the now empty slab is reclaimable

    REQUIRE_FALSE(do_munmap(*u.space, shared, 3 * 4096).is_error());
    kmalloc_shrink();
    MemoryCounters after = memory_counters();
    CHECK(after.shmem == 0);
    // Everything came back but the page-table page the mapping needed: tables stay with the address space.
    CHECK(after.free == before.free - 4);
    u.space.reset();
    kmalloc_shrink();
    CHECK(memory_counters().free > before.free); // the fixture's own tables went too
}
