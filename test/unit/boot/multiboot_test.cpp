// boot::MultibootInfo: the fixed part of the block, modules, strings and warnings, each built byte by byte in
// simulated physical memory, well-formed and not (Multiboot Specification 0.6.96 §3.3).
#include "multiboot_machine.hpp"

using namespace multiboot_test;

TEST_CASE("Multiboot: only the boot loader's magic is accepted", "[boot][multiboot]")
{
    Machine machine;
    fill_everything(machine);
    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.has_basic_memory());

    // The header's magic (0x1BADB002) is not the one in eax at entry (§3.2).
    for (u32 magic : { 0x1BADB002u, 0u, 0xFFFFFFFFu, 0x2BADB003u }) {
        INFO(magic);
        auto result = info.parse(magic, kInfo);
        REQUIRE(result.is_error());
        CHECK(result.error() == Errno::INVAL);
        // Nothing from the earlier parse survives.
        check_empty(info);
    }
}

TEST_CASE("Multiboot: a block out of reach is EFAULT", "[boot][multiboot]")
{
    MultibootInfo info;

    sim::reset(); // no RAM at all
    auto none = info.parse(kMagic, kInfo);
    REQUIRE(none.is_error());
    CHECK(none.error() == Errno::FAULT);

    Machine machine;
    for (PhysAddr at : { kBase - 4, kBase - 68, machine.end() - 67, machine.end(), PhysAddr(0), kUnreachable }) {
        INFO(at);
        auto result = info.parse(kMagic, at);
        REQUIRE(result.is_error());
        CHECK(result.error() == Errno::FAULT);
    }
    // The last whole 68 bytes are enough.
    CHECK_FALSE(info.parse(kMagic, machine.end() - 68).is_error());

    // At the top of the 32-bit space: 64 bytes left must not wrap round to address 0.
    Machine top(0xFFFFFFC0, 0x40);
    auto wraps = info.parse(kMagic, 0xFFFFFFC0);
    REQUIRE(wraps.is_error());
    CHECK(wraps.error() == Errno::FAULT);
    Machine top68(0xFFFFFFBC, 0x44);
    CHECK_FALSE(info.parse(kMagic, 0xFFFFFFBC).is_error());
    check_empty(info);
}

TEST_CASE("Multiboot: each flag bit selects its field and no other", "[boot][multiboot]")
{
    Machine machine;
    fill_everything(machine);
    const u32 all = machine.get32(kInfo + kOffFlags);
    REQUIRE(all == (kFlagMemory | kFlagCommandLine | kFlagModules | kFlagMemoryMap | kFlagLoaderName));

    MultibootInfo info;
    SECTION("no flags: every field is ignored, however plausible")
    {
        machine.put32(kInfo + kOffFlags, 0);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        check_empty(info);
    }
    SECTION("unknown flags (VBE, ELF symbols, APM...) are harmless")
    {
        machine.put32(kInfo + kOffFlags, ~all);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        check_empty(info);
    }
    SECTION("all flags")
    {
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_basic_memory());
        CHECK(info.mem_lower_kib() == 639);
        CHECK(info.mem_upper_kib() == 130048);
        CHECK(info.region_count() == 2);
        CHECK(info.module_count() == 1);
        CHECK(std::string_view(info.command_line()) == "root=/dev/sda console=ttyS0,115200");
        CHECK(std::string_view(info.loader_name()) == "GRUB 2.06");
        CHECK(info.warning_count() == 0);

        // The command line the kernel then parses.
        auto line = boot::parse_command_line(info.command_line(), info.command_line_length());
        CHECK(std::string_view(line.root()) == "/dev/sda");
        REQUIRE(line.console_count() == 1);
        CHECK(std::string_view(line.console(0).name) == "ttyS0");
    }
    SECTION("one flag at a time")
    {
        for (u32 flag : { kFlagMemory, kFlagCommandLine, kFlagModules, kFlagMemoryMap, kFlagLoaderName }) {
            INFO(flag);
            machine.put32(kInfo + kOffFlags, flag);
            REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
            CHECK(info.has_basic_memory() == (flag == kFlagMemory));
            CHECK(info.mem_upper_kib() == (flag == kFlagMemory ? 130048u : 0u));
            CHECK(info.region_count() == (flag == kFlagMemoryMap ? 2u : 0u));
            CHECK(info.module_count() == (flag == kFlagModules ? 1u : 0u));
            CHECK(info.has_command_line() == (flag == kFlagCommandLine));
            CHECK(info.command_line_length() == (flag == kFlagCommandLine ? 34u : 0u));
            CHECK(std::string_view(info.loader_name()) == (flag == kFlagLoaderName ? "GRUB 2.06" : ""));
            CHECK(info.warning_count() == 0);
        }
    }
}

