// The Multiboot (0.6.96) information block a boot loader leaves in memory: the memory map, the modules
// (initrd), the command line and the loader's name. The block and everything it points to are untrusted: each
// field is read only through arch::phys_to_virt with its bounds checked, and a bad field becomes a warning.
#pragma once

#include "boot/cmdline.hpp"
#include "lib/result.hpp"

namespace boot {

inline constexpr u32 kMultibootBootloaderMagic = 0x2BADB002; // in eax at entry (Multiboot §3.2)

// One entry of the BIOS memory map (Multiboot §3.3, mmap_*): type 1 is usable RAM, 3 ACPI-reclaimable,
// 4 preserved on hibernation, 5 defective; anything else is reserved.
struct MemoryRegion {
    u64 base;
    u64 length;
    u32 type;
};

struct BootModule {
    static constexpr usize kMaxName = 127;
    PhysAddr start;
    PhysAddr end; // one past the last byte
    char name[kMaxName + 1]; // the module's string ("" if none): the path and arguments given to GRUB
};

class MultibootInfo {
public:
    static constexpr usize kMaxRegions = 64;
    static constexpr usize kMaxModules = 16;
    static constexpr usize kMaxWarnings = 8;
    static constexpr usize kMaxLoaderName = 63;
    static constexpr u32 kRegionAvailable = 1;

    struct Warning {
        Errno code;
        const char* message; // static text
    };

    MultibootInfo() { reset(); }

    // Reads the block at physical `info_phys`. EINVAL when `magic` is not the boot loader's, EFAULT when the
    // fixed part of the block is not reachable; every other problem drops that field with a warning.
    Result<void> parse(u32 magic, PhysAddr info_phys);

    // mem_lower / mem_upper in KiB (Multiboot §3.3), when flags bit 0 says they are there.
    bool has_basic_memory() const { return m_has_basic_memory; }
    u32 mem_lower_kib() const { return m_mem_lower_kib; }
    u32 mem_upper_kib() const { return m_mem_upper_kib; }

    usize region_count() const { return m_region_count; }
    const MemoryRegion& region(usize index) const { return m_regions[index]; }
    // Usable RAM in the memory map (type 1), overlaps counted once per entry as the firmware gave them; saturates
    // at 2^64 - 1 rather than wrapping.
    u64 available_bytes() const;

    usize module_count() const { return m_module_count; }
    const BootModule& module(usize index) const { return m_modules[index]; }

    bool has_command_line() const { return m_has_command_line; }
    const char* command_line() const { return m_command_line; } // "" when absent
    usize command_line_length() const { return m_command_line_length; }
    // True when the command line was longer than kMaxCommandLine and cut there.
    bool command_line_truncated() const { return m_command_line_truncated; }

    const char* loader_name() const { return m_loader_name; } // "" when absent

    usize warning_count() const { return m_warning_count; }
    const Warning& warning(usize index) const { return m_warnings[index]; }
    usize warnings_dropped() const { return m_warnings_dropped; }

private:
    void reset();
    void warn(Errno code, const char* message);
    void read_memory_map(PhysAddr address, u32 length);
    void read_modules(PhysAddr address, u32 count);
    // Copies the NUL-terminated string at `address` into `out` (at most `max` characters); false when unreachable.
    bool read_string(PhysAddr address, char* out, usize max, usize& length, bool& truncated);

    bool m_has_basic_memory;
    u32 m_mem_lower_kib;
    u32 m_mem_upper_kib;
    MemoryRegion m_regions[kMaxRegions];
    usize m_region_count;
    BootModule m_modules[kMaxModules];
    usize m_module_count;
    bool m_has_command_line;
    bool m_command_line_truncated;
    char m_command_line[kMaxCommandLine + 1];
    usize m_command_line_length;
    char m_loader_name[kMaxLoaderName + 1];
    Warning m_warnings[kMaxWarnings];
    usize m_warning_count;
    usize m_warnings_dropped;
};

} // namespace boot
