// Simulated page tables and user-memory copies: a map from user page to mapping, plus one page-allocator page per 4 MiB
// of address space in use, as the i386 tables would take, so that memory accounting and ENOMEM behave as on the
// machine. The kernel window keeps the i386 window's page accounting. A device-memory mapping's address is the
// simulated RAM behind it, which stands in for device memory (the sim has no memory types to set), so a test
// sees through it what phys_to_virt shows and the reverse. Kernel page mappings map the RAM's memfd a second
// time, page by page, with the host protections their access asks for.
#include <map>
#include <new>
#include <sys/mman.h>
#include <stdexcept>
#include <vector>

#include "mm/physical_memory.hpp"
#include "sim/sim.hpp"

struct arch::PageTables {
    PhysAddr directory;
    std::map<uptr, arch::PageMapping> pages;
    std::map<uptr, PhysAddr> tables; // by 4 MiB slot
};

namespace {

// The window's pages in use, and each live device mapping by the address map_mmio returned: first slot, pages.
std::vector<bool> g_window_used(arch::kKernelWindowPages);
struct MmioMapping {
    usize slot, pages, offset; // offset: of the physical address in its page
};
std::multimap<void*, MmioMapping> g_mmio_mappings; // one range may be mapped twice, as on the machine
struct KernelPages {
    usize slot;
    std::vector<PhysAddr> frames;
    std::vector<arch::KernelAccess> access;
};
std::map<uptr, KernelPages> g_kernel_pages; // by host address

usize claim_window(usize pages)
{
    usize slot = 0, run = 0;
    for (; slot + run < arch::kKernelWindowPages && run < pages;)
        run = g_window_used[slot + run] ? (slot += run + 1, 0) : run + 1;
    if (run < pages)
        return arch::kKernelWindowPages;
    for (usize i = 0; i < pages; ++i)
        g_window_used[slot + i] = true;
    return slot;
}

int host_protection(arch::KernelAccess access)
{
    return access == arch::KernelAccess::ReadWrite ? PROT_READ | PROT_WRITE : PROT_READ;
}

// The kernel page mapping holding host address `virt`, or end().
std::map<uptr, KernelPages>::iterator kernel_pages_at(uptr virt)
{
    auto found = g_kernel_pages.upper_bound(virt);
    if (found == g_kernel_pages.begin())
        return g_kernel_pages.end();
    --found;
    return virt < found->first + found->second.frames.size() * arch::kPageBytes ? found : g_kernel_pages.end();
}

arch::PageTables* g_active;
long g_live_tables;
arch::PageFaultHandler g_fault_handler;

// The kernel pointer behind user byte `address`, resolving faults as the MMU and the handler would on the
// machine; nullptr when the access faults for good.
u8* user_byte(uptr address, bool write)
{
    uptr page = address & ~(arch::kPageBytes - 1);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto found = g_active ? g_active->pages.find(page) : std::map<uptr, arch::PageMapping>::iterator {};
        bool mapped = g_active && found != g_active->pages.end();
        arch::PageMapping* mapping = mapped ? &found->second : nullptr;
        // Access 0 faults even for the kernel; a kernel write to a read-only user page faults (CR0.WP).
        bool allowed = mapped && mapping->access != 0 && (!write || (mapping->access & arch::kPageWritable));
        if (allowed) {
            mapping->accessed = true; // as the MMU records them
            mapping->dirty = mapping->dirty || write;
            return static_cast<u8*>(arch::phys_to_virt(mapping->phys, arch::kPageBytes)) + (address - page);
        }
        if (attempt > 0 || !g_fault_handler || g_fault_handler(address, write, mapped && mapping->access != 0) != arch::FaultOutcome::Resolved)
            return nullptr;
    }
    return nullptr;
}

void check_user_page(uptr virt)
{
    if (virt >= arch::kUserEnd || virt % arch::kPageBytes)
        throw std::logic_error("sim: page-table operation on a non-user or unaligned address");
}

} // namespace

namespace sim {

arch::PageTables* active_page_tables() { return g_active; }
long live_page_tables() { return g_live_tables; }
void reset_paging()
{
    g_active = nullptr;
    g_fault_handler = nullptr;
    g_window_used.assign(arch::kKernelWindowPages, false);
    g_mmio_mappings.clear();
    for (auto& [address, mapping] : g_kernel_pages)
        munmap(reinterpret_cast<void*>(address), mapping.frames.size() * arch::kPageBytes);
    g_kernel_pages.clear();
}

} // namespace sim