TEST_CASE("Multiboot: modules with their names", "[boot][multiboot]")
{
    Machine machine;
    const std::string long_name(200, 'n');
    machine.put_string(kStrings, "/boot/initrd.cpio");
    machine.put_string(kStrings + 0x40, "/boot/mod.ko arg=1");
    machine.put_string(kStrings + 0x80, "bad");
    machine.put_string(kStrings + 0x100, long_name);
    machine.put_bytes(machine.end() - 5, "nonul"); // runs into the end of memory
    machine.modules(kModules,
        {
            { 0x200000, 0x280000, kStrings }, { 0x280000, 0x280000, kStrings + 0x40 }, // empty module: allowed
            { 0x300000, 0x300100, 0 }, // no name
            { 0x400000, 0x3FFFFF, kStrings + 0x80 }, // ends before it starts: skipped
            { 0x500000, 0x500010, kUnreachable }, // name out of reach
            { 0x600000, 0x600001, kStrings + 0x100 }, // name over 127 bytes
            { 0x700000, 0x700001, machine.end() - 5 }, // name never NUL-terminated
        });
    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    REQUIRE(info.module_count() == 6);
    check_module(info, 0, 0x200000, 0x280000, "/boot/initrd.cpio");
    check_module(info, 1, 0x280000, 0x280000, "/boot/mod.ko arg=1");
    check_module(info, 2, 0x300000, 0x300100, "");
    check_module(info, 3, 0x500000, 0x500010, "");
    check_module(info, 4, 0x600000, 0x600001, long_name.substr(0, boot::BootModule::kMaxName));
    check_module(info, 5, 0x700000, 0x700001, "");
    REQUIRE(info.warning_count() == 3);
    check_warning(info, 0, Errno::INVAL, "module ends before it starts, ignored");
    check_warning(info, 1, Errno::FAULT, "module name not reachable");
    check_warning(info, 2, Errno::FAULT, "module name not reachable");
}

TEST_CASE("Multiboot: more than 16 modules keeps the first 16", "[boot][multiboot]")
{
    Machine machine;
    std::vector<ModuleEntry> entries;
    for (u32 i = 0; i < 20; ++i)
        entries.push_back({ 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x100, 0 });
    // Only the first 16 entries are in memory: the rest must not even be read.
    PhysAddr at = machine.end() - 16 * 16;
    entries.resize(16);
    machine.modules(at, entries);
    machine.put32(kInfo + kOffModsCount, 20);

    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    REQUIRE(info.module_count() == MultibootInfo::kMaxModules);
    check_module(info, 0, 0x1000000, 0x1000100, "");
    check_module(info, 15, 0x1000000 + 15 * 0x10000, 0x1000000 + 15 * 0x10000 + 0x100, "");
    REQUIRE(info.warning_count() == 1);
    check_warning(info, 0, Errno::TOOBIG, "over 16 modules, rest ignored");
}

TEST_CASE("Multiboot: a module list out of reach gives no modules", "[boot][multiboot]")
{
    MultibootInfo info;
    SECTION("nowhere")
    {
        Machine machine;
        machine.set_modules(kUnreachable, 2);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.module_count() == 0);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "module list not reachable");
    }
    SECTION("partly: the list is taken whole or not at all")
    {
        Machine machine;
        machine.modules(machine.end() - 32, { { 0x200000, 0x201000, 0 }, { 0x300000, 0x301000, 0 } });
        machine.put32(kInfo + kOffModsCount, 3);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.module_count() == 0);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "module list not reachable");
    }
    SECTION("no modules: the address is not looked at")
    {
        Machine machine;
        machine.set_modules(0xFFFFFFFF, 0);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.module_count() == 0);
        CHECK(info.warning_count() == 0);
    }
}

