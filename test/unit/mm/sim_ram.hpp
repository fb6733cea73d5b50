// Simulated RAM with a page allocator over it, for tests of what sits on top of the page allocator.
#pragma once

#include <catch2/catch_test_macros.hpp>

#include "kernel/boot_state.hpp"
#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "sim/sim.hpp"

// `megabytes` of RAM at physical 0, all but the first MiB (and the frame descriptors) free.
struct SimRam {
    sim::PhysMemory bytes; // a memfd, so that kernel page mappings work over it
    usize free_at_start { 0 };

    explicit SimRam(usize megabytes) : bytes(megabytes << 20)
    {
        sim::reset();
        panic_reset();
        mm::kmalloc_reset();
        kernel::reset_boot_state(); // registries, counters and statistics as at boot

        sim::attach_phys_memory(0, bytes);
        mm::PhysRangeSet ram, in_use;
        REQUIRE_FALSE(ram.add(0, bytes.size()).is_error());
        REQUIRE_FALSE(mm::init_physical_memory(ram, in_use).is_error());
        free_at_start = mm::page_allocator().free_pages();
    }
    ~SimRam() { mm::kmalloc_reset(); }
};
