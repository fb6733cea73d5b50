// What memory is doing, in the terms /proc/meminfo and free(1) use: the counters the procfs work will print.
#pragma once

#include "lib/types.hpp"

namespace mm {

// All in KiB, as /proc/meminfo shows them.
struct MemoryCounters {
    u64 total;     // MemTotal: RAM the page allocator manages
    u64 free;      // MemFree
    u64 available; // MemAvailable: free plus what could be reclaimed without swapping (empty slabs)
    u64 buffers;   // Buffers: block-device cache (none yet)
    u64 cached;    // Cached: file pages (none yet)
    u64 shmem;     // Shmem: shared anonymous pages
    u64 slab;      // Slab: kmalloc's slabs and large blocks
    u64 swap_total, swap_free; // no swap
};

MemoryCounters memory_counters();

} // namespace mm
