// PCI: every function of every bus reachable from bus 0 through PCI-to-PCI bridges, found through
// configuration mechanism 1 (ports 0xCF8/0xCFC, PCI Local Bus 3.0 section 3.2.2.3.2), with its ids, class,
// BARs (decoded and sized) and interrupt line, logged as Linux logs them and listed in /proc/bus/pci/devices
// (fs/procfs). Drivers find their devices here by class or by vendor and device id.
#pragma once

#include "lib/types.hpp"

namespace fs::procfs {
class Text;
}

namespace drivers::pci {

struct Bar {
    u64 base;  // the address decoded from the register (0: unassigned)
    u64 size;  // 0: no such BAR
    bool io;   // an I/O-port BAR; else memory
    bool is64; // a 64-bit memory BAR: it takes the next register too
    bool prefetchable;
    u32 flags; // the register's low bits as Linux shows them (PCI_REGION_FLAG_MASK)
};

struct Device {
    u8 bus, slot, function;
    u16 vendor, device;
    u8 class_code, subclass, prog_if, revision;
    u8 header_type; // without the multi-function bit
    u8 irq_line, irq_pin;
    Bar bars[6];
    Bar rom; // the expansion ROM (flags 2: the boot display's shadow copy at 0xC0000, as Linux shows it)
    u8 devfn() const { return static_cast<u8>((slot << 3) | function); }
};

// Scans the buses (again: the table is rebuilt) and logs each function found. Returns how many there are.
usize scan();
usize device_count();
const Device* device_at(usize index);
// The first device with this class and subclass (0xFF: any) after `after` (nullptr: from the start).
const Device* find_class(u8 class_code, u8 subclass, const Device* after = nullptr);
const Device* find_id(u16 vendor, u16 device);

// Configuration space of one function, for drivers (offsets dword-aligned for the 32-bit forms).
u32 config_read32(u8 bus, u8 slot, u8 function, u8 offset);
void config_write32(u8 bus, u8 slot, u8 function, u8 offset, u32 value);
u16 config_read16(u8 bus, u8 slot, u8 function, u8 offset);
void config_write16(u8 bus, u8 slot, u8 function, u8 offset, u16 value);

// /proc/bus/pci/devices in Linux's format (fs::procfs::provide_file).
void write_proc_devices(fs::procfs::Text& out);

// Forgets the table (tests).
void reset();

} // namespace drivers::pci
