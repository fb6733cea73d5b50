// Boot-time set-up of the page allocator.
#include "mm/physical_memory.hpp"

#include "arch/arch.hpp"

namespace mm {

namespace {

BuddyAllocator g_page_allocator;

// The BIOS data area, the EBDA, VGA memory and option ROMs live below 1 MiB; Linux keeps it back too.
constexpr u64 kLowMemoryEnd = 0x100000;

u64 round_up(u64 value, u64 alignment) { return (value + alignment - 1) & ~(alignment - 1); }

} // namespace

BuddyAllocator& page_allocator() { return g_page_allocator; }

Result<PhysicalMemoryReport> init_physical_memory(const PhysRangeSet& ram, const PhysRangeSet& in_use)
{
    PhysicalMemoryReport report {};
    report.ram_bytes = ram.total_bytes();

    PhysRangeSet free = ram;
    free.align_inward(kPageSize);
    u64 limit = arch::direct_map_limit();
    u64 limit_32 = u64 { 0xFFFFFFFF } & ~(u64 { kPageSize } - 1); // PhysAddr is 32 bits
    free.clip(limit < limit_32 ? limit : limit_32);
    u64 reachable = free.total_bytes();
    PhysRangeSet aligned_ram = ram;
    aligned_ram.align_inward(kPageSize);
    report.unreachable_bytes = aligned_ram.total_bytes() - reachable;

    TRY(free.subtract(0, kLowMemoryEnd));
    for (usize i = 0; i < in_use.count(); ++i)
        TRY(free.subtract(in_use[i].start & ~(u64 { kPageSize } - 1), round_up(in_use[i].end, kPageSize)));
    if (free.count() == 0)
        return Errno::NOMEM;

    // One descriptor per frame from the lowest free frame to the highest, holes included, so that a frame's
    // descriptor is found by subtraction.
    u64 first_frame = free[0].start >> kPageShift;
    u64 frame_count = (free[free.count() - 1].end >> kPageShift) - first_frame;
    u64 descriptor_bytes = round_up(frame_count * sizeof(PageFrame), kPageSize);
    usize home = free.count();
    for (usize i = 0; i < free.count() && home == free.count(); ++i)
        if (free[i].size() >= descriptor_bytes + kPageSize) // leave at least a page to hand out
            home = i;
    if (home == free.count())
        return Errno::NOMEM;
    PhysAddr descriptors_at = static_cast<PhysAddr>(free[home].start);
    TRY(free.subtract(descriptors_at, descriptors_at + descriptor_bytes));
    void* descriptors = arch::phys_to_virt(descriptors_at, static_cast<usize>(descriptor_bytes));
    if (!descriptors)
        return Errno::NOMEM;

    g_page_allocator.init(static_cast<PageFrame*>(descriptors), static_cast<u32>(first_frame),
        static_cast<usize>(frame_count));
    for (usize i = 0; i < free.count(); ++i)
        g_page_allocator.add_free(free[i].start, free[i].end);
    report.managed_pages = g_page_allocator.managed_pages();
    report.reserved_bytes = reachable - u64 { report.managed_pages } * kPageSize;
    return report;
}

} // namespace mm
