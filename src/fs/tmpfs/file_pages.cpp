// tmpfs's page budget, and SEEK_DATA/SEEK_HOLE over the page cache's indices.
#include "fs/tmpfs/file_pages.hpp"

namespace fs::tmpfs {

Result<void> PageBudget::charge()
{
    if (m_max_pages != 0 && m_used_pages >= m_max_pages)
        return Errno::NOSPC;
    ++m_used_pages;
    return {};
}

u64 FilePages::next_data(u64 offset) const
{
    u64 index = m_cache.next_index(offset >> mm::kPageShift);
    if (index == mm::PageCache::kNone)
        return kNone;
    u64 start = index << mm::kPageShift;
    return start > offset ? start : offset;
}

u64 FilePages::next_hole(u64 offset) const
{
    u64 index = offset >> mm::kPageShift;
    if (!m_cache.find(index))
        return offset;
    // Past the run of pages that starts here.
    while (index < mm::PageCache::kMaxIndex && m_cache.find(index + 1))
        ++index;
    return (index + 1) << mm::kPageShift;
}

} // namespace fs::tmpfs
