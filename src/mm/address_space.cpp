// AddressSpace: areas, pages, fork. The fault handler is in fault.cpp.
#include "mm/address_space.hpp"

#include "kernel/panic.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

namespace {

constexpr uptr kPage = arch::kPageBytes;

AddressSpace* g_active;

bool continues(const VmArea& lower, const VmArea& upper)
{
    if (lower.end != upper.start || lower.prot != upper.prot || lower.flags != upper.flags
        || lower.backing != upper.backing)
        return false;
    return !lower.backing || upper.backing_offset == lower.backing_offset + lower.pages();
}

} // namespace

Result<OwnPtr<AddressSpace>> AddressSpace::create()
{
    arch::PageTables* tables = TRY(arch::create_page_tables());
    auto* space = new (std::nothrow) AddressSpace(tables);
    if (!space) {
        arch::destroy_page_tables(tables);
        return Errno::NOMEM;
    }
    return OwnPtr<AddressSpace>(space);
}

AddressSpace::~AddressSpace()
{
    while (VmArea* area = m_areas.first()) {
        release_pages(area->start, area->end);
        destroy_area(*area);
    }
    if (g_active == this) {
        arch::activate_page_tables(nullptr);
        g_active = nullptr;
    }
    arch::destroy_page_tables(m_tables);
}

void AddressSpace::activate()
{
    arch::activate_page_tables(m_tables);
    g_active = this;
}

AddressSpace* AddressSpace::active() { return g_active; }

usize AddressSpace::read_present(uptr address, void* buffer, usize length) const
{
    usize done = 0;
    while (done < length) {
        uptr at = address + done;
        arch::PageMapping mapping {};
        if (!arch::query_page(m_tables, at & ~uptr { 4095 }, mapping))
            break;
        usize offset = at & 4095;
        usize now = length - done < arch::kPageBytes - offset ? length - done : arch::kPageBytes - offset;
        auto* page = static_cast<const u8*>(arch::phys_to_virt(mapping.phys, arch::kPageBytes));
        if (!page)
            break;
        copy_bytes(static_cast<u8*>(buffer) + done, page + offset, now);
        done += now;
    }
    return done;
}

// --- finding areas ---

VmArea* AddressSpace::find_area(uptr address) const
{
    VmArea* area = m_areas.floor(address);
    return area && area->contains(address) ? area : nullptr;
}

VmArea* AddressSpace::first_area_after(uptr address) const
{
    VmArea* area = m_areas.floor(address);
    if (area && area->end > address)
        return area;
    return area ? m_areas.next(*area) : m_areas.first();
}

bool AddressSpace::is_free(uptr start, uptr end) const
{
    VmArea* area = first_area_after(start);
    return !area || area->start >= end;
}

bool AddressSpace::is_covered(uptr start, uptr end) const
{
    for (uptr cursor = start; cursor < end;) {
        VmArea* area = find_area(cursor);
        if (!area)
            return false;
        cursor = area->end;
    }
    return true;
}

Result<uptr> AddressSpace::find_free(usize length, uptr below) const
{
    if (length == 0 || below < kMmapBottom || below - kMmapBottom < length)
        return Errno::NOMEM;
    uptr top = below;
    VmArea* area = m_areas.floor(top - 1);
    for (;;) {
        // A stack keeps its guard gap free below it, as Linux keeps mmap away from it.
        uptr area_top = area ? area->end : kMmapBottom;
        uptr limit = area && (area->flags & kVmGrowsDown) && area->start > kStackGuardGap
            ? area->start - kStackGuardGap
            : (area ? area->start : kMmapBottom);
        if (area && area_top > top) {
            top = limit < top ? limit : top;
        } else {
            uptr floor = area_top > kMmapBottom ? area_top : kMmapBottom;
            if (top >= floor && top - floor >= length)
                return top - length;
            if (!area)
                return Errno::NOMEM;
            top = limit;
        }
        if (!area || top < kMmapBottom)
            return Errno::NOMEM;
        area = m_areas.prev(*area);
    }
}

