// mm::KernelStack: memory that goes with its owner, and ENOMEM that leaves it empty.
#include <catch2/catch_test_macros.hpp>

#include "mm/fault_injection.hpp"
#include "mm/kernel_stack.hpp"
#include "sim_ram.hpp"

TEST_CASE("mm::KernelStack fails with ENOMEM, and gives its memory back", "[mm][kernel_stack]")
{
    SimRam ram(8);
    mm::kmalloc_shrink();
    u64 free_before = mm::page_allocator().free_pages();
    {
        mm::KernelStack stack;
        mm::inject_allocation_failures(0);
        CHECK(stack.allocate(16 * 1024).error() == Errno::NOMEM);
        mm::stop_allocation_failures();
        CHECK(stack.base() == nullptr);
        CHECK(stack.size() == 0);
        REQUIRE_FALSE(stack.allocate(16 * 1024).is_error());
        CHECK(stack.size() == 16 * 1024);
        CHECK(mm::page_allocator().free_pages() < free_before);
    }
    mm::kmalloc_shrink();
    CHECK(mm::page_allocator().free_pages() == free_before);
}
