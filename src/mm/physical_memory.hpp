// Physical memory at boot: hands the RAM nobody uses yet to the page allocator, and keeps the figures that
// the log and /proc/meminfo report.
#pragma once

#include "mm/buddy.hpp"
#include "mm/range_set.hpp"

namespace mm {

struct PhysicalMemoryReport {
    u64 ram_bytes;         // usable RAM the firmware reported
    u64 unreachable_bytes; // of it, above the direct map: not used yet
    u64 reserved_bytes;    // of the rest, kept back: low memory, kernel image, modules, frame descriptors
    usize managed_pages;   // given to the page allocator
};

// Sets up page_allocator() with `ram` (usable RAM from the firmware map) minus `in_use` (kernel image,
// modules) minus the first MiB, limited to what arch::phys_to_virt reaches. The frame descriptors are placed
// in the first free range large enough for them. ENOMEM when no RAM is left or there is no room for them;
// ENOSPC when the ranges are too fragmented to describe.
Result<PhysicalMemoryReport> init_physical_memory(const PhysRangeSet& ram, const PhysRangeSet& in_use);

// The kernel's page allocator (set up by init_physical_memory).
BuddyAllocator& page_allocator();

} // namespace mm