// --- changing the set of areas ---

Result<VmArea*> AddressSpace::add_area(uptr start, uptr end, u32 prot, u32 flags, VmBacking* backing,
    u64 backing_offset)
{
    if (start >= end || start % kPage || end % kPage || end > arch::kUserEnd || !is_free(start, end))
        panic("address space: add_area [%#lx, %#lx) is not a free page range", static_cast<unsigned long>(start),
            static_cast<unsigned long>(end));
    VmArea* area = TRY(new_area(start, end, prot, flags, backing, backing_offset));
    (void)m_areas.insert(*area); // free range checked above: the start is unique
    return merge_around(*area);
}

Result<VmArea*> AddressSpace::new_area(uptr start, uptr end, u32 prot, u32 flags, VmBacking* backing,
    u64 backing_offset)
{
    auto* area = new (std::nothrow) VmArea { {}, start, end, prot, flags, backing, backing_offset, this, {} };
    if (!area)
        return Errno::NOMEM;
    if (backing)
        backing->attach(*area);
    return area;
}

void AddressSpace::destroy_area(VmArea& area)
{
    m_areas.remove(area);
    if (area.backing)
        area.backing->detach(area);
    delete &area;
}

Result<VmArea*> AddressSpace::split(VmArea& area, uptr at)
{
    VmArea* upper = TRY(new_area(at, area.end, area.prot, area.flags, area.backing, area.index_of(at)));
    area.end = at;
    (void)m_areas.insert(*upper);
    return upper;
}

VmArea* AddressSpace::merge_around(VmArea& area)
{
    VmArea* survivor = &area;
    if (VmArea* previous = m_areas.prev(area); previous && continues(*previous, area)) {
        previous->end = area.end;
        destroy_area(area);
        survivor = previous;
    }
    if (VmArea* next = m_areas.next(*survivor); next && continues(*survivor, *next)) {
        survivor->end = next->end;
        destroy_area(*next);
    }
    return survivor;
}

Result<void> AddressSpace::isolate(uptr start, uptr end)
{
    // Splitting changes no mapping, so a failure half-way leaves an equivalent address space.
    if (VmArea* area = find_area(start); area && area->start < start)
        TRY(split(*area, start));
    if (VmArea* area = find_area(end); area && area->start < end)
        TRY(split(*area, end));
    return {};
}

void AddressSpace::merge_range(uptr start, uptr end)
{
    // Up to and including the area starting at `end`, which may now continue the last changed one.
    for (uptr cursor = start; cursor <= end;) {
        VmArea* area = find_area(cursor);
        if (!area) {
            area = first_area_after(cursor);
            if (!area || area->start > end)
                return;
        }
        cursor = merge_around(*area)->end;
    }
}

Result<void> AddressSpace::remove_range(uptr start, uptr end)
{
    TRY(isolate(start, end));
    for (VmArea* area = first_area_after(start); area && area->start < end;) {
        VmArea* next = m_areas.next(*area);
        release_pages(area->start, area->end);
        destroy_area(*area);
        area = next;
    }
    return {};
}

Result<void> AddressSpace::protect_range(uptr start, uptr end, u32 prot)
{
    if (!is_covered(start, end))
        return Errno::NOMEM;
    TRY(isolate(start, end));
    for (VmArea* area = find_area(start); area && area->start < end; area = m_areas.next(*area)) {
        area->prot = prot;
        arch::PageMapping mapping;
        for (uptr page = area->start; arch::next_mapped_page(m_tables, page, area->end, page, mapping); page += kPage)
            arch::protect_page_unflushed(m_tables, page, page_access(*area, page, mapping.phys));
    }
    arch::flush_tlb(m_tables);
    merge_range(start > kPage ? start - kPage : 0, end);
    return {};
}

Result<void> AddressSpace::set_flags_range(uptr start, uptr end, u32 set, u32 clear)
{
    if (!is_covered(start, end))
        return Errno::NOMEM;
    TRY(isolate(start, end));
    for (VmArea* area = find_area(start); area && area->start < end; area = m_areas.next(*area))
        area->flags = (area->flags & ~clear) | set;
    merge_range(start > kPage ? start - kPage : 0, end);
    return {};
}

