// PhysRangeSet: a sorted set of disjoint physical ranges with add and subtract, used at boot to turn the
// firmware's memory map minus what is in use (kernel image, modules, low memory) into the RAM to hand out.
#pragma once

#include "lib/result.hpp"

namespace mm {

// [start, end), 64-bit because the firmware map may describe memory above 4 GiB.
struct PhysRange {
    u64 start;
    u64 end;
    u64 size() const { return end - start; }
};

class PhysRangeSet {
public:
    static constexpr usize kMaxRanges = 128;

    usize count() const { return m_count; }
    const PhysRange& operator[](usize index) const { return m_ranges[index]; }
    u64 total_bytes() const;

    // Adds [start, end), merging with what it touches or overlaps. ENOSPC when the set is full (the set is
    // then unchanged); an empty range is ignored.
    Result<void> add(u64 start, u64 end);
    // Removes [start, end) from every range; splitting one can need a slot (ENOSPC, set unchanged).
    Result<void> subtract(u64 start, u64 end);
    // Drops everything at or above `limit`.
    void clip(u64 limit);
    // Shrinks every range inward to multiples of `alignment` (a power of two), dropping those left empty.
    void align_inward(u64 alignment);

private:
    void remove_at(usize index);
    Result<void> insert_at(usize index, PhysRange range);

    PhysRange m_ranges[kMaxRanges] {};
    usize m_count { 0 };
};

} // namespace mm
