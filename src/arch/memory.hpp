// Physical memory and user page tables.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// --- Physical memory ---
// A kernel pointer to [phys, phys + length) if that range is reachable, else nullptr.
void* phys_to_virt(PhysAddr phys, usize length);
// The inverse for a pointer into the direct map (as phys_to_virt gave it); anything else is a kernel bug.
PhysAddr virt_to_phys(const void* pointer);
// Physical memory below this address is reachable through phys_to_virt (the kernel's direct map).
u64 direct_map_limit();
// Where the kernel image (code, data, bss) lies in physical memory, [start, end).
struct PhysSpan {
    PhysAddr start;
    PhysAddr end;
};
PhysSpan kernel_image();

// --- Page tables ---
// One user address space's page tables; the kernel's half of the address space is shared by all of them.
struct PageTables;

// User addresses are [0, kUserEnd) on i386 (the kernel owns the top gigabyte); the sim uses the same split.
inline constexpr uptr kUserEnd = 0xC0000000;
inline constexpr usize kPageBytes = 4096;

// What a mapping allows. Access 0 keeps the frame mapped but makes every access fault, the kernel's included
// (PROT_NONE: its contents must survive an mprotect back, but no copy_from_user may read them).
enum PageAccess : u32 {
    kPageWritable = 1u << 0,
    kPageUser = 1u << 1, // reachable from user mode
};

struct PageMapping {
    PhysAddr phys;
    u32 access; // PageAccess bits
};

// Empty user half, shared kernel half; ENOMEM when no page is left for the directory.
Result<PageTables*> create_page_tables();
// Frees the tables themselves (not the pages they mapped). Must not be the active tables.
void destroy_page_tables(PageTables* tables);
// Maps the user page at `virt` (page-aligned, below kUserEnd) to `phys`, replacing any mapping there;
// ENOMEM when a page-table page is needed and none is left. The TLB is kept coherent.
Result<void> map_page(PageTables* tables, uptr virt, PhysAddr phys, u32 access);
// Removes the mapping at `virt`, if any.
void unmap_page(PageTables* tables, uptr virt);
// Changes the access of an existing mapping; false when `virt` is not mapped.
bool protect_page(PageTables* tables, uptr virt, u32 access);
// The same without keeping the TLB coherent: for changing many pages, followed by flush_tlb().
bool protect_page_unflushed(PageTables* tables, uptr virt, u32 access);
void flush_tlb(PageTables* tables);
// The mapping at `virt`, if any.
bool query_page(PageTables* tables, uptr virt, PageMapping& out);
// The first mapped page in [virt, end) with its mapping, skipping unmapped stretches wholesale; false when
// there is none. For walking sparse areas (fork, unmap, teardown) without a query per page.
bool next_mapped_page(PageTables* tables, uptr virt, uptr end, uptr& page, PageMapping& out);
// Makes `tables` the current user address space (nullptr: only the kernel half).
void activate_page_tables(PageTables* tables);

} // namespace arch