void AddressSpace::discard_pages(uptr start, uptr end) { release_pages(start, end); }

void AddressSpace::discard_backing_pages(uptr start, uptr end)
{
    arch::PageMapping mapping;
    for (uptr page = start; arch::next_mapped_page(m_tables, page, end, page, mapping); page += kPage) {
        VmArea* area = find_area(page);
        if (area && area->backing && area->backing->existing_page(area->index_of(page)) == mapping.phys)
            release_pages(page, page + kPage);
    }
}

Result<void> AddressSpace::grow_area(VmArea& area, uptr new_end)
{
    if (!is_free(area.end, new_end))
        panic("address space: grow_area into a used range");
    if (area.backing)
        TRY(area.backing->resize(area.backing_offset + (new_end - area.start) / kPage));
    area.end = new_end;
    merge_around(area);
    return {};
}

Result<void> AddressSpace::move_range(uptr old_start, usize length, uptr new_start)
{
    uptr old_end = old_start + length;
    TRY(isolate(old_start, old_end));
    VmArea* old_area = find_area(old_start);
    if (!old_area || old_area->end != old_end || !is_free(new_start, new_start + length))
        panic("address space: move_range of something that is not one area, or to a used range");
    VmArea* moved = TRY(new_area(new_start, new_start + length, old_area->prot, old_area->flags, old_area->backing,
        old_area->backing_offset));
    (void)m_areas.insert(*moved);
    // Map every page at its new place first, so that running out of table pages can be undone.
    for (uptr offset = 0; offset < length; offset += kPage) {
        arch::PageMapping mapping;
        if (!arch::query_page(m_tables, old_start + offset, mapping))
            continue;
        if (arch::map_page(m_tables, new_start + offset, mapping.phys, mapping.access).is_error()) {
            for (uptr undo = 0; undo < offset; undo += kPage)
                arch::unmap_page(m_tables, new_start + undo);
            destroy_area(*moved);
            return Errno::NOMEM;
        }
    }
    // The frames changed place, not owner: no reference count moves.
    for (uptr offset = 0; offset < length; offset += kPage)
        arch::unmap_page(m_tables, old_start + offset);
    destroy_area(*old_area);
    merge_around(*moved);
    return {};
}

// --- pages ---

void AddressSpace::release_pages(uptr start, uptr end)
{
    arch::PageMapping mapping;
    for (uptr page = start; arch::next_mapped_page(m_tables, page, end, page, mapping); page += kPage) {
        arch::unmap_page(m_tables, page);
        page_allocator().unref(mapping.phys);
        if (m_resident_pages > m_peak_resident_pages)
            m_peak_resident_pages = m_resident_pages;
        --m_resident_pages;
    }
}

u32 AddressSpace::page_access(const VmArea& area, uptr page, PhysAddr frame) const
{
    // PROT_NONE pages stay mapped for the kernel only, so their contents survive an mprotect back.
    if (!(area.prot & kProtMask))
        return 0;
    bool writable = area.prot & kProtWrite;
    if (writable && !(area.flags & kVmShared)) {
        // A private page is writable only while this mapping is its sole user: otherwise a write must copy.
        bool backing_page = area.backing && area.backing->existing_page(area.index_of(page)) == frame;
        writable = !backing_page && page_allocator().refcount(frame) == 1;
    } else if (writable && area.backing->tracks_dirty()) {
        // A clean page of a file with a store stays read-only: its first write marks it dirty (fault.cpp).
        writable = area.backing->is_dirty(area.index_of(page));
    }
    return arch::kPageUser | (writable ? arch::kPageWritable : 0u);
}

void AddressSpace::refresh_access(uptr page)
{
    VmArea* area = find_area(page);
    arch::PageMapping mapping;
    if (area && arch::query_page(m_tables, page, mapping))
        arch::protect_page(m_tables, page, page_access(*area, page, mapping.phys));
}

