// PCI enumeration over configuration mechanism 1. Buses are found by following bridges from bus 0, each bus
// once, so a bridge naming a bus already scanned (or itself) cannot make the scan loop.
#include "drivers/pci.hpp"

#include "arch/ports.hpp"
#include "fs/procfs/text.hpp"
#include "kernel/log.hpp"
#include "lib/bitmap.hpp"

namespace drivers::pci {

namespace {

constexpr u16 kConfigAddress = 0xCF8, kConfigData = 0xCFC;
constexpr u8 kVendorOffset = 0x00, kClassOffset = 0x08, kHeaderOffset = 0x0C, kBarOffset = 0x10,
             kBusNumbersOffset = 0x18, kInterruptOffset = 0x3C;
constexpr u8 kHeaderNormal = 0x00, kHeaderBridge = 0x01, kMultiFunction = 0x80;
constexpr usize kMaxDevices = 64;

Device g_devices[kMaxDevices];
usize g_count;

u32 address_of(u8 bus, u8 slot, u8 function, u8 offset)
{
    return 0x80000000u | (u32 { bus } << 16) | (u32 { slot } << 11) | (u32 { function } << 8) | (offset & 0xFC);
}

// A base register's value and which of `ones` stick in it: written, read back, the value put back. The
// writable bits give a BAR's size (PCI 3.0 6.2.5.1).
struct Probe {
    u32 value, mask;
};
Probe probe(const Device& d, u8 offset, u32 ones)
{
    u32 value = config_read32(d.bus, d.slot, d.function, offset);
    config_write32(d.bus, d.slot, d.function, offset, ones);
    u32 mask = config_read32(d.bus, d.slot, d.function, offset);
    config_write32(d.bus, d.slot, d.function, offset, value);
    return { value, mask };
}

// The BARs, decoded and sized. Decoding is left off meanwhile, as Linux does, so the device does not answer
// at the probing address.
void read_bars(Device& d, unsigned count)
{
    u16 command = config_read16(d.bus, d.slot, d.function, 0x04);
    config_write16(d.bus, d.slot, d.function, 0x04, static_cast<u16>(command & ~0x3u));
    for (unsigned i = 0; i < count; ++i) {
        u8 offset = static_cast<u8>(kBarOffset + 4 * i);
        auto [value, mask] = probe(d, offset, ~0u);
        Bar& bar = d.bars[i];
        bar = {};
        if (mask == 0 || mask == ~0u)
            continue; // not implemented (all ones: nothing answered)
        bar.io = value & 1;
        if (bar.io) {
            u32 writable = mask & ~0x3u & 0xFFFF;
            bar.base = value & ~0x3u;
            bar.size = writable ? (~writable & 0xFFFF) + 1 : 0;
            bar.flags = value & 0x3;
            continue;
        }
        bar.is64 = ((value >> 1) & 3) == 2;
        bar.prefetchable = value & 8;
        bar.flags = value & 0xF;
        u64 base = value & ~0xFu, size_mask = mask & ~0xFu;
        if (bar.is64 && i + 1 < count) {
            Probe high = probe(d, static_cast<u8>(offset + 4), ~0u);
            base |= u64 { high.value } << 32;
            size_mask |= u64 { high.mask } << 32;
            d.bars[++i] = {};
        } else {
            size_mask |= 0xFFFFFFFF00000000ull;
        }
        bar.base = base;
        bar.size = size_mask ? ~size_mask + 1 : 0;
    }
    config_write16(d.bus, d.slot, d.function, 0x04, command);
}

// The expansion ROM BAR (0x30, or 0x38 in a bridge): bits 31-11 are its address, sized like the others.
void read_rom(Device& d)
{
    Probe rom = probe(d, d.header_type == kHeaderBridge ? 0x38 : 0x30, 0xFFFFF800u);
    u32 mask = rom.mask & 0xFFFFF800u;
    d.rom = {};
    if (mask) { // 0: no ROM
        d.rom.base = rom.value & 0xFFFFF800u;
        d.rom.size = u32 { ~mask + 1 };
    }
}

// What Linux reports in place of a device's own registers: an IDE controller in compatibility mode decodes
// the ISA ports of its channels (probe.c's legacy resources), and the boot VGA device's ROM is the BIOS's
// shadow copy at 0xC0000 (arch/x86/pci/fixup.c).
void apply_legacy_resources(Device& d)
{
    if (d.class_code == 0x01 && d.subclass == 0x01) {
        constexpr u16 kCommand[2] = { 0x1F0, 0x170 }, kControl[2] = { 0x3F6, 0x376 };
        for (unsigned channel = 0; channel < 2; ++channel) {
            if (d.prog_if & (1u << (2 * channel)))
                continue; // this channel is in native mode: its BARs are real
            d.bars[2 * channel] = { kCommand[channel], 8, true, false, false, 0 };
            d.bars[2 * channel + 1] = { kControl[channel], 1, true, false, false, 0 };
        }
    }
    if (d.class_code == 0x03 && d.subclass == 0x00 && d.bus == 0) {
        d.rom.base = 0xC0000;
        d.rom.size = 0x20000;
        d.rom.flags = 2;
    }
}

void scan_bus(u8 bus, Bitmap& seen);

void add_function(u8 bus, u8 slot, u8 function, Bitmap& seen)
{
    u32 ids = config_read32(bus, slot, function, kVendorOffset);
    if ((ids & 0xFFFF) == 0xFFFF)
        return;
    u32 class_word = config_read32(bus, slot, function, kClassOffset);
    u8 header = static_cast<u8>(config_read32(bus, slot, function, kHeaderOffset) >> 16) & 0x7F;
    if (g_count == kMaxDevices) {
        log_warning("pci %04x:%02x:%02x.%u: more functions than the table holds; ignored", 0, bus, slot, function);
        return;
    }
    Device& d = g_devices[g_count++];
    d = {};
    d.bus = bus;
    d.slot = slot;
    d.function = function;
    d.vendor = static_cast<u16>(ids);
    d.device = static_cast<u16>(ids >> 16);
    d.revision = static_cast<u8>(class_word);
    d.prog_if = static_cast<u8>(class_word >> 8);
    d.subclass = static_cast<u8>(class_word >> 16);
    d.class_code = static_cast<u8>(class_word >> 24);
    d.header_type = header;
    u32 interrupt = config_read32(bus, slot, function, kInterruptOffset);
    d.irq_line = static_cast<u8>(interrupt);
    d.irq_pin = static_cast<u8>(interrupt >> 8);
    if (header == kHeaderNormal)
        read_bars(d, 6);
    else if (header == kHeaderBridge)
        read_bars(d, 2);
    if (header == kHeaderNormal || header == kHeaderBridge)
        read_rom(d);
    apply_legacy_resources(d);
    log_debug("pci 0000:%02x:%02x.%u: [%04x:%04x] type %02x class 0x%06x", bus, slot, function, d.vendor, d.device,
        header, class_word >> 8);
    if (header == kHeaderBridge) {
        u8 secondary = static_cast<u8>(config_read32(bus, slot, function, kBusNumbersOffset) >> 8);
        if (secondary != 0 && !seen.get(secondary))
            scan_bus(secondary, seen);
    }
}

void scan_bus(u8 bus, Bitmap& seen)
{
    seen.set(bus);
    for (u8 slot = 0; slot < 32; ++slot) {
        if ((config_read32(bus, slot, 0, kVendorOffset) & 0xFFFF) == 0xFFFF)
            continue;
        bool multi = (config_read32(bus, slot, 0, kHeaderOffset) >> 16) & kMultiFunction;
        for (u8 function = 0; function < (multi ? 8 : 1); ++function)
            add_function(bus, slot, function, seen);
    }
}

} // namespace

u32 config_read32(u8 bus, u8 slot, u8 function, u8 offset)
{
    arch::port_write32(kConfigAddress, address_of(bus, slot, function, offset));
    return arch::port_read32(kConfigData);
}

void config_write32(u8 bus, u8 slot, u8 function, u8 offset, u32 value)
{
    arch::port_write32(kConfigAddress, address_of(bus, slot, function, offset));
    arch::port_write32(kConfigData, value);
}

u16 config_read16(u8 bus, u8 slot, u8 function, u8 offset)
{
    return static_cast<u16>(config_read32(bus, slot, function, offset) >> (8 * (offset & 2)));
}

void config_write16(u8 bus, u8 slot, u8 function, u8 offset, u16 value)
{
    u32 word = config_read32(bus, slot, function, offset);
    unsigned shift = 8 * (offset & 2);
    word = (word & ~(0xFFFFu << shift)) | (u32 { value } << shift);
    config_write32(bus, slot, function, offset, word);
}

usize scan()
{
    g_count = 0;
    Bitmap::Word words[Bitmap::words_for(256)] = {};
    Bitmap seen(words, 256);
    scan_bus(0, seen);
    return g_count;
}

void reset() { g_count = 0; }
usize device_count() { return g_count; }
const Device* device_at(usize index) { return index < g_count ? &g_devices[index] : nullptr; }

const Device* find_class(u8 class_code, u8 subclass, const Device* after)
{
    usize from = after ? static_cast<usize>(after - g_devices) + 1 : 0;
    for (usize i = from; i < g_count; ++i)
        if (g_devices[i].class_code == class_code && (subclass == 0xFF || g_devices[i].subclass == subclass))
            return &g_devices[i];
    return nullptr;
}

const Device* find_id(u16 vendor, u16 device)
{
    for (usize i = 0; i < g_count; ++i)
        if (g_devices[i].vendor == vendor && g_devices[i].device == device)
            return &g_devices[i];
    return nullptr;
}

// Linux's drivers/pci/proc.c show_device: bus and devfn, vendor and device, the interrupt line, then the six
// BARs and the ROM as start|flags and as sizes, then the driver's name (none bind yet).
void write_proc_devices(fs::procfs::Text& out)
{
    for (usize i = 0; i < g_count; ++i) {
        const Device& d = g_devices[i];
        out.add("%02x%02x\t%04x%04x\t%x", d.bus, d.devfn(), d.vendor, d.device, d.irq_line);
        for (unsigned b = 0; b < 7; ++b) {
            const Bar& bar = b < 6 ? d.bars[b] : d.rom;
            out.add("\t%16llx", bar.size ? static_cast<unsigned long long>(bar.base | bar.flags) : 0ull);
        }
        // Linux prints end - start + 1 only when end > start: a one-byte resource shows 0.
        for (unsigned b = 0; b < 7; ++b) {
            const Bar& bar = b < 6 ? d.bars[b] : d.rom;
            out.add("\t%16llx", bar.size > 1 ? static_cast<unsigned long long>(bar.size) : 0ull);
        }
        out.add("\t\n");
    }
}

} // namespace drivers::pci
