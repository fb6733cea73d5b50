// Boot-time set-up of the page allocator from a memory map, on simulated RAM.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "kernel/panic.hpp"
#include "mm/physical_memory.hpp"
#include "sim/sim.hpp"

using namespace mm;

namespace {

constexpr u64 kMiB = 1024 * 1024;

struct SimRam {
    std::vector<u8> bytes;
    explicit SimRam(usize size) : bytes(size)
    {
        sim::reset();
        panic_reset();
        sim::attach_phys_memory(0, bytes.data(), bytes.size());
    }
};

PhysRangeSet ranges(std::initializer_list<std::pair<u64, u64>> list)
{
    PhysRangeSet set;
    for (auto [start, end] : list)
        REQUIRE_FALSE(set.add(start, end).is_error());
    return set;
}

bool overlaps(u64 a, u64 a_end, u64 b, u64 b_end) { return a < b_end && b < a_end; }

} // namespace

TEST_CASE("The allocator gets all RAM but low memory, the kernel, modules and its own descriptors")
{
    SimRam ram(16 * kMiB);
    u64 kernel_end = kMiB + 300 * 1024 + 123;
    u64 module = 4 * kMiB, module_end = 4 * kMiB + 5000;
    auto report = init_physical_memory(ranges({ { 0, 0x9FC00 }, { kMiB, 16 * kMiB } }),
        ranges({ { kMiB, kernel_end }, { module, module_end } }));
    REQUIRE_FALSE(report.is_error());

    u64 kernel_pages = (kernel_end - kMiB + kPageSize - 1) / kPageSize; // 76
    u64 first_free_frame = kMiB / kPageSize + kernel_pages;
    u64 described = 16 * kMiB / kPageSize - first_free_frame;
    u64 descriptor_pages = (described * sizeof(PageFrame) + kPageSize - 1) / kPageSize;
    u64 expected = 15 * kMiB / kPageSize - kernel_pages - 2 - descriptor_pages;
    CHECK(report.value().managed_pages == expected);
    CHECK(report.value().ram_bytes == 0x9FC00 + 15 * kMiB);
    CHECK(report.value().unreachable_bytes == 0);
    CHECK(report.value().reserved_bytes == (0x9F000 + 15 * kMiB) - expected * kPageSize);
    CHECK(page_allocator().free_pages() == expected);
    CHECK(page_allocator().check_invariants());

    // Every page handed out is clear of what is in use, and is real memory (ASan would catch otherwise).
    u64 descriptors_start = first_free_frame * kPageSize;
    u64 descriptors_end = descriptors_start + descriptor_pages * kPageSize;
    usize count = 0;
    while (true) {
        auto page = page_allocator().allocate(0);
        if (page.is_error())
            break;
        u64 p = page.value();
        REQUIRE(p >= kMiB);
        REQUIRE_FALSE(overlaps(p, p + kPageSize, kMiB, kernel_end));
        REQUIRE_FALSE(overlaps(p, p + kPageSize, module, module_end));
        REQUIRE_FALSE(overlaps(p, p + kPageSize, descriptors_start, descriptors_end));
        auto* memory = static_cast<u8*>(arch::phys_to_virt(page.value(), kPageSize));
        REQUIRE(memory != nullptr);
        std::memset(memory, 0xA5, kPageSize);
        ++count;
    }
    CHECK(count == expected);
}

TEST_CASE("RAM beyond the direct map is counted but not used")
{
    SimRam ram(8 * kMiB);
    auto report = init_physical_memory(ranges({ { kMiB, 64 * kMiB } }), ranges({ { kMiB, 2 * kMiB } }));
    REQUIRE_FALSE(report.is_error());
    CHECK(report.value().unreachable_bytes == 56 * kMiB);
    CHECK(page_allocator().managed_pages() < 6 * kMiB / kPageSize);
    CHECK(page_allocator().managed_pages() > 5 * kMiB / kPageSize);
}

TEST_CASE("No usable RAM, or no room for the descriptors, is ENOMEM")
{
    SimRam ram(64 * kMiB);
    CHECK(init_physical_memory(ranges({ { 0, 0x9FC00 } }), ranges({})).error() == Errno::NOMEM);
    CHECK(init_physical_memory(ranges({ { kMiB, 2 * kMiB } }), ranges({ { kMiB, 2 * kMiB } })).error()
        == Errno::NOMEM);
    // One page every MiB: 63 pages of RAM but 15,000 frames to describe, and no range holds their descriptors.
    PhysRangeSet sparse;
    for (u64 mib = 1; mib < 64; ++mib)
        REQUIRE_FALSE(sparse.add(mib * kMiB, mib * kMiB + kPageSize).is_error());
    CHECK(init_physical_memory(sparse, ranges({})).error() == Errno::NOMEM);
}

TEST_CASE("Ragged firmware ranges are cut to whole pages")
{
    SimRam ram(8 * kMiB);
    auto report = init_physical_memory(ranges({ { kMiB + 100, 3 * kMiB - 100 } }), ranges({}));
    REQUIRE_FALSE(report.is_error());
    // 510 whole pages, the first of which hold the descriptors of all 510.
    usize descriptor_pages = (510 * sizeof(PageFrame) + kPageSize - 1) / kPageSize;
    CHECK(page_allocator().managed_pages() == 510 - descriptor_pages);
    CHECK(page_allocator().check_invariants());
}
