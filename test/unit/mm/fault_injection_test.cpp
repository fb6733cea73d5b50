// Allocation-failure injection: the countdown and period it promises, through the page allocator, kmalloc and
// a system call whose ENOMEM path must give back everything it took.
#include <catch2/catch_test_macros.hpp>

#include "../proc/process_machine.hpp"
#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"

using namespace proc_test;

TEST_CASE("fault injection: the allocation after the countdown fails, then every nth", "[mm][fault_injection]")
{
    SimRam ram(8);
    mm::inject_allocation_failures(2);
    auto first = mm::page_allocator().allocate();
    auto second = mm::page_allocator().allocate();
    REQUIRE_FALSE(first.is_error());
    REQUIRE_FALSE(second.is_error());
    CHECK(mm::page_allocator().allocate().error() == Errno::NOMEM);
    auto fourth = mm::page_allocator().allocate(); // once only
    REQUIRE_FALSE(fourth.is_error());
    for (PhysAddr page : { first.value(), second.value(), fourth.value() })
        mm::page_allocator().free(page);
    CHECK(mm::injected_failures() == 1);

    mm::inject_allocation_failures(0, 3);
    int failed = 0;
    for (int i = 0; i < 9; ++i) {
        auto page = mm::page_allocator().allocate();
        if (page.is_error())
            ++failed;
        else
            mm::page_allocator().free(page.value());
    }
    CHECK(failed == 3); // the 1st, 4th and 7th
    CHECK(mm::injected_failures() == 3);
    // The slab caches ask too: a kmalloc fails at once when armed with no countdown.
    mm::inject_allocation_failures(0);
    CHECK(mm::kmalloc(32).error() == Errno::NOMEM);
    mm::stop_allocation_failures();
    auto object = mm::kmalloc(32);
    CHECK_FALSE(object.is_error());
    mm::kfree(object.value());
}

TEST_CASE(
    "fault injection: pipe() under failing allocations is ENOMEM or works, and leaks nothing", "[mm][fault_injection]")
{
    ProcessMachine m;
    run_program(m, [] {
        u32 fds = scratch(kPage);
        poke(fds, u64 { 0 }); // faulted in now: the copy out must not be what fails
        int failures = 0, successes = 0;
        for (u32 after = 0; after < 12; ++after) {
            mm::inject_allocation_failures(after);
            i32 result = call(sys::nr("pipe"), fds);
            mm::stop_allocation_failures();
            if (result == err(Errno::NOMEM)) {
                ++failures;
                CHECK(call(sys::nr("fcntl"), 3, 1 /* F_GETFD */) == err(Errno::BADF)); // nothing half made
                continue;
            }
            REQUIRE(result == 0);
            ++successes;
            call(sys::nr("close"), peek<u32>(fds));
            call(sys::nr("close"), peek<u32>(fds + 4));
        }
        CHECK(failures > 0);
        CHECK(successes > 0);
    });
}
