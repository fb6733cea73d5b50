// The simulated machine the fuzz targets share: 64 MiB of RAM under the page allocator, set up once per
// process, with the count of free pages to compare against after each input.
#pragma once

#include <vector>

#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "mm/uaccess.hpp"
#include "sim/sim.hpp"

namespace fuzz {

// A broken invariant is a crash libFuzzer records with its input.
inline void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

struct Machine {
    static constexpr usize kRamBytes = 64u << 20;
    std::vector<u8> ram;
    usize free_pages = 0;

    Machine() : ram(kRamBytes)
    {
        sim::reset();
        panic_reset();
        mm::kmalloc_reset();
        sim::attach_phys_memory(0, ram.data(), ram.size());
        mm::PhysRangeSet all, in_use;
        require(!all.add(0, ram.size()).is_error());
        require(!mm::init_physical_memory(all, in_use).is_error());
        mm::install_page_fault_handler();
        mm::kmalloc_shrink();
        free_pages = mm::page_allocator().free_pages();
    }
};

inline Machine& machine()
{
    static Machine m;
    return m;
}

} // namespace fuzz
