// MemoryCounters from the allocators' own accounting.
#include "mm/counters.hpp"

#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "mm/shared_memory.hpp"

namespace mm {

MemoryCounters memory_counters()
{
    constexpr u64 kKibPerPage = kPageSize / 1024;
    MemoryCounters counters {};
    counters.total = page_allocator().managed_pages() * kKibPerPage;
    counters.free = page_allocator().free_pages() * kKibPerPage;
    counters.slab = kmalloc_pages() * kKibPerPage;
    counters.shmem = SharedMemory::total_pages() * kKibPerPage;
    counters.available = counters.free + kmalloc_reclaimable_pages() * kKibPerPage;
    return counters;
}

} // namespace mm