namespace arch {

Result<void*> map_mmio(PhysAddr phys, usize length, Caching)
{
    // As a subtraction: phys + length wraps on a 64-bit host for a huge length.
    if (length == 0 || length > (u64 { 1 } << 32) - phys)
        return Errno::INVAL;
    PhysAddr first = phys & ~static_cast<PhysAddr>(kPageBytes - 1);
    u64 pages = (u64 { phys } + length - first + kPageBytes - 1) / kPageBytes;
    if (pages > kKernelWindowPages)
        return Errno::NOMEM;
    // Unbacked physical addresses have nothing to stand in for them here: a test asked for the impossible.
    void* backing = phys_to_virt(phys, length);
    if (!backing)
        throw std::logic_error("sim: map_mmio of physical memory the sim does not back");
    usize slot = claim_window(static_cast<usize>(pages));
    if (slot == kKernelWindowPages)
        return Errno::NOMEM;
    g_mmio_mappings.insert({ backing, { slot, static_cast<usize>(pages), phys - first } });
    return backing;
}

void unmap_mmio(void* virt, usize length)
{
    // Mappings of one range share an address: any one of them with this length is the same to undo.
    auto [begin, end] = g_mmio_mappings.equal_range(virt);
    if (begin == end)
        throw std::logic_error("sim: unmap_mmio of an address map_mmio did not return");
    auto found = begin;
    while (found != end
        && (length == 0 || (found->second.offset + length + kPageBytes - 1) / kPageBytes != found->second.pages))
        ++found;
    if (found == end)
        throw std::logic_error("sim: unmap_mmio with a length other than the mapping's");
    auto [slot, pages, offset] = found->second;
    for (usize i = 0; i < pages; ++i)
        g_window_used[slot + i] = false;
    g_mmio_mappings.erase(found);
}

Result<void*> map_kernel_pages(const PhysAddr* frames, usize count, KernelAccess access)
{
    TRY(check_kernel_pages_request(frames, count));
    for (usize i = 0; i < count; ++i) {
        int fd;
        u64 offset;
        if (!sim::phys_memory_file(frames[i], fd, offset))
            throw std::logic_error("sim: map_kernel_pages of a frame outside RAM attached as a sim::PhysMemory");
    }
    usize slot = claim_window(count);
    if (slot == kKernelWindowPages)
        return Errno::NOMEM;
    void* region = mmap(nullptr, count * kPageBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        throw std::runtime_error("sim: no host address space for a kernel mapping");
    auto* base = static_cast<u8*>(region);
    for (usize i = 0; i < count; ++i) {
        int fd;
        u64 offset;
        sim::phys_memory_file(frames[i], fd, offset);
        if (mmap(base + i * kPageBytes, kPageBytes, host_protection(access), MAP_SHARED | MAP_FIXED, fd,
                static_cast<off_t>(offset))
            == MAP_FAILED)
            throw std::runtime_error("sim: cannot map a frame into a kernel mapping");
    }
    g_kernel_pages[reinterpret_cast<uptr>(base)]
        = { slot, std::vector<PhysAddr>(frames, frames + count), std::vector<KernelAccess>(count, access) };
    return region;
}

void protect_kernel_pages(void* virt, usize count, KernelAccess access)
{
    uptr address = reinterpret_cast<uptr>(virt);
    auto found = kernel_pages_at(address);
    if (address % kPageBytes || found == g_kernel_pages.end()
        || (address - found->first) / kPageBytes + count > found->second.frames.size())
        throw std::logic_error("sim: protect_kernel_pages outside a kernel page mapping");
    if (mprotect(virt, count * kPageBytes, host_protection(access)) != 0)
        throw std::runtime_error("sim: mprotect of a kernel mapping failed");
    usize first = (address - found->first) / kPageBytes;
    for (usize i = 0; i < count; ++i)
        found->second.access[first + i] = access;
}

void unmap_kernel_pages(void* virt, usize count)
{
    auto found = g_kernel_pages.find(reinterpret_cast<uptr>(virt));
    if (found == g_kernel_pages.end() || found->second.frames.size() != count)
        throw std::logic_error("sim: unmap_kernel_pages of something map_kernel_pages did not return");
    munmap(virt, count * kPageBytes);
    for (usize i = 0; i < count; ++i)
        g_window_used[found->second.slot + i] = false;
    g_kernel_pages.erase(found);
}

bool query_kernel_page(const void* virt, PageMapping& out)
{
    uptr address = reinterpret_cast<uptr>(virt);
    auto found = kernel_pages_at(address);
    if (found != g_kernel_pages.end()) {
        usize index = (address - found->first) / kPageBytes;
        out = { found->second.frames[index],
            found->second.access[index] == KernelAccess::ReadWrite ? u32 { kPageWritable } : 0 };
        return true;
    }
    for (auto& [backing, mapping] : g_mmio_mappings) {
        uptr first = reinterpret_cast<uptr>(backing) - mapping.offset;
        if (address >= first && address < first + mapping.pages * kPageBytes) {
            out = { virt_to_phys(reinterpret_cast<void*>(address & ~(kPageBytes - 1))), kPageWritable };
            return true;
        }
    }
    return false;
}

usize kernel_window_free_pages()
{
    usize free = 0;
    for (bool used : g_window_used)
        free += !used;
    return free;
}

Result<PageTables*> create_page_tables()
{
    PhysAddr directory = TRY(mm::page_allocator().allocate(0));
    auto* tables = new PageTables { directory, {}, {} };
    ++g_live_tables;
    return tables;
}

void destroy_page_tables(PageTables* tables)
{
    if (tables == g_active)
        throw std::logic_error("sim: destroying the active page tables");
    for (auto& [slot, table] : tables->tables)
        mm::page_allocator().free(table, 0);
    mm::page_allocator().free(tables->directory, 0);
    delete tables;
    --g_live_tables;
}

namespace {

// The page a page table covering `virt` takes, allocated as the i386 tables would; ENOMEM.
Result<void> cover(PageTables* tables, uptr virt)
{
    uptr slot = virt >> 22;
    if (!tables->tables.count(slot))
        tables->tables[slot] = TRY(mm::page_allocator().allocate(0));
    return {};
}

} // namespace

Result<void> map_page(PageTables* tables, uptr virt, PhysAddr phys, u32 access)
{
    check_user_page(virt);
    TRY(cover(tables, virt));
    tables->pages[virt] = { phys & ~static_cast<PhysAddr>(kPageBytes - 1), access & (kPageWritable | kPageUser) };
    return {};
}

void unmap_page(PageTables* tables, uptr virt)
{
    check_user_page(virt);
    tables->pages.erase(virt);
}

bool protect_page(PageTables* tables, uptr virt, u32 access)
{
    check_user_page(virt);
    auto it = tables->pages.find(virt);
    if (it == tables->pages.end())
        return false;
    it->second.access = access & (kPageWritable | kPageUser);
    return true;
}

bool protect_page_unflushed(PageTables* tables, uptr virt, u32 access) { return protect_page(tables, virt, access); }

void flush_tlb(PageTables*) { } // the simulated MMU keeps no TLB

bool query_page(PageTables* tables, uptr virt, PageMapping& out)
{
    check_user_page(virt);
    auto it = tables->pages.find(virt);
    if (it == tables->pages.end())
        return false;
    out = it->second;
    return true;
}

bool next_mapped_page(PageTables* tables, uptr virt, uptr end, uptr& page, PageMapping& out)
{
    auto it = tables->pages.lower_bound(virt & ~uptr { kPageBytes - 1 });
    if (it == tables->pages.end() || it->first >= end)
        return false;
    page = it->first;
    out = it->second;
    return true;
}

Result<void> copy_mappings(PageTables* from, PageTables* to, uptr start, uptr end, bool copy_on_write,
    CopiedPageHook on_page, void* context, bool& write_protected)
{
    if (start % kPageBytes || end % kPageBytes || start > end || end > kUserEnd || to == g_active)
        throw std::logic_error("sim: copy_mappings outside user space or into the active tables");
    for (auto it = from->pages.lower_bound(start); it != from->pages.end() && it->first < end; ++it) {
        TRY(cover(to, it->first));
        if (copy_on_write && (it->second.access & kPageWritable)) {
            it->second.access &= ~u32 { kPageWritable };
            write_protected = true;
        }
        to->pages[it->first] = { it->second.phys, it->second.access };
        on_page(it->second.phys, context);
    }
    return {};
}

void activate_page_tables(PageTables* tables) { g_active = tables; }

void set_page_fault_handler(PageFaultHandler handler) { g_fault_handler = handler; }

usize copy_from_user_raw(void* to, uptr from, usize length)
{
    auto* out = static_cast<u8*>(to);
    for (usize i = 0; i < length; ++i) {
        u8* byte = user_byte(from + i, false);
        if (!byte)
            return length - i;
        out[i] = *byte;
    }
    return 0;
}

usize copy_to_user_raw(uptr to, const void* from, usize length)
{
    auto* in = static_cast<const u8*>(from);
    for (usize i = 0; i < length; ++i) {
        u8* byte = user_byte(to + i, true);
        if (!byte)
            return length - i;
        *byte = in[i];
    }
    return 0;
}

isize copy_string_from_user_raw(char* to, uptr from, usize size)
{
    for (usize i = 0; i < size; ++i) {
        u8* byte = user_byte(from + i, false);
        if (!byte)
            return -1;
        to[i] = static_cast<char>(*byte);
        if (*byte == 0)
            return static_cast<isize>(i);
    }
    return static_cast<isize>(size);
}

} // namespace arch
