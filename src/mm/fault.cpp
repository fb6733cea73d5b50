// The page-fault handler: demand-zero pages, pages from a backing, copy-on-write, and stack growth.
// What is not resolved here becomes SIGSEGV for the process (or EFAULT for a system call's user access).
#include "lib/string.hpp"
#include "mm/address_space.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

namespace {

constexpr uptr kPage = arch::kPageBytes;

void* frame_memory(PhysAddr frame) { return arch::phys_to_virt(frame, kPage); }

Result<PhysAddr> copy_of(PhysAddr source)
{
    PhysAddr copy = TRY(page_allocator().allocate(0));
    copy_bytes(frame_memory(copy), frame_memory(source), kPage);
    return copy;
}

} // namespace

Result<void> AddressSpace::handle_fault(uptr address, FaultAccess access)
{
    if (address >= arch::kUserEnd)
        return Errno::FAULT;
    VmArea* area = find_area(address);
    if (!area) {
        VmArea* above = first_area_after(address);
        if (!above || !(above->flags & kVmGrowsDown))
            return Errno::FAULT;
        area = TRY(grow_stack(*above, address));
    }
    // i386 cannot tell an instruction fetch from a read, and has no write-only or execute-only pages: any access
    // right makes a page readable (Linux's vma_is_accessible), as page_access already maps a present one.
    u32 needed = access.write ? u32 { kProtWrite } : kProtMask;
    if (!(area->prot & needed))
        return Errno::ACCES;

    uptr page = address & ~(kPage - 1);
    arch::PageMapping mapping;
    if (!arch::query_page(m_tables, page, mapping))
        return map_fresh_page(*area, page, access.write);
    if (access.write && !(mapping.access & arch::kPageWritable) && !(area->flags & kVmShared))
        return copy_on_write(*area, page, mapping.phys);
    if (access.write && (area->flags & kVmShared))
        area->backing->mark_dirty(area->index_of(page)); // the first write to a clean page of a file
    // The mapping already allows the access, or only its bits were stale (after mprotect): refresh them.
    arch::protect_page(m_tables, page, page_access(*area, page, mapping.phys));
    return {};
}

Result<void> AddressSpace::map_fresh_page(VmArea& area, uptr page, bool write)
{
    PhysAddr frame;
    if (area.backing) {
        PhysAddr backing_frame = TRY(area.backing->page(area.index_of(page)));
        if (write && !(area.flags & kVmShared)) {
            frame = TRY(copy_of(backing_frame)); // a private write never reaches the backing
        } else {
            if (write)
                area.backing->mark_dirty(area.index_of(page));
            page_allocator().ref(backing_frame);
            frame = backing_frame;
        }
    } else {
        frame = TRY(page_allocator().allocate(0));
        fill_bytes(frame_memory(frame), 0, kPage);
    }
    if (arch::map_page(m_tables, page, frame, page_access(area, page, frame)).is_error()) {
        page_allocator().unref(frame);
        return Errno::NOMEM;
    }
    ++m_resident_pages;
    if (area.backing && !write)
        map_around(area, page);
    return {};
}

void AddressSpace::map_around(VmArea& area, uptr page)
{
    uptr from = page & ~(kFaultAround - 1), to = from + kFaultAround;
    from = from > area.start ? from : area.start;
    to = to < area.end ? to : area.end;
    arch::PageMapping mapping;
    for (uptr at = from; at < to; at += kPage) {
        PhysAddr frame = area.backing->existing_page(area.index_of(at));
        if (!frame || at == page || arch::query_page(m_tables, at, mapping))
            continue;
        if (arch::map_page(m_tables, at, frame, page_access(area, at, frame)).is_error())
            return; // only a hint: the page faults in later
        page_allocator().ref(frame);
        ++m_resident_pages;
    }
}

Result<void> AddressSpace::copy_on_write(VmArea& area, uptr page, PhysAddr old_frame)
{
    bool backing_page = area.backing && area.backing->existing_page(area.index_of(page)) == old_frame;
    if (!backing_page && page_allocator().refcount(old_frame) == 1) {
        // The other sharers are gone: the page is ours alone, no copy needed.
        arch::protect_page(m_tables, page, page_access(area, page, old_frame));
        return {};
    }
    PhysAddr copy = TRY(copy_of(old_frame));
    // Replacing a present mapping needs no new table page, so this cannot run out of memory.
    if (arch::map_page(m_tables, page, copy, page_access(area, page, copy)).is_error()) {
        page_allocator().unref(copy);
        return Errno::NOMEM;
    }
    page_allocator().unref(old_frame);
    return {};
}

Result<VmArea*> AddressSpace::grow_stack(VmArea& area, uptr address)
{
    uptr new_start = address & ~(kPage - 1);
    if (area.backing || area.end - new_start > m_stack_limit || new_start < kMmapBottom)
        return Errno::FAULT;
    // Growing into the area below, or closer to it than the guard gap, is a stack overflow.
    if (VmArea* below = m_areas.prev(area);
        below && (below->end > new_start || new_start - below->end < kStackGuardGap))
        return Errno::FAULT;
    // The start is the tree's key: take the area out while it changes.
    m_areas.remove(area);
    area.start = new_start;
    (void)m_areas.insert(area);
    return &area;
}

} // namespace mm
