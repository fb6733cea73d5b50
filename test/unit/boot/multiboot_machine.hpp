// A simulated machine for boot::MultibootInfo tests: one host buffer as physical RAM, with helpers that lay out
// information blocks byte by byte as Multiboot Specification 0.6.96 §3.3 describes them.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "boot/multiboot.hpp"
#include "sim/sim.hpp"

namespace multiboot_test {

using boot::MultibootInfo;

constexpr u32 kMagic = boot::kMultibootBootloaderMagic;

// Flag bits and field offsets of the fixed part, written out again here rather than shared with the parser, so
// that a wrong offset there cannot hide behind the same wrong offset here.
constexpr u32 kFlagMemory = 1u << 0, kFlagCommandLine = 1u << 2, kFlagModules = 1u << 3, kFlagMemoryMap = 1u << 6,
              kFlagLoaderName = 1u << 9;
constexpr PhysAddr kOffFlags = 0, kOffMemLower = 4, kOffMemUpper = 8, kOffCmdline = 16, kOffModsCount = 20,
                   kOffModsAddr = 24, kOffMmapLength = 44, kOffMmapAddr = 48, kOffLoaderName = 64;

// Where things go in the default machine: the block, then room for a map, a module list and strings.
constexpr PhysAddr kBase = 0x10000;
constexpr usize kMemorySize = 0x10000;
constexpr PhysAddr kInfo = kBase;
constexpr PhysAddr kMap = kBase + 0x100;
constexpr PhysAddr kModules = kBase + 0x1000;
constexpr PhysAddr kStrings = kBase + 0x2000;
constexpr PhysAddr kUnreachable = 0x00900000;

struct MapEntry {
    u64 base;
    u64 length;
    u32 type;
    u32 size = 20; // the entry's size field, which does not count itself
};

struct ModuleEntry {
    PhysAddr start;
    PhysAddr end;
    PhysAddr string;
};

// A simulated machine whose only RAM is one host buffer at `base`. Constructing it resets the whole simulated
// machine first, so every test starts from power-on.
class Machine {
public:
    explicit Machine(PhysAddr base = kBase, usize size = kMemorySize)
        : m_base(base)
        , m_bytes(size, 0)
    {
        sim::reset();
        sim::attach_phys_memory(base, m_bytes.data(), size);
    }
    ~Machine() { sim::reset(); }
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    PhysAddr end() const { return static_cast<PhysAddr>(m_base + m_bytes.size()); }

    void put32(PhysAddr at, u32 value)
    {
        u8* p = bytes(at, 4);
        for (int i = 0; i < 4; ++i)
            p[i] = static_cast<u8>(value >> (8 * i));
    }
    void put64(PhysAddr at, u64 value)
    {
        put32(at, static_cast<u32>(value));
        put32(at + 4, static_cast<u32>(value >> 32));
    }
    // The bytes alone, no NUL.
    void put_bytes(PhysAddr at, std::string_view text)
    {
        u8* p = bytes(at, text.size());
        for (usize i = 0; i < text.size(); ++i)
            p[i] = static_cast<u8>(text[i]);
    }
    void put_string(PhysAddr at, std::string_view text)
    {
        put_bytes(at, text);
        put_bytes(static_cast<PhysAddr>(at + text.size()), std::string_view("\0", 1));
    }

    u32 get32(PhysAddr at)
    {
        const u8* p = bytes(at, 4);
        return p[0] | p[1] << 8 | p[2] << 16 | static_cast<u32>(p[3]) << 24;
    }
    void add_flags(u32 flags, PhysAddr info = kInfo) { put32(info + kOffFlags, get32(info + kOffFlags) | flags); }

    // Writes the entries at `at` (with filler after the 20 bytes when an entry's size says more) and points the
    // block's mmap fields at them; returns the map's length in bytes.
    u32 memory_map(PhysAddr at, const std::vector<MapEntry>& entries, PhysAddr info = kInfo)
    {
        PhysAddr p = at;
        for (const auto& entry : entries) {
            put32(p, entry.size);
            if (entry.size >= 20) {
                put64(p + 4, entry.base);
                put64(p + 12, entry.length);
                put32(p + 20, entry.type);
                // Filler that reads as a plausible entry, so stepping by 24 instead of size + 4 shows.
                for (u32 extra = 20; extra + 4 <= entry.size; extra += 4)
                    put32(p + 4 + extra, extra == 20 ? 20 : 0x00ABCDEF);
            }
            p += 4 + entry.size;
        }
        u32 length = p - at;
        set_memory_map(at, length, info);
        return length;
    }
    void set_memory_map(PhysAddr at, u32 length, PhysAddr info = kInfo)
    {
        add_flags(kFlagMemoryMap, info);
        put32(info + kOffMmapAddr, at);
        put32(info + kOffMmapLength, length);
    }

