// libFuzzer target for boot::MultibootInfo: the fuzz bytes are the only RAM of a simulated machine, parsed as an
// information block at the start of that RAM and at an offset taken from the input, at three different places
// in the 32-bit physical space (low memory, address 0, and flush against the 4 GiB top).
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <vector>

#include "boot/cmdline.hpp"
#include "boot/multiboot.hpp"
#include "sim/sim.hpp"

namespace {

using boot::MultibootInfo;

constexpr usize kFixedSize = 68; // the fixed part the parser reads, up to boot_loader_name (§3.3)
constexpr usize kCmdlineOffset = 16;
constexpr u32 kFlagCommandLine = 1u << 2;

void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

u32 load_u32(const u8* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<u32>(p[3]) << 24; }

void check_invariants(const MultibootInfo& info, const std::vector<u8>& memory, PhysAddr base, PhysAddr at)
{
    require(info.region_count() <= MultibootInfo::kMaxRegions);
    u64 available = 0;
    for (usize i = 0; i < info.region_count(); ++i) {
        const auto& region = info.region(i);
        require(region.length != 0); // empty entries are dropped
        if (region.type == MultibootInfo::kRegionAvailable)
            available = region.length > ~u64(0) - available ? ~u64(0) : available + region.length;
    }
    require(info.available_bytes() == available);

    require(info.module_count() <= MultibootInfo::kMaxModules);
    for (usize i = 0; i < info.module_count(); ++i) {
        const auto& module = info.module(i);
        require(module.end >= module.start);
        require(strnlen(module.name, sizeof(module.name)) <= boot::BootModule::kMaxName);
    }

    usize length = info.command_line_length();
    require(length <= boot::kMaxCommandLine);
    require(info.command_line()[length] == '\0');
    require(strlen(info.command_line()) == length);
    require(info.has_command_line() || length == 0);
    require(!info.command_line_truncated() || length == boot::kMaxCommandLine);
    if (info.has_command_line()) {
        // The copy is exactly the bytes at the address the block gave.
        usize offset = at - base;
        require((load_u32(&memory[offset]) & kFlagCommandLine) != 0);
        PhysAddr string = load_u32(&memory[offset + kCmdlineOffset]);
        require(string >= base && string - base + length <= memory.size());
        require(memcmp(&memory[string - base], info.command_line(), length) == 0);
    }

    require(strnlen(info.loader_name(), MultibootInfo::kMaxLoaderName + 1) <= MultibootInfo::kMaxLoaderName);

    require(info.warning_count() <= MultibootInfo::kMaxWarnings);
    require(info.warnings_dropped() == 0 || info.warning_count() == MultibootInfo::kMaxWarnings);
    for (usize i = 0; i < info.warning_count(); ++i)
        require(info.warning(i).message && info.warning(i).message[0]);
}

// Attaches `memory` at `base` and parses at `at`; the block is reachable exactly when its 68 bytes are inside.
void parse_at(MultibootInfo& info, std::vector<u8>& memory, PhysAddr base, PhysAddr at)
{
    sim::reset();
    sim::attach_phys_memory(base, memory.empty() ? nullptr : memory.data(), memory.size());

    auto wrong = info.parse(boot::kMultibootBootloaderMagic ^ 1, at);
    require(wrong.is_error() && wrong.error() == Errno::INVAL);

    bool inside = at >= base && u64(at - base) + kFixedSize <= memory.size();
    auto result = info.parse(boot::kMultibootBootloaderMagic, at);
    if (!inside) {
        require(result.is_error() && result.error() == Errno::FAULT);
        return;
    }
    require(!result.is_error());
    check_invariants(info, memory, base, at);

    // What the kernel does next with the command line.
    auto line = boot::parse_command_line(info.command_line(), info.command_line_length());
    require(line.console_count() <= boot::CommandLine::kMaxConsoles);
    require(line.log_level() <= boot::CommandLine::kMaxLogLevel);
    require(!line.truncated());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // The parser is given 32-bit addresses: keep the RAM well inside the space so that the bases below fit.
    if (size > 0x100000)
        return 0;
    static MultibootInfo info; // reused: each parse must start from nothing
    // An exact-size heap copy: a read one byte past the RAM is an ASan report.
    std::vector<u8> memory(data, data + size);
    u32 offset = size >= 2 ? (data[0] | data[1] << 8) : 0;

    const PhysAddr bases[] = { 0x10000, 0, static_cast<PhysAddr>(0x100000000ull - size) };
    for (PhysAddr base : bases) {
        if (size == 0 && base == 0)
            continue; // 2^32 - 0 is not an address
        parse_at(info, memory, base, base);
        parse_at(info, memory, base, static_cast<PhysAddr>(base + offset));
    }
    sim::reset();
    return 0;
}
