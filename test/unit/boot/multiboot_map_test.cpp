// boot::MultibootInfo's memory map (mmap_length/mmap_addr, Multiboot Specification 0.6.96 §3.3): entry sizes,
// limits, reachability and the usable-RAM total.
#include "multiboot_machine.hpp"

using namespace multiboot_test;

TEST_CASE("Multiboot: the memory map is read entry by entry", "[boot][multiboot]")
{
    Machine machine;
    u32 length = machine.memory_map(kMap,
        {
            { 0x0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 }, { 0xF0000, 0, 1 }, // empty: dropped
            { 0x100000, 0x7EE0000, 1, 28 }, // 8 bytes of future fields, stepped over
            { 0x7FE0000, 0x20000, 3 }, { 0xFFFC0000, 0x40000, 2, 36 },
            { 0x100000000ull, 0x40000000ull, 1 }, // above 4 GiB: all 64 bits of base are read
        });
    REQUIRE(length == 7 * 24 + 8 + 16);

    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.warning_count() == 0);
    REQUIRE(info.region_count() == 6);
    check_region(info, 0, 0x0, 0x9FC00, 1);
    check_region(info, 1, 0x9FC00, 0x400, 2);
    check_region(info, 2, 0x100000, 0x7EE0000, 1);
    check_region(info, 3, 0x7FE0000, 0x20000, 3);
    check_region(info, 4, 0xFFFC0000, 0x40000, 2);
    check_region(info, 5, 0x100000000ull, 0x40000000ull, 1);
    CHECK(info.available_bytes() == 0x9FC00ull + 0x7EE0000ull + 0x40000000ull);
    // No basic memory flag: the map alone does not imply it.
    CHECK_FALSE(info.has_basic_memory());
}

TEST_CASE("Multiboot: a memory map entry with a bad size ends the map", "[boot][multiboot]")
{
    MultibootInfo info;
    for (u32 bad_size : { 0u, 16u, 19u }) {
        INFO(bad_size);
        Machine machine;
        machine.memory_map(kMap, { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1, bad_size }, { 0x200000, 0x1000, 1 } });
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        REQUIRE(info.region_count() == 1);
        check_region(info, 0, 0x0, 0x9FC00, 1);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::INVAL, "memory map entry with a bad size");
    }

    // An entry whose size reaches past mmap_length.
    Machine machine;
    machine.memory_map(kMap, { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1, 40 } });
    machine.put32(kInfo + kOffMmapLength, 24 + 24);
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.region_count() == 1);
    REQUIRE(info.warning_count() == 1);
    check_warning(info, 0, Errno::INVAL, "memory map entry with a bad size");

    // A huge size must not wrap the offset arithmetic round to a small step.
    machine.memory_map(kMap, { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1 } });
    machine.put32(kMap + 24, 0xFFFFFFFC);
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.region_count() == 1);
    REQUIRE(info.warning_count() == 1);
    check_warning(info, 0, Errno::INVAL, "memory map entry with a bad size");
}

TEST_CASE("Multiboot: a map length that is not whole entries keeps the whole ones", "[boot][multiboot]")
{
    Machine machine;
    u32 length = machine.memory_map(kMap, { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1 } });
    machine.put32(kInfo + kOffMmapLength, length + 3);
    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.region_count() == 2);
    REQUIRE(info.warning_count() == 1);
    check_warning(info, 0, Errno::INVAL, "memory map length is not a whole number of entries");

    // An empty map is no map, and no complaint.
    machine.put32(kInfo + kOffMmapLength, 0);
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.region_count() == 0);
    CHECK(info.warning_count() == 0);
}

