// Multiboot information parser. Offsets and flag bits: Multiboot Specification 0.6.96 §3.3.
#include "boot/multiboot.hpp"

#include "arch/arch.hpp"

namespace boot {

namespace {

// Flag bits saying which fields of the information block are valid.
constexpr u32 kFlagMemory = 1u << 0, kFlagCommandLine = 1u << 2, kFlagModules = 1u << 3,
              kFlagMemoryMap = 1u << 6, kFlagLoaderName = 1u << 9;

// Field offsets in the fixed part; we read up to and including boot_loader_name.
constexpr usize kFlags = 0, kMemLower = 4, kMemUpper = 8, kCmdline = 16, kModsCount = 20, kModsAddr = 24,
                kMmapLength = 44, kMmapAddr = 48, kLoaderName = 64, kFixedSize = 68;
constexpr usize kModuleEntrySize = 16; // mod_start, mod_end, string, reserved
constexpr u32 kMinMapEntrySize = 20;   // base_addr, length, type after the size field

u32 load_u32(const u8* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<u32>(p[3]) << 24; }
u64 load_u64(const u8* p) { return load_u32(p) | static_cast<u64>(load_u32(p + 4)) << 32; }

// [address, address + length) as kernel bytes, or nullptr when it wraps or is not reachable.
const u8* reach(PhysAddr address, usize length)
{
    // In 64 bits: in 32, the size of the space above address 0 (2^32) wraps to 0 and rejects every length.
    if (static_cast<u64>(length) > (u64(1) << 32) - address)
        return nullptr;
    return static_cast<const u8*>(arch::phys_to_virt(address, length));
}

} // namespace

void MultibootInfo::reset()
{
    m_has_basic_memory = false;
    m_mem_lower_kib = m_mem_upper_kib = 0;
    m_region_count = 0;
    m_module_count = 0;
    m_has_command_line = false;
    m_command_line_truncated = false;
    m_command_line[0] = '\0';
    m_command_line_length = 0;
    m_loader_name[0] = '\0';
    m_warning_count = 0;
    m_warnings_dropped = 0;
}

void MultibootInfo::warn(Errno code, const char* message)
{
    if (m_warning_count == kMaxWarnings) {
        ++m_warnings_dropped;
        return;
    }
    m_warnings[m_warning_count++] = { code, message };
}

Result<void> MultibootInfo::parse(u32 magic, PhysAddr info_phys)
{
    reset();
    if (magic != kMultibootBootloaderMagic)
        return Errno::INVAL;
    const u8* info = reach(info_phys, kFixedSize);
    if (!info)
        return Errno::FAULT;

    u32 flags = load_u32(info + kFlags);
    if (flags & kFlagMemory) {
        m_has_basic_memory = true;
        m_mem_lower_kib = load_u32(info + kMemLower);
        m_mem_upper_kib = load_u32(info + kMemUpper);
    }
    if (flags & kFlagMemoryMap)
        read_memory_map(load_u32(info + kMmapAddr), load_u32(info + kMmapLength));
    if (flags & kFlagModules)
        read_modules(load_u32(info + kModsAddr), load_u32(info + kModsCount));
    if (flags & kFlagCommandLine) {
        bool ok = read_string(load_u32(info + kCmdline), m_command_line, kMaxCommandLine, m_command_line_length,
            m_command_line_truncated);
        m_has_command_line = ok;
        if (!ok)
            warn(Errno::FAULT, "command line not reachable");
        else if (m_command_line_truncated)
            warn(Errno::TOOBIG, "command line over 4096 bytes, truncated");
    }
    if (flags & kFlagLoaderName) {
        usize length = 0;
        bool truncated = false;
        if (!read_string(load_u32(info + kLoaderName), m_loader_name, kMaxLoaderName, length, truncated))
            warn(Errno::FAULT, "boot loader name not reachable");
    }
    return {};
}

void MultibootInfo::read_memory_map(PhysAddr address, u32 length)
{
    // Each entry is {u32 size, u64 base, u64 length, u32 type}; `size` excludes itself and may be larger
    // than 20 for future fields, so the next entry is at entry + size + 4.
    u64 offset = 0;
    while (offset + 4 <= length) {
        const u8* size_field = reach(static_cast<PhysAddr>(address + offset), 4);
        if (!size_field || address + offset > 0xFFFFFFFFu) {
            warn(Errno::FAULT, "memory map not reachable");
            return;
        }
        u32 size = load_u32(size_field);
        if (size < kMinMapEntrySize || offset + 4 + size > length) {
            warn(Errno::INVAL, "memory map entry with a bad size");
            return;
        }
        const u8* entry = reach(static_cast<PhysAddr>(address + offset + 4), kMinMapEntrySize);
        if (!entry || address + offset + 4 > 0xFFFFFFFFu) {
            warn(Errno::FAULT, "memory map not reachable");
            return;
        }
        MemoryRegion region { load_u64(entry), load_u64(entry + 8), load_u32(entry + 16) };
        // Empty entries are dropped before the limit is checked, so they never cost a region.
        if (region.length != 0) {
            if (m_region_count == kMaxRegions) {
                warn(Errno::TOOBIG, "memory map over 64 entries, rest ignored");
                return;
            }
            m_regions[m_region_count++] = region;
        }
        offset += 4 + static_cast<u64>(size);
    }
    if (offset != length)
        warn(Errno::INVAL, "memory map length is not a whole number of entries");
}

void MultibootInfo::read_modules(PhysAddr address, u32 count)
{
    if (count > kMaxModules) {
        warn(Errno::TOOBIG, "over 16 modules, rest ignored");
        count = kMaxModules;
    }
    const u8* entries = reach(address, count * kModuleEntrySize);
    if (count && !entries) {
        warn(Errno::FAULT, "module list not reachable");
        return;
    }
    for (u32 i = 0; i < count; ++i) {
        const u8* entry = entries + i * kModuleEntrySize;
        BootModule& module = m_modules[m_module_count];
        module.start = load_u32(entry);
        module.end = load_u32(entry + 4);
        if (module.end < module.start) {
            warn(Errno::INVAL, "module ends before it starts, ignored");
            continue;
        }
        usize length = 0;
        bool truncated = false;
        u32 string = load_u32(entry + 8);
        if (string && !read_string(string, module.name, BootModule::kMaxName, length, truncated))
            warn(Errno::FAULT, "module name not reachable");
        else if (!string)
            module.name[0] = '\0';
        ++m_module_count;
    }
}

bool MultibootInfo::read_string(PhysAddr address, char* out, usize max, usize& length, bool& truncated)
{
    // Byte by byte: the string's length is unknown and it may end right at the edge of reachable memory.
    length = 0;
    truncated = false;
    out[0] = '\0';
    for (usize i = 0;; ++i) {
        const u8* byte = reach(static_cast<PhysAddr>(address + i), 1);
        if (!byte || address + static_cast<u64>(i) > 0xFFFFFFFFu) {
            out[0] = '\0';
            length = 0;
            return false;
        }
        if (*byte == 0)
            break;
        if (i == max) {
            truncated = true;
            break;
        }
        out[i] = static_cast<char>(*byte);
        out[i + 1] = '\0';
        length = i + 1;
    }
    return true;
}

u64 MultibootInfo::available_bytes() const
{
    // Saturates: lengths come from the firmware, and a wrapped sum would report a machine with almost no RAM.
    u64 total = 0;
    for (usize i = 0; i < m_region_count; ++i) {
        if (m_regions[i].type != kRegionAvailable)
            continue;
        u64 length = m_regions[i].length;
        total = length > ~u64(0) - total ? ~u64(0) : total + length;
    }
    return total;
}

} // namespace boot