    void modules(PhysAddr at, const std::vector<ModuleEntry>& entries)
    {
        for (usize i = 0; i < entries.size(); ++i) {
            PhysAddr p = static_cast<PhysAddr>(at + 16 * i);
            put32(p, entries[i].start);
            put32(p + 4, entries[i].end);
            put32(p + 8, entries[i].string);
            put32(p + 12, 0);
        }
        set_modules(at, static_cast<u32>(entries.size()));
    }
    void set_modules(PhysAddr at, u32 count)
    {
        add_flags(kFlagModules);
        put32(kInfo + kOffModsAddr, at);
        put32(kInfo + kOffModsCount, count);
    }

    void set_command_line(PhysAddr at)
    {
        add_flags(kFlagCommandLine);
        put32(kInfo + kOffCmdline, at);
    }
    void set_loader_name(PhysAddr at)
    {
        add_flags(kFlagLoaderName);
        put32(kInfo + kOffLoaderName, at);
    }

private:
    u8* bytes(PhysAddr at, usize length)
    {
        // A test that writes outside its own RAM is a broken test, not a parser bug.
        REQUIRE(at >= m_base);
        REQUIRE(at - m_base + length <= m_bytes.size());
        return m_bytes.data() + (at - m_base);
    }

    PhysAddr m_base;
    std::vector<u8> m_bytes;
};

inline void check_warning(const MultibootInfo& info, usize index, Errno code, std::string_view message)
{
    REQUIRE(index < info.warning_count());
    CHECK(info.warning(index).code == code);
    CHECK(std::string_view(info.warning(index).message) == message);
}

inline void check_region(const MultibootInfo& info, usize index, u64 base, u64 length, u32 type)
{
    REQUIRE(index < info.region_count());
    CHECK(info.region(index).base == base);
    CHECK(info.region(index).length == length);
    CHECK(info.region(index).type == type);
}

inline void check_module(const MultibootInfo& info, usize index, PhysAddr start, PhysAddr end, std::string_view name)
{
    REQUIRE(index < info.module_count());
    CHECK(info.module(index).start == start);
    CHECK(info.module(index).end == end);
    CHECK(std::string_view(info.module(index).name) == name);
}

// Every field cleared, as after reset().
inline void check_empty(const MultibootInfo& info)
{
    CHECK_FALSE(info.has_basic_memory());
    CHECK(info.mem_lower_kib() == 0);
    CHECK(info.mem_upper_kib() == 0);
    CHECK(info.region_count() == 0);
    CHECK(info.available_bytes() == 0);
    CHECK(info.module_count() == 0);
    CHECK_FALSE(info.has_command_line());
    CHECK(std::string_view(info.command_line()) == "");
    CHECK(info.command_line_length() == 0);
    CHECK_FALSE(info.command_line_truncated());
    CHECK(std::string_view(info.loader_name()) == "");
    CHECK(info.warning_count() == 0);
    CHECK(info.warnings_dropped() == 0);
}

// A block with every field this parser reads filled in.
inline void fill_everything(Machine& machine)
{
    machine.add_flags(kFlagMemory);
    machine.put32(kInfo + kOffMemLower, 639);
    machine.put32(kInfo + kOffMemUpper, 130048);
    machine.memory_map(kMap, { { 0, 0x9FC00, 1 }, { 0x100000, 0x7F00000, 1 } });
    machine.put_string(kStrings, "/boot/initrd.cpio");
    machine.modules(kModules, { { 0x200000, 0x210000, kStrings } });
    machine.put_string(kStrings + 0x100, "root=/dev/sda console=ttyS0,115200");
    machine.set_command_line(kStrings + 0x100);
    machine.put_string(kStrings + 0x200, "GRUB 2.06");
    machine.set_loader_name(kStrings + 0x200);
}

} // namespace multiboot_test
