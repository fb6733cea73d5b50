// PhysRangeSet: kept sorted by start with no two ranges touching, so each operation is one pass.
#include "mm/range_set.hpp"

namespace mm {

u64 PhysRangeSet::total_bytes() const
{
    u64 total = 0;
    for (usize i = 0; i < m_count; ++i)
        total += m_ranges[i].size();
    return total;
}

void PhysRangeSet::remove_at(usize index)
{
    for (usize i = index; i + 1 < m_count; ++i)
        m_ranges[i] = m_ranges[i + 1];
    --m_count;
}

Result<void> PhysRangeSet::insert_at(usize index, PhysRange range)
{
    if (m_count == kMaxRanges)
        return Errno::NOSPC;
    for (usize i = m_count; i > index; --i)
        m_ranges[i] = m_ranges[i - 1];
    m_ranges[index] = range;
    ++m_count;
    return {};
}

Result<void> PhysRangeSet::add(u64 start, u64 end)
{
    if (start >= end)
        return {};
    // The first range that touches or follows [start, end).
    usize first = 0;
    while (first < m_count && m_ranges[first].end < start)
        ++first;
    // Every range from `first` that touches [start, end) merges into one.
    usize last = first;
    while (last < m_count && m_ranges[last].start <= end) {
        start = start < m_ranges[last].start ? start : m_ranges[last].start;
        end = end > m_ranges[last].end ? end : m_ranges[last].end;
        ++last;
    }
    if (last == first)
        return insert_at(first, { start, end });
    m_ranges[first] = { start, end };
    for (usize i = first + 1; i < last; ++i)
        remove_at(first + 1);
    return {};
}

Result<void> PhysRangeSet::subtract(u64 start, u64 end)
{
    if (start >= end)
        return {};
    // Only a hole strictly inside one range needs a new slot; check that first so failure changes nothing.
    for (usize i = 0; i < m_count; ++i)
        if (m_ranges[i].start < start && end < m_ranges[i].end && m_count == kMaxRanges)
            return Errno::NOSPC;
    for (usize i = 0; i < m_count;) {
        PhysRange& range = m_ranges[i];
        if (range.end <= start || range.start >= end) {
            ++i;
        } else if (range.start < start && end < range.end) {
            PhysRange tail { end, range.end };
            range.end = start;
            return insert_at(i + 1, tail);
        } else if (range.start >= start && range.end <= end) {
            remove_at(i);
        } else if (range.start < start) {
            range.end = start;
            ++i;
        } else {
            range.start = end;
            ++i;
        }
    }
    return {};
}

void PhysRangeSet::clip(u64 limit)
{
    for (usize i = 0; i < m_count;) {
        if (m_ranges[i].start >= limit) {
            remove_at(i);
            continue;
        }
        if (m_ranges[i].end > limit)
            m_ranges[i].end = limit;
        ++i;
    }
}

void PhysRangeSet::align_inward(u64 alignment)
{
    for (usize i = 0; i < m_count;) {
        u64 start = (m_ranges[i].start + alignment - 1) & ~(alignment - 1);
        u64 end = m_ranges[i].end & ~(alignment - 1);
        if (start >= end || start < m_ranges[i].start) { // the second test catches wrap-around near 2^64
            remove_at(i);
            continue;
        }
        m_ranges[i] = { start, end };
        ++i;
    }
}

} // namespace mm
