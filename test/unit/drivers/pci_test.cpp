// PCI enumeration over configuration mechanism 1 against a fake configuration space: functions of
// multi-function devices, a bridge to a second bus (and one that names a bus already scanned, which must not
// loop), 32-bit, 64-bit and I/O BARs sized and put back, decoding restored after sizing, and the legacy
// resources Linux shows for an IDE controller in compatibility mode.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <tuple>

#include "drivers/pci.hpp"
#include "sim/sim.hpp"

namespace {

struct Function {
    u32 config[64] {}; // 256 bytes
    u32 bar_masks[7] {}; // writable bits of BARs 0-5 and the ROM (0x30)
    u32 bar_fixed[7] {}; // their read-only type bits
};

// The two mechanism-1 ports over a map of functions; absent ones read all ones.
struct FakeConfigSpace final : sim::PortDevice {
    std::map<std::tuple<u8, u8, u8>, Function> functions;
    u32 address = 0;
    u64 reads = 0;

    u32 read(u16 port, u8) override
    {
        if (port == 0xCF8)
            return address;
        ++reads;
        Function* f = find();
        return f ? f->config[(address & 0xFC) / 4] : ~0u;
    }
    void write(u16 port, u8, u32 value) override
    {
        if (port == 0xCF8) {
            address = value;
            return;
        }
        Function* f = find();
        if (!f)
            return;
        unsigned offset = address & 0xFC;
        int bar = offset >= 0x10 && offset < 0x28 ? static_cast<int>((offset - 0x10) / 4) : offset == 0x30 ? 6 : -1;
        if (bar >= 0) {
            f->config[offset / 4] = (value & f->bar_masks[bar]) | (bar == 6 ? value & 1 : f->bar_fixed[bar]);
            return;
        }
        f->config[offset / 4] = value;
    }
    Function* find()
    {
        if (!(address & 0x80000000u))
            return nullptr;
        auto it = functions.find({ static_cast<u8>(address >> 16), static_cast<u8>((address >> 11) & 31),
            static_cast<u8>((address >> 8) & 7) });
        return it == functions.end() ? nullptr : &it->second;
    }
    Function& add(u8 bus, u8 slot, u8 function, u16 vendor, u16 device, u32 class_word, u8 header = 0)
    {
        Function& f = functions[{ bus, slot, function }];
        f.config[0] = vendor | (u32 { device } << 16);
        f.config[2] = class_word;
        f.config[3] = u32 { header } << 16;
        f.config[1] = 0x0003; // I/O and memory decoding on
        return f;
    }
};

} // namespace

