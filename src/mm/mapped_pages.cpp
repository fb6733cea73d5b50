// MappedPages and FileMapping: the areas of a page cache, and a file's pages as mmap reaches them.
#include "mm/mapped_pages.hpp"

#include "kernel/panic.hpp"
#include "mm/address_space.hpp"

namespace mm {

MappedPages::~MappedPages()
{
    if (!m_areas.is_empty())
        panic("mapped pages: destroyed while %zu areas still map them", m_areas.size());
}

void MappedPages::attach(VmArea& area)
{
    ref();
    m_areas.push_back(area);
}

void MappedPages::detach(VmArea& area)
{
    m_areas.remove(area);
    unref(); // may be the last reference: nothing after this
}

bool MappedPages::range_in(const VmArea& area, u64 first, u64 count, uptr& start, uptr& end)
{
    u64 area_first = area.backing_offset, area_end = area.backing_offset + area.pages();
    u64 last = count > PageCache::kNone - first ? PageCache::kNone : first + count; // exclusive
    u64 from = first > area_first ? first : area_first;
    u64 to = last < area_end ? last : area_end;
    if (from >= to)
        return false;
    start = area.start + static_cast<uptr>(from - area_first) * arch::kPageBytes;
    end = area.start + static_cast<uptr>(to - area_first) * arch::kPageBytes;
    return true;
}

void MappedPages::remove_pages(u64 first, u64 count, Copies copies)
{
    for (VmArea& area : m_areas) {
        uptr start, end;
        if (!range_in(area, first, count, start, end))
            continue;
        if (copies == Copies::Keep && !(area.flags & kVmShared))
            area.space->discard_backing_pages(start, end);
        else
            area.space->discard_pages(start, end);
    }
    m_cache.remove(first, count);
}

void MappedPages::write_protect(u64 index)
{
    for (VmArea& area : m_areas) {
        uptr start, end;
        if ((area.flags & kVmShared) && range_in(area, index, 1, start, end))
            area.space->refresh_access(start);
    }
}

Result<PhysAddr> FileMapping::page(u64 index)
{
    u64 size = m_file.size();
    if (index >= (size + arch::kPageBytes - 1) / arch::kPageBytes)
        return Errno::NXIO;
    u64 before = cache().page_count();
    PhysAddr frame = TRY(cache().find_or_create(index));
    if (cache().page_count() != before)
        m_file.page_added(index);
    return frame;
}

Result<void> FileMapping::write_back(u64 first, u64 count)
{
    if (!m_file.has_store())
        return {};
    u64 last = count > PageCache::kNone - first ? PageCache::kNone : first + count;
    Result<void> outcome {};
    for (u64 index = cache().next_dirty(first); index != PageCache::kNone && index < last;
         index = cache().next_dirty(index + 1)) {
        // Clean before writing: a write through a mapping during the write-back faults and marks it again.
        cache().set_dirty(index, false);
        write_protect(index);
        PhysAddr frame = cache().find(index);
        auto written = m_file.write_page(index, static_cast<const u8*>(arch::phys_to_virt(frame, arch::kPageBytes)));
        if (written.is_error()) {
            cache().set_dirty(index, true);
            if (!outcome.is_error())
                outcome = written.error();
        }
        if (index == PageCache::kMaxIndex)
            break;
    }
    return outcome;
}

} // namespace mm
