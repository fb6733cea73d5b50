// PhysRangeSet: the boot-time arithmetic that turns the memory map into the RAM the allocator gets.
#include <catch2/catch_test_macros.hpp>
#include <random>
#include <vector>

#include "mm/range_set.hpp"

using mm::PhysRangeSet;

namespace {

std::vector<std::pair<u64, u64>> ranges_of(const PhysRangeSet& set)
{
    std::vector<std::pair<u64, u64>> out;
    for (usize i = 0; i < set.count(); ++i)
        out.emplace_back(set[i].start, set[i].end);
    return out;
}

using Ranges = std::vector<std::pair<u64, u64>>;

} // namespace

TEST_CASE("Adding merges overlapping and touching ranges and keeps them sorted")
{
    PhysRangeSet set;
    REQUIRE_FALSE(set.add(0x5000, 0x6000).is_error());
    REQUIRE_FALSE(set.add(0x1000, 0x2000).is_error());
    REQUIRE_FALSE(set.add(0x3000, 0x4000).is_error());
    CHECK(ranges_of(set) == Ranges { { 0x1000, 0x2000 }, { 0x3000, 0x4000 }, { 0x5000, 0x6000 } });
    REQUIRE_FALSE(set.add(0x2000, 0x3000).is_error()); // touches both neighbours
    CHECK(ranges_of(set) == Ranges { { 0x1000, 0x4000 }, { 0x5000, 0x6000 } });
    REQUIRE_FALSE(set.add(0x0, 0x10000).is_error()); // swallows everything
    CHECK(ranges_of(set) == Ranges { { 0x0, 0x10000 } });
    REQUIRE_FALSE(set.add(0x20000, 0x20000).is_error()); // empty: ignored
    CHECK(set.count() == 1);
    CHECK(set.total_bytes() == 0x10000);
}

TEST_CASE("Subtracting trims, splits and removes ranges")
{
    PhysRangeSet set;
    REQUIRE_FALSE(set.add(0x0, 0xA0000).is_error());
    REQUIRE_FALSE(set.add(0x100000, 0x8000000).is_error());
    REQUIRE_FALSE(set.subtract(0x0, 0x100000).is_error()); // low memory
    CHECK(ranges_of(set) == Ranges { { 0x100000, 0x8000000 } });
    REQUIRE_FALSE(set.subtract(0x100000, 0x180000).is_error()); // the kernel image, at the start
    REQUIRE_FALSE(set.subtract(0x400000, 0x500000).is_error()); // a module, in the middle
    REQUIRE_FALSE(set.subtract(0x7F00000, 0x9000000).is_error()); // over the end
    CHECK(ranges_of(set) == Ranges { { 0x180000, 0x400000 }, { 0x500000, 0x7F00000 } });
}

TEST_CASE("Clip and align_inward drop what cannot be used")
{
    PhysRangeSet set;
    REQUIRE_FALSE(set.add(0x800, 0x1800).is_error()); // no whole page
    REQUIRE_FALSE(set.add(0x2800, 0x5100).is_error());
    REQUIRE_FALSE(set.add(0xF000'0000, 0x1'2000'0000).is_error()); // above 4 GiB in part
    set.align_inward(0x1000);
    CHECK(ranges_of(set) == Ranges { { 0x3000, 0x5000 }, { 0xF000'0000, 0x1'2000'0000 } });
    set.clip(0x1000'0000);
    CHECK(ranges_of(set) == Ranges { { 0x3000, 0x5000 } });
    PhysRangeSet edge;
    REQUIRE_FALSE(edge.add(0xFFFF'FFFF'FFFF'F001, 0xFFFF'FFFF'FFFF'FFFF).is_error());
    edge.align_inward(0x1000); // rounding the start up would wrap to 0
    CHECK(edge.count() == 0);
}

TEST_CASE("A full set refuses what needs a new slot and stays unchanged")
{
    PhysRangeSet set;
    for (u64 i = 0; i < PhysRangeSet::kMaxRanges; ++i)
        REQUIRE_FALSE(set.add(i * 0x10000, i * 0x10000 + 0x1000).is_error());
    CHECK(set.add(0x7FFF'0000, 0x8000'0000).error() == Errno::NOSPC);
    CHECK(set.subtract(0x200, 0x300).error() == Errno::NOSPC); // would split the first range
    CHECK(set.count() == PhysRangeSet::kMaxRanges);
    CHECK(set[0].start == 0);
    CHECK(set[0].end == 0x1000);
    REQUIRE_FALSE(set.add(0x1000, 0x2000).is_error()); // merging needs no slot
    REQUIRE_FALSE(set.subtract(0x0, 0x800).is_error()); // trimming needs none either
}

TEST_CASE("Random adds and subtracts match a byte-map model")
{
    std::mt19937 random(99);
    for (int round = 0; round < 200; ++round) {
        PhysRangeSet set;
        std::vector<bool> model(512);
        for (int step = 0; step < 30; ++step) {
            u64 a = random() % 512, b = random() % 512;
            if (a > b)
                std::swap(a, b);
            bool add = random() % 2;
            auto result = add ? set.add(a, b) : set.subtract(a, b);
            REQUIRE_FALSE(result.is_error());
            for (u64 i = a; i < b; ++i)
                model[i] = add;
            std::vector<bool> seen(512);
            for (usize i = 0; i < set.count(); ++i) {
                REQUIRE(set[i].start < set[i].end);
                if (i > 0)
                    REQUIRE(set[i - 1].end < set[i].start); // disjoint and not touching
                for (u64 x = set[i].start; x < set[i].end; ++x)
                    seen[x] = true;
            }
            REQUIRE(seen == model);
        }
    }
}
