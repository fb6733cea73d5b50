// kmalloc / kfree: the kernel's general-purpose allocator. Sizes up to 2 KiB come from power-of-two slab
// caches; larger ones take whole blocks from the page allocator (at most 2^10 pages, 4 MiB).
#pragma once

#include "lib/result.hpp"

namespace mm {

inline constexpr usize kKmallocMax = usize { 4096 } << 10;

// Memory for `size` bytes, 8-byte aligned (page-aligned above 2 KiB); ENOMEM when there is none or the size
// is over kKmallocMax. Size 0 gives a valid smallest allocation, as Linux's kmalloc gives a unique pointer.
Result<void*> kmalloc(usize size);
// Like kmalloc, zero-filled.
Result<void*> kzalloc(usize size);
// Frees what kmalloc returned; nullptr is ignored.
void kfree(void* pointer);
// The bytes usable at `pointer` (at least what was asked for).
usize kmalloc_size(const void* pointer);

// Pages held by the slab caches and by whole-block allocations, for /proc/meminfo's Slab line.
usize kmalloc_pages();

// Pages kmalloc_shrink() would give back now (for MemAvailable).
usize kmalloc_reclaimable_pages();

// Gives empty slabs back to the page allocator.
void kmalloc_shrink();
// Forgets every allocation, for host tests that set up a new page allocator.
void kmalloc_reset();

} // namespace mm