Result<void> AddressSpace::write_initial(uptr address, const void* data, usize length)
{
    auto* in = static_cast<const u8*>(data);
    while (length) {
        uptr page = address & ~(kPage - 1);
        usize offset = address - page;
        usize chunk = kPage - offset < length ? kPage - offset : length;
        VmArea* area = find_area(address);
        if (!area || (area->flags & kVmShared))
            return Errno::FAULT;
        // A write fault's work: a fresh page, or a private copy of a file's page (exec's .bss tail).
        arch::PageMapping mapping;
        if (!arch::query_page(m_tables, page, mapping)) {
            TRY(map_fresh_page(*area, page, true));
            arch::query_page(m_tables, page, mapping);
        } else if (area->backing && area->backing->existing_page(area->index_of(page)) == mapping.phys) {
            TRY(copy_on_write(*area, page, mapping.phys));
            arch::query_page(m_tables, page, mapping);
        }
        if (page_allocator().refcount(mapping.phys) != 1)
            panic("address space: write_initial into a shared page");
        copy_bytes(static_cast<u8*>(arch::phys_to_virt(mapping.phys, kPage)) + offset, in, chunk);
        address += chunk;
        in += chunk;
        length -= chunk;
    }
    return {};
}

bool AddressSpace::is_resident(uptr address) const
{
    arch::PageMapping mapping;
    return arch::query_page(m_tables, address & ~(kPage - 1), mapping);
}

Result<OwnPtr<AddressSpace>> AddressSpace::fork()
{
    auto child = TRY(create());
    child->m_break_start = m_break_start;
    child->m_break = m_break;
    child->m_stack_limit = m_stack_limit;
    child->m_arguments = m_arguments;
    bool write_protected = false; // one TLB flush at the end instead of one per page
    for (VmArea& area : m_areas) {
        if (area.flags & kVmDontFork)
            continue;
        auto copy = child->new_area(area.start, area.end, area.prot, area.flags, area.backing, area.backing_offset);
        if (copy.is_error()) {
            arch::flush_tlb(m_tables);
            return Errno::NOMEM; // the child's destructor releases what it got so far
        }
        (void)child->m_areas.insert(*copy.value());
        if (area.flags & kVmWipeOnFork)
            continue;
        // Table by table: private pages shared read-only by both (copied on the first write), each with a
        // reference for the child.
        auto copied = arch::copy_mappings(m_tables, child->m_tables, area.start, area.end, !(area.flags & kVmShared),
            [](PhysAddr frame, void* context) {
                page_allocator().ref(frame);
                ++static_cast<AddressSpace*>(context)->m_resident_pages;
            },
            child.get(), write_protected);
        if (copied.is_error()) {
            arch::flush_tlb(m_tables);
            return copied.error();
        }
    }
    if (write_protected)
        arch::flush_tlb(m_tables);
    return child;
}

const char* AddressSpace::invariant_violation() const
{
    if (const char* tree = m_areas.invariant_violation())
        return tree;
    const VmArea* previous = nullptr;
    usize resident = 0;
    for (const VmArea& area : m_areas) {
        if (area.start >= area.end || area.start % kPage || area.end % kPage || area.end > arch::kUserEnd)
            return "an area is empty, unaligned or outside user space";
        if (previous && previous->end > area.start)
            return "two areas overlap";
        if (previous && continues(*previous, area))
            return "two adjacent areas should have been merged";
        arch::PageMapping mapping;
        for (uptr page = area.start; arch::next_mapped_page(m_tables, page, area.end, page, mapping); page += kPage) {
            ++resident;
            if (page_allocator().refcount(mapping.phys) == 0)
                return "a mapped frame has no reference";
            if ((mapping.access & arch::kPageWritable) && !(area.prot & kProtWrite))
                return "a page is writable in an area that is not";
        }
        previous = &area;
    }
    return resident == m_resident_pages ? nullptr : "the resident count does not match the mapped pages";
}

} // namespace mm