TEST_CASE("Multiboot: the command line is copied whole or reported", "[boot][multiboot]")
{
    MultibootInfo info;
    SECTION("present")
    {
        Machine machine;
        machine.put_string(kStrings, "init=\"/bin/sh -l\" quiet");
        machine.set_command_line(kStrings);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_command_line());
        CHECK(std::string_view(info.command_line()) == "init=\"/bin/sh -l\" quiet");
        CHECK(info.command_line_length() == 23);
        CHECK_FALSE(info.command_line_truncated());
        CHECK(info.warning_count() == 0);
    }
    SECTION("present and empty")
    {
        Machine machine;
        machine.set_command_line(kStrings); // memory is zeroed: an empty string
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_command_line());
        CHECK(info.command_line_length() == 0);
        CHECK(info.warning_count() == 0);
    }
    SECTION("out of reach")
    {
        Machine machine;
        machine.set_command_line(kUnreachable);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK_FALSE(info.has_command_line());
        CHECK(std::string_view(info.command_line()) == "");
        CHECK(info.command_line_length() == 0);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "command line not reachable");
    }
    SECTION("not NUL-terminated before the end of memory")
    {
        Machine machine;
        machine.put_bytes(machine.end() - 12, "root=/dev/sd");
        machine.set_command_line(machine.end() - 12);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        // Half a command line is worse than none: "root=/dev/sd" would name the wrong disk.
        CHECK_FALSE(info.has_command_line());
        CHECK(std::string_view(info.command_line()) == "");
        CHECK(info.command_line_length() == 0);
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "command line not reachable");
    }
    SECTION("exactly 4096 bytes fit")
    {
        Machine machine;
        const std::string text(4096, 'c');
        machine.put_string(kStrings, text);
        machine.set_command_line(kStrings);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_command_line());
        CHECK(info.command_line_length() == 4096);
        CHECK(std::string_view(info.command_line()) == text);
        CHECK_FALSE(info.command_line_truncated());
        CHECK(info.warning_count() == 0);
    }
    SECTION("over 4096 bytes is truncated")
    {
        Machine machine;
        std::string text;
        while (text.size() < 5000)
            text += "param" + std::to_string(text.size()) + " ";
        machine.put_string(kStrings, text);
        machine.set_command_line(kStrings);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_command_line());
        CHECK(info.command_line_truncated());
        CHECK(info.command_line_length() == boot::kMaxCommandLine);
        CHECK(std::string_view(info.command_line()) == text.substr(0, 4096));
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::TOOBIG, "command line over 4096 bytes, truncated");
    }
    SECTION("over 4096 bytes and then the end of memory: cut at the bound, not a fault")
    {
        // Nothing past the bound is read, so a line longer than that is cut whether or not its NUL exists.
        Machine machine;
        const PhysAddr at = machine.end() - 4097;
        machine.put_bytes(at, std::string(4097, 'x'));
        machine.set_command_line(at);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(info.has_command_line());
        CHECK(info.command_line_truncated());
        CHECK(info.command_line_length() == 4096);
    }
}

TEST_CASE("Multiboot: the boot loader's name", "[boot][multiboot]")
{
    MultibootInfo info;
    SECTION("present")
    {
        Machine machine;
        machine.put_string(kStrings, "GRUB 2.06-13+deb12u1");
        machine.set_loader_name(kStrings);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(std::string_view(info.loader_name()) == "GRUB 2.06-13+deb12u1");
        CHECK(info.warning_count() == 0);
    }
    SECTION("out of reach")
    {
        Machine machine;
        machine.set_loader_name(kUnreachable);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(std::string_view(info.loader_name()) == "");
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "boot loader name not reachable");
    }
    SECTION("not NUL-terminated before the end of memory")
    {
        Machine machine;
        machine.put_bytes(machine.end() - 4, "GRUB");
        machine.set_loader_name(machine.end() - 4);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(std::string_view(info.loader_name()) == "");
        REQUIRE(info.warning_count() == 1);
        check_warning(info, 0, Errno::FAULT, "boot loader name not reachable");
    }
    SECTION("too long: the first 63 characters")
    {
        Machine machine;
        const std::string name = "loader-" + std::string(100, 'L');
        machine.put_string(kStrings, name);
        machine.set_loader_name(kStrings);
        REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
        CHECK(std::string_view(info.loader_name()) == name.substr(0, MultibootInfo::kMaxLoaderName));
        CHECK(info.warning_count() == 0);
    }
}

TEST_CASE("Multiboot: warnings beyond eight are counted, not kept", "[boot][multiboot]")
{
    Machine machine;
    std::vector<ModuleEntry> entries;
    for (u32 i = 0; i < 12; ++i)
        entries.push_back({ 0x200000 + i, 0x100000, 0 }); // each ends before it starts
    machine.modules(kModules, entries);
    machine.set_command_line(kUnreachable);
    machine.set_loader_name(kUnreachable);

    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    CHECK(info.module_count() == 0);
    REQUIRE(info.warning_count() == MultibootInfo::kMaxWarnings);
    for (usize i = 0; i < MultibootInfo::kMaxWarnings; ++i)
        check_warning(info, i, Errno::INVAL, "module ends before it starts, ignored");
    CHECK(info.warnings_dropped() == 4 + 2);
}

TEST_CASE("Multiboot: a new parse forgets the previous block", "[boot][multiboot]")
{
    Machine machine;
    fill_everything(machine);
    MultibootInfo info;
    REQUIRE_FALSE(info.parse(kMagic, kInfo).is_error());
    REQUIRE(info.module_count() == 1);

    // A second block with no flags, further up.
    const PhysAddr second = kBase + 0x3000;
    machine.put32(second + kOffFlags, 0);
    REQUIRE_FALSE(info.parse(kMagic, second).is_error());
    check_empty(info);
}
