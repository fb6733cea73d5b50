// Two-level i386 page tables without PAE (Intel SDM 3A 4.3): a directory of 1024 entries, each covering
// 4 MiB through a table of 1024 page entries. The kernel half is the boot directory's 4 MiB direct-map
// entries, copied into every new directory; it never changes after boot, so the copies stay valid. The one
// exception is the kernel window (map_mmio, map_kernel_pages): its page tables are static ones, entered into
// the boot directory before the first user directory copies it, so every directory shares them and later
// mappings in them are seen by all.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "arch/i386/kernel_mappings.hpp"
#include "kernel/panic.hpp"
#include "lib/bitmap.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

#include <new>

extern "C" const u32 boot_page_directory_phys;

struct arch::PageTables {
    PhysAddr directory;
};

namespace arch {

namespace {

constexpr u32 kPresent = 1u << 0, kWritable = 1u << 1, kUser = 1u << 2, kAccessed = 1u << 5, kDirty = 1u << 6;
// A software bit (the CPU ignores bits 9-11): "mapped, but no access" with Present clear, as Linux's PROTNONE.
constexpr u32 kNoAccess = 1u << 9;
constexpr u32 kFrameMask = 0xFFFFF000u;
constexpr usize kEntries = 1024;
constexpr usize kFirstKernelEntry = i386::kKernelVirtBase >> 22;

u32* table_at(PhysAddr phys) { return static_cast<u32*>(phys_to_virt(phys, kPageBytes)); }

PhysAddr active_directory() { return i386::read_cr3() & kFrameMask; }

void flush(const PageTables* tables, uptr virt)
{
    if (tables->directory == active_directory())
        asm volatile("invlpg (%0)" : : "r"(virt) : "memory");
}

void check_user_page(uptr virt)
{
    if (virt >= kUserEnd || virt % kPageBytes)
        panic("page tables: %#lx is not a user page address", static_cast<unsigned long>(virt));
}

// The page-table entry for `virt`, or nullptr when its table does not exist.
u32* entry_for(const PageTables* tables, uptr virt)
{
    u32 directory_entry = table_at(tables->directory)[virt >> 22];
    if (!(directory_entry & kPresent))
        return nullptr;
    return &table_at(directory_entry & kFrameMask)[(virt >> 12) & (kEntries - 1)];
}

// The page table covering `virt`, made (empty) when there is none; ENOMEM when no page is left for it.
Result<u32*> table_for(const PageTables* tables, uptr virt)
{
    u32& directory_entry = table_at(tables->directory)[virt >> 22];
    if (!(directory_entry & kPresent)) {
        PhysAddr table = TRY(mm::page_allocator().allocate(0));
        fill_bytes(table_at(table), 0, kPageBytes);
        // Permissions are the stricter of both levels: the directory allows everything, pages decide.
        directory_entry = table | kPresent | kWritable | kUser;
    }
    return table_at(directory_entry & kFrameMask);
}

u32 entry_bits(u32 access)
{
    if (access == 0)
        return kNoAccess;
    return kPresent | (access & kPageWritable ? kWritable : 0) | (access & kPageUser ? kUser : 0);
}

bool is_mapped(u32 entry) { return entry & (kPresent | kNoAccess); }

PageMapping mapping_of(u32 entry)
{
    u32 access = (entry & kPresent) ? (entry & kWritable ? kPageWritable : 0u) | (entry & kUser ? kPageUser : 0u) : 0u;
    return { entry & kFrameMask, access, (entry & kAccessed) != 0, (entry & kDirty) != 0 };
}

// --- the kernel window at kKernelWindowBase: device memory (map_mmio) and page mappings (map_kernel_pages) ---
// Without PAT, PWT and PCD in a page entry make its memory type UC (Intel SDM 3A 4.9.1).
constexpr u32 kWriteThrough = 1u << 3, kCacheDisable = 1u << 4;
constexpr usize kWindowTables = kKernelWindowPages / kEntries;
static_assert(i386::kKernelWindowBase >= i386::kKernelVirtBase + i386::kDirectMapBytes);
static_assert(i386::kKernelWindowBase % (4u << 20) == 0 && kKernelWindowPages % kEntries == 0);

// The window's page tables, one after another, so that slot n's entry is g_window_table[n].
alignas(4096) u32 g_window_table[kKernelWindowPages];
Bitmap::Word g_window_words[Bitmap::words_for(kKernelWindowPages)];
Bitmap g_window_used; // which window pages are mapped
IrqSpinLock g_window_lock; // the bitmap and the tables

// The vDSO at kVdsoBase and its clock page below (vdso.cpp): a table of its own for the last 4 MiB, whose
// directory entry lets user mode through; its pages are read-only (and, with CR0.WP, to the kernel too).
alignas(4096) u32 g_user_entry_table[kEntries];

void install_vdso_pages(u32* directory)
{
    constexpr usize kVdsoSlot = (i386::kVdsoBase >> 12) & (kEntries - 1);
    constexpr usize kClockSlot = (i386::kUserClockPage >> 12) & (kEntries - 1);
    static_assert(kVdsoSlot + i386::kVdsoMaxPages == kEntries && kClockSlot + 1 == kVdsoSlot);
    i386::VdsoImage vdso = i386::vdso_image();
    fill_bytes(g_user_entry_table, 0, sizeof(g_user_entry_table));
    for (usize i = 0; i < vdso.pages; ++i)
        g_user_entry_table[kVdsoSlot + i] = (vdso.image + i * kPageBytes) | kPresent | kUser;
    g_user_entry_table[kClockSlot] = vdso.clock_page | kPresent | kUser;
    directory[i386::kVdsoBase >> 22] = virt_to_phys(g_user_entry_table) | kPresent | kWritable | kUser;
}

// Enters the window's tables and the vDSO's pages into the boot directory, which every new directory
// copies; interrupts off.
void install_window_tables()
{
    if (g_window_used.size())
        return;
    g_window_used = Bitmap(g_window_words, kKernelWindowPages);
    fill_bytes(g_window_table, 0, sizeof(g_window_table));
    u32* directory = table_at(boot_page_directory_phys);
    for (usize t = 0; t < kWindowTables; ++t)
        directory[(i386::kKernelWindowBase >> 22) + t] = virt_to_phys(g_window_table + t * kEntries) | kPresent | kWritable;
    install_vdso_pages(directory);
}

uptr window_address(usize slot) { return i386::kKernelWindowBase + slot * kPageBytes; }

void set_window_entry(usize slot, u32 entry)
{
    g_window_table[slot] = entry;
    // The kernel half is in every TLB context (no PCID here): one invlpg reaches all of them.
    asm volatile("invlpg (%0)" : : "r"(window_address(slot)) : "memory");
}

// The window slots of [virt, virt + length), all of which must be mapped; a kernel bug panics as `caller`.
usize mapped_slots(const char* caller, const void* virt, usize length, usize& pages)
{
    uptr address = reinterpret_cast<uptr>(virt);
    uptr offset = address - i386::kKernelWindowBase;
    if (address < i386::kKernelWindowBase || length == 0 || offset + length > kKernelWindowPages * kPageBytes)
        panic("%s: %p (%zu bytes) is not in the kernel window", caller, virt, length);
    usize slot = offset / kPageBytes;
    pages = (offset % kPageBytes + length + kPageBytes - 1) / kPageBytes;
    for (usize i = 0; i < pages; ++i)
        if (!g_window_used.size() || !g_window_used.get(slot + i))
            panic("%s: %p (%zu bytes) was not mapped", caller, virt, length);
    return slot;
}

void release_slots(const char* caller, const void* virt, usize length)
{
    SpinLockGuard guard(g_window_lock);
    usize pages;
    usize slot = mapped_slots(caller, virt, length, pages);
    for (usize i = 0; i < pages; ++i)
        set_window_entry(slot + i, 0);
    g_window_used.set_range(slot, pages, false);
}

// A free run of `pages` slots, taken; kNotFound when there is none. Lock held.
usize claim_slots(usize pages)
{
    install_window_tables();
    usize slot = g_window_used.find_run(false, pages);
    if (slot != Bitmap::kNotFound)
        g_window_used.set_range(slot, pages);
    return slot;
}

u32 access_bits(KernelAccess access) { return kPresent | (access == KernelAccess::ReadWrite ? kWritable : 0); }

} // namespace

Result<void*> map_mmio(PhysAddr phys, usize length, Caching caching)
{
    // As a subtraction: phys + length wraps on a 64-bit host for a huge length.
    if (length == 0 || length > (u64 { 1 } << 32) - phys)
        return Errno::INVAL;
    PhysAddr first = phys & kFrameMask;
    u64 pages = (u64 { phys } + length - first + kPageBytes - 1) / kPageBytes;
    if (pages > kKernelWindowPages)
        return Errno::NOMEM;
    SpinLockGuard guard(g_window_lock);
    usize slot = claim_slots(static_cast<usize>(pages));
    if (slot == Bitmap::kNotFound)
        return Errno::NOMEM;
    u32 bits = kPresent | kWritable | (caching == Caching::Uncached ? kWriteThrough | kCacheDisable : 0);
    for (usize i = 0; i < pages; ++i)
        set_window_entry(slot + i, (first + i * kPageBytes) | bits);
    return reinterpret_cast<void*>(window_address(slot) + (phys - first));
}

void unmap_mmio(void* virt, usize length) { release_slots("unmap_mmio", virt, length); }

Result<void*> map_kernel_pages(const PhysAddr* frames, usize count, KernelAccess access)
{
    TRY(check_kernel_pages_request(frames, count));
    SpinLockGuard guard(g_window_lock);
    usize slot = claim_slots(count);
    if (slot == Bitmap::kNotFound)
        return Errno::NOMEM;
    for (usize i = 0; i < count; ++i)
        set_window_entry(slot + i, frames[i] | access_bits(access));
    return reinterpret_cast<void*>(window_address(slot));
}

void protect_kernel_pages(void* virt, usize count, KernelAccess access)
{
    if (reinterpret_cast<uptr>(virt) % kPageBytes)
        panic("protect_kernel_pages: %p is not a page address", virt);
    SpinLockGuard guard(g_window_lock);
    usize pages;
    usize slot = mapped_slots("protect_kernel_pages", virt, count * kPageBytes, pages);
    for (usize i = 0; i < pages; ++i)
        set_window_entry(slot + i, (g_window_table[slot + i] & kFrameMask) | access_bits(access));
}

void unmap_kernel_pages(void* virt, usize count)
{
    if (reinterpret_cast<uptr>(virt) % kPageBytes)
        panic("unmap_kernel_pages: %p is not a page address", virt);
    release_slots("unmap_kernel_pages", virt, count * kPageBytes);
}

bool query_kernel_page(const void* virt, PageMapping& out)
{
    uptr address = reinterpret_cast<uptr>(virt);
    if (address < i386::kKernelWindowBase || address - i386::kKernelWindowBase >= kKernelWindowPages * kPageBytes)
        return false;
    SpinLockGuard guard(g_window_lock);
    u32 entry = g_window_used.size() ? g_window_table[(address - i386::kKernelWindowBase) / kPageBytes] : 0;
    if (!(entry & kPresent))
        return false;
    out = { entry & kFrameMask, entry & kWritable ? u32 { kPageWritable } : 0 };
    return true;
}

usize kernel_window_free_pages()
{
    SpinLockGuard guard(g_window_lock);
    usize used = 0;
    for (usize i = 0; i < g_window_used.size(); ++i)
        used += g_window_used.get(i);
    return kKernelWindowPages - used;
}

Result<PageTables*> create_page_tables()
{
    {
        SpinLockGuard guard(g_window_lock); // before the first copy of the kernel half, so every copy has it
        install_window_tables();
    }
    auto* tables = new (std::nothrow) PageTables;
    if (!tables)
        return Errno::NOMEM;
    auto directory = mm::page_allocator().allocate(0);
    if (directory.is_error()) {
        delete tables;
        return Errno::NOMEM;
    }
    tables->directory = directory.value();
    u32* entries = table_at(tables->directory);
    const u32* kernel = table_at(boot_page_directory_phys);
    fill_bytes(entries, 0, kFirstKernelEntry * sizeof(u32));
    copy_bytes(entries + kFirstKernelEntry, kernel + kFirstKernelEntry, (kEntries - kFirstKernelEntry) * sizeof(u32));
    return tables;
}

void destroy_page_tables(PageTables* tables)
{
    if (tables->directory == active_directory())
        panic("page tables: destroying the active address space");
    u32* entries = table_at(tables->directory);
    for (usize i = 0; i < kFirstKernelEntry; ++i)
        if (entries[i] & kPresent)
            mm::page_allocator().free(entries[i] & kFrameMask, 0);
    mm::page_allocator().free(tables->directory, 0);
    delete tables;
}

Result<void> map_page(PageTables* tables, uptr virt, PhysAddr phys, u32 access)
{
    check_user_page(virt);
    u32* table = TRY(table_for(tables, virt));
    table[(virt >> 12) & (kEntries - 1)] = (phys & kFrameMask) | entry_bits(access);
    flush(tables, virt);
    return {};
}

void unmap_page(PageTables* tables, uptr virt)
{
    check_user_page(virt);
    if (u32* entry = entry_for(tables, virt); entry && is_mapped(*entry)) {
        *entry = 0;
        flush(tables, virt);
    }
}

bool protect_page_unflushed(PageTables* tables, uptr virt, u32 access)
{
    check_user_page(virt);
    u32* entry = entry_for(tables, virt);
    if (!entry || !is_mapped(*entry))
        return false;
    *entry = (*entry & (kFrameMask | kAccessed | kDirty)) | entry_bits(access);
    return true;
}

bool protect_page(PageTables* tables, uptr virt, u32 access)
{
    if (!protect_page_unflushed(tables, virt, access))
        return false;
    flush(tables, virt);
    return true;
}

void flush_tlb(PageTables* tables)
{
    // Reloading CR3 drops every non-global TLB entry at once: cheaper than one invlpg per page.
    if (tables->directory == active_directory())
        asm volatile("mov %0, %%cr3" : : "r"(tables->directory) : "memory");
}

bool query_page(PageTables* tables, uptr virt, PageMapping& out)
{
    check_user_page(virt);
    u32* entry = entry_for(tables, virt);
    if (!entry || !is_mapped(*entry))
        return false;
    out = mapping_of(*entry);
    return true;
}

bool next_mapped_page(PageTables* tables, uptr virt, uptr end, uptr& page, PageMapping& out)
{
    const u32* directory = table_at(tables->directory);
    if (end > kUserEnd)
        end = kUserEnd;
    for (uptr address = virt & ~uptr { kPageBytes - 1 }; address < end;) {
        u32 directory_entry = directory[address >> 22];
        if (!(directory_entry & kPresent)) {
            address = (address | 0x3FFFFF) + 1; // the whole 4 MiB is empty
            continue;
        }
        const u32* table = table_at(directory_entry & kFrameMask);
        for (; address < end; address += kPageBytes) {
            u32 entry = table[(address >> 12) & (kEntries - 1)];
            if (is_mapped(entry)) {
                page = address;
                out = mapping_of(entry);
                return true;
            }
            if (((address + kPageBytes) & 0x3FFFFF) == 0) {
                address += kPageBytes;
                break; // on to the next table
            }
        }
    }
    return false;
}

Result<void> copy_mappings(PageTables* from, PageTables* to, uptr start, uptr end, bool copy_on_write,
    CopiedPageHook on_page, void* context, bool& write_protected)
{
    if (start % kPageBytes || end % kPageBytes || start > end || end > kUserEnd)
        panic("page tables: copy_mappings of [%#lx, %#lx)", static_cast<unsigned long>(start),
            static_cast<unsigned long>(end));
    u32* source_directory = table_at(from->directory);
    for (uptr address = start; address < end;) {
        uptr table_end = (address | 0x3FFFFF) + 1; // below kUserEnd, so this does not wrap
        uptr stop = table_end < end ? table_end : end;
        u32 source_entry = source_directory[address >> 22];
        if (!(source_entry & kPresent)) {
            address = stop;
            continue;
        }
        u32* source = table_at(source_entry & kFrameMask);
        u32* target = nullptr;
        for (; address < stop; address += kPageBytes) {
            u32& entry = source[(address >> 12) & (kEntries - 1)];
            if (!is_mapped(entry))
                continue;
            if (!target)
                target = TRY(table_for(to, address));
            if (copy_on_write && (entry & kWritable)) {
                entry &= ~kWritable;
                write_protected = true;
            }
            target[(address >> 12) & (kEntries - 1)] = entry & ~(kAccessed | kDirty);
            on_page(entry & kFrameMask, context);
        }
    }
    return {};
}

void activate_page_tables(PageTables* tables)
{
    PhysAddr directory = tables ? tables->directory : boot_page_directory_phys;
    // Switching between threads of one process keeps the tables: reloading CR3 would only empty the TLB.
    PhysAddr loaded;
    asm volatile("mov %%cr3, %0" : "=r"(loaded));
    if (loaded != directory)
        asm volatile("mov %0, %%cr3" : : "r"(directory) : "memory");
}

} // namespace arch

u32 i386::kernel_page_entry(uptr virt)
{
    if (virt < kKernelWindowBase || virt - kKernelWindowBase >= arch::kKernelWindowPages * arch::kPageBytes)
        return 0;
    arch::SpinLockGuard guard(arch::g_window_lock);
    return arch::g_window_used.size() ? arch::g_window_table[(virt - kKernelWindowBase) / arch::kPageBytes] : 0;
}
