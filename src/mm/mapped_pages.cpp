// MappedPages and FileMapping: the areas of a page cache, and a file's pages as mmap reaches them.
#include "mm/mapped_pages.hpp"

#include "kernel/panic.hpp"
#include "lib/string.hpp"
#include "mm/address_space.hpp"
#include "mm/physical_memory.hpp"

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

Result<PhysAddr> FileMapping::read_page(u64 index, ReadAhead& ahead, u64 wanted)
{
    if (index >= file_pages())
        return Errno::NXIO;
    if (!m_file.has_store()) {
        u64 before = cache().page_count();
        PhysAddr frame = TRY(cache().find_or_create(index));
        if (cache().page_count() != before)
            m_file.page_added(index);
        return frame;
    }
    if (PhysAddr frame = cache().find(index)) {
        ahead.next = index + 1;
        return frame;
    }
    PhysAddr frame = TRY(fill(index, ahead.on_miss(index, wanted)));
    ahead.next = index + 1;
    return frame;
}

Result<PhysAddr> FileMapping::fill(u64 index, u32 count)
{
    u64 pages = file_pages();
    if (count > pages - index)
        count = static_cast<u32>(pages - index);
    PhysAddr frames[ReadAhead::kMaxWindow];
    u32 got = 0;
    for (; got < count && got < ReadAhead::kMaxWindow; ++got) {
        if (got && cache().find(index + got))
            break; // read the run of missing pages only: a cached page may be newer than the store
        auto frame = page_allocator().allocate(0);
        if (frame.is_error())
            break; // a shorter read-ahead, unless not even the page asked for could be had
        frames[got] = frame.value();
        fill_bytes(arch::phys_to_virt(frames[got], arch::kPageBytes), 0, arch::kPageBytes);
    }
    if (got == 0)
        return Errno::NOMEM;
    if (auto read = m_file.read_pages(index, frames, got); read.is_error()) {
        for (u32 i = 0; i < got; ++i)
            page_allocator().unref(frames[i]);
        return read.error();
    }
    PhysAddr wanted = 0;
    for (u32 i = 0; i < got; ++i) {
        auto added = cache().add(index + i, frames[i]);
        if (i == 0) {
            if (added.is_error()) {
                for (u32 j = 1; j < got; ++j)
                    page_allocator().unref(frames[j]);
                return added.error();
            }
            wanted = added.value();
        }
        // A read-ahead page the cache could not take is only read again later.
    }
    return wanted;
}

Result<usize> FileMapping::read(u64 offset, OutBuffer& to, usize count, ReadAhead& ahead)
{
    u64 size = m_file.size();
    if (offset >= size)
        return 0;
    if (count > size - offset)
        count = static_cast<usize>(size - offset);
    if (!m_file.has_store())
        return cache().read(offset, to, count);
    usize done = 0;
    u64 last = (offset + count - 1) / arch::kPageBytes;
    while (done < count) {
        u64 at = offset + done;
        u64 index = at / arch::kPageBytes;
        auto frame = read_page(index, ahead, last - index + 1);
        if (frame.is_error())
            return done ? Result<usize>(done) : Result<usize>(frame.error());
        usize within = static_cast<usize>(at % arch::kPageBytes);
        usize chunk = arch::kPageBytes - within < count - done ? arch::kPageBytes - within : count - done;
        usize copied = to.put(static_cast<const u8*>(arch::phys_to_virt(frame.value(), arch::kPageBytes)) + within, chunk);
        done += copied;
        if (copied < chunk)
            return done ? Result<usize>(done) : Result<usize>(Errno::FAULT);
    }
    return done;
}

Result<usize> FileMapping::write(u64 offset, InBuffer& from, usize count, ReadAhead& ahead)
{
    if (m_file.has_store() && count) {
        // The first and last pages, when only partly overwritten, keep the rest of their bytes from the store.
        u64 pages = file_pages();
        u64 first = offset / arch::kPageBytes, last = (offset + count - 1) / arch::kPageBytes;
        bool last_partial = (offset + count) % arch::kPageBytes != 0;
        bool first_partial = offset % arch::kPageBytes != 0 || (first == last && last_partial);
        for (u64 index : { first, last }) {
            bool partial = index == first ? first_partial : last_partial;
            if (partial && index < pages && !cache().find(index))
                TRY(read_page(index, ahead));
        }
    }
    return cache().write(offset, from, count);
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
