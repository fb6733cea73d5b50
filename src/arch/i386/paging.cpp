// Two-level i386 page tables without PAE (Intel SDM 3A 4.3): a directory of 1024 entries, each covering
// 4 MiB through a table of 1024 page entries. The kernel half is the boot directory's 4 MiB direct-map
// entries, copied into every new directory; it never changes after boot, so the copies stay valid.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "kernel/panic.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

#include <new>

extern "C" const u32 boot_page_directory_phys;

struct arch::PageTables {
    PhysAddr directory;
};

namespace arch {

namespace {

constexpr u32 kPresent = 1u << 0, kWritable = 1u << 1, kUser = 1u << 2;
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

u32 entry_bits(u32 access)
{
    if (access == 0)
        return kNoAccess;
    return kPresent | (access & kPageWritable ? kWritable : 0) | (access & kPageUser ? kUser : 0);
}

bool is_mapped(u32 entry) { return entry & (kPresent | kNoAccess); }

} // namespace

Result<PageTables*> create_page_tables()
{
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
    u32& directory_entry = table_at(tables->directory)[virt >> 22];
    if (!(directory_entry & kPresent)) {
        PhysAddr table = TRY(mm::page_allocator().allocate(0));
        fill_bytes(table_at(table), 0, kPageBytes);
        // Permissions are the stricter of both levels: the directory allows everything, pages decide.
        directory_entry = table | kPresent | kWritable | kUser;
    }
    table_at(directory_entry & kFrameMask)[(virt >> 12) & (kEntries - 1)] = (phys & kFrameMask) | entry_bits(access);
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
    *entry = (*entry & kFrameMask) | entry_bits(access);
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
    u32 access = (*entry & kPresent) ? (*entry & kWritable ? kPageWritable : 0u) | (*entry & kUser ? kPageUser : 0u) : 0u;
    out = { *entry & kFrameMask, access };
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
                u32 access = (entry & kPresent)
                    ? (entry & kWritable ? kPageWritable : 0u) | (entry & kUser ? kPageUser : 0u)
                    : 0u;
                out = { entry & kFrameMask, access };
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