TEST_CASE("pci: functions, a bridge's bus, BARs sized and restored, legacy IDE ports", "[pci]")
{
    sim::reset();
    FakeConfigSpace space;
    Function& host = space.add(0, 0, 0, 0x8086, 0x1237, 0x06000002);
    (void)host;
    // A multi-function device: function 0 the ISA bridge, 1 an IDE controller in compatibility mode with a
    // bus-master BAR 4, 3 a device with a 64-bit prefetchable BAR and an I/O BAR.
    space.add(0, 1, 0, 0x8086, 0x7000, 0x06010000, 0x80);
    Function& ide = space.add(0, 1, 1, 0x8086, 0x7010, 0x01018000);
    ide.config[4 + 4] = 0xC041;
    ide.bar_masks[4] = 0xFFF0;
    ide.bar_fixed[4] = 1;
    ide.config[15] = 0x0000010E; // pin 1, line 14
    Function& wide = space.add(0, 1, 3, 0x1AF4, 0x1000, 0x02000000);
    wide.config[4 + 0] = 0xFE00000C; // 64-bit, prefetchable
    wide.config[4 + 1] = 0x00000001; // the high half: 4 GiB up
    wide.bar_masks[0] = 0xFFFFC000;  // 16 KiB
    wide.bar_fixed[0] = 0xC;
    wide.bar_masks[1] = 0xFFFFFFFF;
    wide.config[4 + 2] = 0xC101;
    wide.bar_masks[2] = 0xFFE0; // 32 ports
    wide.bar_fixed[2] = 1;
    wide.config[12] = 0xFEB80000;
    wide.bar_masks[6] = 0xFFFC0000; // a 256 KiB ROM
    // A bridge to bus 2, where one device sits, and a bridge on bus 2 naming bus 0 again.
    Function& bridge = space.add(0, 5, 0, 0x8086, 0x244E, 0x06040000, 0x01);
    bridge.config[6] = 0x00020200; // primary 0, secondary 2, subordinate 2
    space.add(2, 3, 0, 0x10EC, 0x8139, 0x02000000);
    Function& loop = space.add(2, 4, 0, 0x8086, 0x244E, 0x06040000, 0x01);
    loop.config[6] = 0x00000002; // secondary bus 0: scanned already
    sim::attach_ports(0xCF8, 8, &space);

    REQUIRE(drivers::pci::scan() == 7);
    const drivers::pci::Device* found = drivers::pci::find_id(0x8086, 0x7010);
    REQUIRE(found);
    CHECK(found->bus == 0);
    CHECK(found->slot == 1);
    CHECK(found->function == 1);
    CHECK(found->devfn() == 9);
    CHECK(found->class_code == 0x01);
    CHECK(found->subclass == 0x01);
    CHECK(found->prog_if == 0x80);
    CHECK(found->irq_line == 14);
    CHECK(found->irq_pin == 1);
    CHECK(found->bars[0].base == 0x1F0);
    CHECK(found->bars[0].size == 8);
    CHECK(found->bars[1].base == 0x3F6);
    CHECK(found->bars[3].base == 0x376);
    CHECK(found->bars[4].io);
    CHECK(found->bars[4].base == 0xC040);
    CHECK(found->bars[4].size == 16);
    CHECK(found->bars[4].flags == 1);
    CHECK(drivers::pci::find_class(0x01, 0x01) == found);

    const drivers::pci::Device* w = drivers::pci::find_id(0x1AF4, 0x1000);
    REQUIRE(w);
    CHECK(w->bars[0].is64);
    CHECK(w->bars[0].prefetchable);
    CHECK(w->bars[0].base == 0x1FE000000ull);
    CHECK(w->bars[0].size == 0x4000);
    CHECK(w->bars[1].size == 0); // the high half of BAR 0
    CHECK(w->bars[2].io);
    CHECK(w->bars[2].base == 0xC100);
    CHECK(w->bars[2].size == 32);
    CHECK(w->rom.base == 0xFEB80000u);
    CHECK(w->rom.size == 0x40000);
    // Sizing put every register back, and decoding is on again.
    Function& after = space.functions[{ 0, 1, 3 }];
    CHECK(after.config[4] == 0xFE00000Cu);
    CHECK(after.config[5] == 1);
    CHECK(after.config[6] == 0xC101);
    CHECK(after.config[12] == 0xFEB80000u);
    CHECK((after.config[1] & 3) == 3);

    // The bus behind the bridge was scanned once; the bridge naming bus 0 did not start it again.
    CHECK(drivers::pci::find_id(0x10EC, 0x8139));
    CHECK(drivers::pci::find_id(0x10EC, 0x8139)->bus == 2);
    const drivers::pci::Device* network = drivers::pci::find_class(0x02, 0xFF);
    REQUIRE(network);
    CHECK(drivers::pci::find_class(0x02, 0xFF, network) != nullptr);
    CHECK(drivers::pci::find_id(0xDEAD, 0xBEEF) == nullptr);

    // No device at all: nothing found, a bounded number of reads (32 slots of bus 0).
    FakeConfigSpace empty;
    sim::attach_ports(0xCF8, 8, &empty);
    CHECK(drivers::pci::scan() == 0);
    CHECK(empty.reads == 32);
    sim::attach_ports(0xCF8, 8, nullptr);
    drivers::pci::reset();
}