TEST_CASE("Multiboot: a map of more than 64 entries keeps the first 64", "[boot][multiboot]")
{
    MultibootInfo info;
    std::vector<MapEntry> entries;
    for (u64 i = 0; i < 70; ++i)
        entries.push_back({ i * 0x10000, 0x1000, i % 2 ? 2u : 1u });
    {
        Machine machine;
        machine.memory_map(kMap, entries);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        REQUIRE(info.region_count() == MultibootInfo::kMaxRegions);
        check_region(info, 63, 63 * 0x10000, 0x1000, 2);
        CHECK(info.available_bytes() == 32 * 0x1000);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::TOOBIG, "memory map over 64 entries, rest ignored");
    }
    {
        // 64 real entries and then empty ones: the empty ones would be dropped anyway, so nothing is lost.
        entries.resize(64);
        for (int i = 0; i < 3; ++i)
            entries.push_back({ 0x10000000, 0, 1 });
        Machine machine;
        machine.memory_map(kMap, entries);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 64);
        CHECK(info.warning_count() == 0);
    }
}

TEST_CASE("Multiboot: a map running off reachable memory keeps what was reached", "[boot][multiboot]")
{
    MultibootInfo info;
    const std::vector<MapEntry> two = { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1 } };
    SECTION("the next size field is past the end")
    {
        Machine machine;
        machine.memory_map(machine.end() - 48, two);
        machine.put32(kInfo + kOffMmapLength, 5 * 24);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 2);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "memory map not reachable");
    }
    SECTION("the next size field is reachable, its entry is not")
    {
        Machine machine;
        PhysAddr at = machine.end() - 48 - 10;
        machine.memory_map(at, two);
        machine.put32(at + 48, 20);
        machine.put32(kInfo + kOffMmapLength, 5 * 24);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 2);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "memory map not reachable");
    }
    SECTION("the map is nowhere")
    {
        Machine machine;
        machine.set_memory_map(kUnreachable, 24);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 0);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "memory map not reachable");
    }
    SECTION("the map would wrap past 4 GiB")
    {
        Machine machine(0xFFFFFF00, 0x100);
        machine.put32(0xFFFFFF00 + kOffFlags, 0);
        machine.memory_map(0xFFFFFFD0, two, 0xFFFFFF00);
        machine.put32(0xFFFFFF00 + kOffMmapLength, 3 * 24);
        REQUIRE_FALSE(info.parse(kMagic, 0xFFFFFF00).is_error());
        CHECK(info.region_count() == 2);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "memory map not reachable");
    }
}

TEST_CASE("Multiboot: structures at physical address 0 are reachable", "[boot][multiboot]")
{
    // Regression: the bounds check computed the space above the address in 32 bits, so at address 0 it was
    // 2^32 wrapped to 0 and every read there failed.
    Machine machine(0, 0x1000);
    machine.memory_map(0, { { 0x0, 0x9FC00, 1 }, { 0x100000, 0x1000, 1 } }, 0x500);
    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, 0x500).is_error());
    CHECK(info.warning_count() == 0);
    REQUIRE(info.region_count() == 2);
    check_region(info, 1, 0x100000, 0x1000, 1);

    // And the block itself at 0.
    machine.put32(0, kFlagMemory);
    machine.put32(kOffMemLower, 640);
    REQUIRE_FALSE(info.parse(kMagic, 0).is_error());
    CHECK(info.has_basic_memory());
    CHECK(info.mem_lower_kib() == 640);
}

TEST_CASE("Multiboot: available_bytes counts type 1 only and saturates", "[boot][multiboot]")
{
    MultibootInfo info;
    {
        Machine machine;
        machine.memory_map(kMap,
            { { 0x0, 0x1000, 1 }, { 0x1000, 0x2000, 2 }, { 0x3000, 0x4000, 3 }, { 0x7000, 0x8000, 4 },
                { 0xF000, 0x10000, 5 }, { 0x1F000, 0x20000, 0 }, { 0x3F000, 0x40000, 1 } });
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 7);
        CHECK(info.available_bytes() == 0x1000 + 0x40000);
    }
    {
        // Firmware nonsense must not wrap round to a tiny total.
        Machine machine;
        machine.memory_map(kMap, { { 0x0, 1ull << 63, 1 }, { 0x0, 1ull << 63, 1 }, { 0x0, 0x1000, 1 } });
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.region_count() == 3);
        CHECK(info.available_bytes() == ~u64(0));
    }
}
