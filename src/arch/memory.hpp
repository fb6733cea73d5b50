// Physical memory, the kernel window (device memory and page mappings), and user page tables.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// The one page size: everything else (mm::kPageSize, each file's kPage) is this constant by another name.
inline constexpr unsigned kPageShift = 12;
inline constexpr usize kPageBytes = usize { 1 } << kPageShift;

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

// --- The kernel window: kernel addresses for memory the direct map does not give as needed ---
// Pages in the window (16 MiB on i386), shared by every address space and by both kinds of mapping below.
inline constexpr usize kKernelWindowPages = 4096;
// Window pages not in use, for tests and leak checks.
usize kernel_window_free_pages();

// Device registers and memory (MMIO). Device registers must not be cached or written back late: Uncached sets
// PCD|PWT (Intel SDM 3A 12.3, the UC memory type with no PAT). WriteBack is for memory the direct map does not
// reach.
enum class Caching : u8 { Uncached, WriteBack };
// Maps physical [phys, phys + length) into the window and returns the kernel address of `phys` itself (its
// offset within the page kept). EINVAL for an empty range or one past the 32-bit physical space; ENOMEM when
// the window has no free run of that many pages. Task or boot context.
Result<void*> map_mmio(PhysAddr phys, usize length, Caching caching = Caching::Uncached);
// Undoes map_mmio, with the address it returned and the length it was given; anything else is a kernel bug.
void unmap_mmio(void* virt, usize length);
// Register access through such a mapping: one access of exactly that width, never merged or elided.
inline u8 mmio_read8(const void* at) { return *static_cast<const volatile u8*>(at); }
inline u16 mmio_read16(const void* at) { return *static_cast<const volatile u16*>(at); }
inline u32 mmio_read32(const void* at) { return *static_cast<const volatile u32*>(at); }
inline void mmio_write8(void* at, u8 value) { *static_cast<volatile u8*>(at) = value; }
inline void mmio_write16(void* at, u16 value) { *static_cast<volatile u16*>(at) = value; }
inline void mmio_write32(void* at, u32 value) { *static_cast<volatile u32*>(at) = value; }

// Page frames that need not be contiguous, at consecutive kernel addresses, with access control: a loaded
// module's sections are written ReadWrite, then their text and read-only data become ReadOnly (the kernel
// runs with CR0.WP set, so its own writes fault too). Non-PAE i386 has no no-execute bit: every kernel page
// is executable. Returns the address of frames[0]; EINVAL for no frames or one that is not a page address,
// ENOMEM when the window has no free run of `count` pages.
enum class KernelAccess : u8 { ReadOnly, ReadWrite };
Result<void*> map_kernel_pages(const PhysAddr* frames, usize count, KernelAccess access);
// map_kernel_pages' checks, shared by every arch: EINVAL or ENOMEM as described above, before any lock.
inline Result<void> check_kernel_pages_request(const PhysAddr* frames, usize count)
{
    if (count == 0)
        return Errno::INVAL;
    for (usize i = 0; i < count; ++i)
        if (frames[i] % kPageBytes || u64 { frames[i] } >= (u64 { 1 } << 32))
            return Errno::INVAL;
    if (count > kKernelWindowPages)
        return Errno::NOMEM;
    return {};
}
// Changes the access of `count` pages from `virt` (page-aligned), all mapped by map_kernel_pages.
void protect_kernel_pages(void* virt, usize count, KernelAccess access);
// Undoes map_kernel_pages (the frames stay allocated: they are the caller's).
void unmap_kernel_pages(void* virt, usize count);
// The frame and access (kPageWritable or 0) behind a window address of either kind; false when unmapped.
struct PageMapping;
bool query_kernel_page(const void* virt, PageMapping& out);

// --- Page tables ---
// One user address space's page tables; the kernel's half of the address space is shared by all of them.
struct PageTables;

// User addresses are [0, kUserEnd) on i386 (the kernel owns the top gigabyte); the sim uses the same split.
inline constexpr uptr kUserEnd = 0xC0000000;

// What a mapping allows. Access 0 keeps the frame mapped but makes every access fault, the kernel's included
// (PROT_NONE: its contents must survive an mprotect back, but no copy_from_user may read them).
enum PageAccess : u32 {
    kPageWritable = 1u << 0,
    kPageUser = 1u << 1, // reachable from user mode
};

struct PageMapping {
    PhysAddr phys;
    u32 access; // PageAccess bits
    // What the MMU recorded since the page was mapped: it was read or written, it was written. Changing the
    // access keeps them.
    bool accessed = false;
    bool dirty = false;
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
// Fork's copy of [start, end) (page-aligned user addresses) from `from` into `to`, which maps nothing there and
// is not the active tables: a page-table page at a time, each mapped page entered once, write-protected in
// both first when `copy_on_write` (a private area's pages), its accessed and dirty bits clear in `to`.
// `on_page(frame, context)` is called for each page copied, so that the caller takes its reference.
// `write_protected` is set when a page of `from` lost its write access: `from` then needs flush_tlb. ENOMEM
// when a page-table page cannot be had; the pages copied until then are in `to` and were given to on_page.
using CopiedPageHook = void (*)(PhysAddr frame, void* context);
Result<void> copy_mappings(PageTables* from, PageTables* to, uptr start, uptr end, bool copy_on_write,
    CopiedPageHook on_page, void* context, bool& write_protected);
// Makes `tables` the current user address space (nullptr: only the kernel half).
void activate_page_tables(PageTables* tables);

} // namespace arch
