// mm::Vector: growth that keeps the elements, inline storage that needs no allocation, moves, and ENOMEM that
// leaves the vector as it was.
#include <catch2/catch_test_macros.hpp>

#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "mm/vector.hpp"
#include "sim_ram.hpp"

TEST_CASE("mm::Vector grows, keeping what it holds", "[mm][vector]")
{
    SimRam ram(8);
    mm::Vector<u32> v;
    CHECK(v.is_empty());
    for (u32 i = 0; i < 1000; ++i)
        REQUIRE_FALSE(v.try_append(i * 3).is_error());
    REQUIRE(v.size() == 1000);
    CHECK(v.capacity() >= 1000);
    u64 sum = 0;
    for (u32 value : v)
        sum += value;
    CHECK(sum == 3ull * 999 * 1000 / 2);
    REQUIRE_FALSE(v.try_resize(1200).is_error());
    CHECK(v[999] == 2997);
    CHECK(v[1000] == 0); // new elements are zero
    CHECK(v[1199] == 0);
    v.clear();
    CHECK(v.is_empty());
}

TEST_CASE("mm::Vector's inline elements need no allocation, and moves carry them", "[mm][vector]")
{
    SimRam ram(8);
    mm::inject_allocation_failures(0, 1); // every allocation from here fails
    mm::Vector<u16, 4> small;
    for (u16 i = 1; i <= 4; ++i)
        REQUIRE_FALSE(small.try_append(i).is_error());
    // The fifth needs the heap, which is refused: the vector keeps its four.
    CHECK(small.try_append(5).error() == Errno::NOMEM);
    CHECK(small.size() == 4);
    CHECK(small[3] == 4);
    CHECK(small.try_resize_uninitialised(100).error() == Errno::NOMEM);
    CHECK(small.size() == 4);
    mm::stop_allocation_failures();

    mm::Vector<u16, 4> moved(static_cast<mm::Vector<u16, 4>&&>(small));
    CHECK(small.is_empty());
    REQUIRE(moved.size() == 4);
    CHECK(moved[0] == 1);
    REQUIRE_FALSE(moved.try_append(5).is_error()); // now on the heap
    mm::Vector<u16, 4> other;
    other = static_cast<mm::Vector<u16, 4>&&>(moved);
    REQUIRE(other.size() == 5);
    CHECK(other[4] == 5);
    CHECK(moved.is_empty());
}

TEST_CASE("mm::Vector gives its memory back", "[mm][vector]")
{
    SimRam ram(8);
    mm::kmalloc_shrink();
    u64 free_before = mm::page_allocator().free_pages();
    {
        mm::Vector<u8> big;
        REQUIRE_FALSE(big.try_resize(256 * 1024).is_error());
        CHECK(mm::page_allocator().free_pages() < free_before);
    }
    mm::kmalloc_shrink();
    CHECK(mm::page_allocator().free_pages() == free_before);
}
