// The CMOS RTC driver against a scripted MC146818: BCD and binary, 12- and 24-hour, updates in progress,
// no chip at all; and the conversion to Unix time.
#include <catch2/catch_test_macros.hpp>

#include "drivers/rtc.hpp"
#include "sim/sim.hpp"

namespace {

struct FakeCmos final : sim::PortDevice {
    u8 registers[128] {};
    u8 index = 0;
    int updates_left = 0; // status A reports "update in progress" this many more times
    int reads = 0;

    u32 read(u16 port, u8) override
    {
        if (port != 0x71)
            return 0xFF;
        ++reads;
        if (index == 0x0A && updates_left > 0) {
            --updates_left;
            return 0x80;
        }
        return registers[index];
    }
    void write(u16 port, u8, u32 value) override
    {
        if (port == 0x70)
            index = static_cast<u8>(value & 0x7F);
    }
};

struct Fixture {
    FakeCmos cmos;
    Fixture()
    {
        sim::reset();
        sim::attach_ports(0x70, 2, &cmos);
    }
    // 2026-11-25 21:07:09 in BCD, 24-hour, century 20.
    void set_bcd()
    {
        cmos.registers[0x00] = 0x09;
        cmos.registers[0x02] = 0x07;
        cmos.registers[0x04] = 0x21;
        cmos.registers[0x07] = 0x25;
        cmos.registers[0x08] = 0x11;
        cmos.registers[0x09] = 0x26;
        cmos.registers[0x32] = 0x20;
        cmos.registers[0x0B] = 0x02;
    }
};

} // namespace

TEST_CASE("The RTC reads BCD 24-hour time with its century")
{
    Fixture f;
    f.set_bcd();
    auto time = read_rtc();
    REQUIRE_FALSE(time.is_error());
    CHECK(time.value().year == 2026);
    CHECK(time.value().month == 11);
    CHECK(time.value().day == 25);
    CHECK(time.value().hour == 21);
    CHECK(time.value().minute == 7);
    CHECK(time.value().second == 9);
}

TEST_CASE("The RTC reads binary and 12-hour modes")
{
    Fixture f;
    f.set_bcd();
    f.cmos.registers[0x0B] = 0x04; // binary, 12-hour
    f.cmos.registers[0x04] = 0x80 | 9; // 9 PM
    f.cmos.registers[0x02] = 7;
    f.cmos.registers[0x00] = 9;
    f.cmos.registers[0x07] = 25;
    f.cmos.registers[0x08] = 11;
    f.cmos.registers[0x09] = 26;
    f.cmos.registers[0x32] = 20;
    auto time = read_rtc();
    REQUIRE_FALSE(time.is_error());
    CHECK(time.value().hour == 21);
    f.cmos.registers[0x04] = 12; // 12 AM is midnight
    CHECK(read_rtc().value().hour == 0);
    f.cmos.registers[0x04] = 0x80 | 12; // 12 PM is noon
    CHECK(read_rtc().value().hour == 12);
}

TEST_CASE("The RTC waits out an update in progress and a missing century defaults to 20xx")
{
    Fixture f;
    f.set_bcd();
    f.cmos.registers[0x32] = 0; // no century register
    f.cmos.updates_left = 3;
    auto time = read_rtc();
    REQUIRE_FALSE(time.is_error());
    CHECK(time.value().year == 2026);
    CHECK(f.cmos.updates_left == 0);
}

TEST_CASE("No RTC, or nonsense from it, is EIO")
{
    Fixture f;
    sim::attach_ports(0x70, 2, nullptr); // an empty bus reads 0xFF
    CHECK(read_rtc().error() == Errno::IO);
    sim::attach_ports(0x70, 2, &f.cmos);
    f.set_bcd();
    f.cmos.registers[0x08] = 0x13; // month 13
    CHECK(read_rtc().error() == Errno::IO);
    f.set_bcd();
    f.cmos.updates_left = 1 << 30; // never settles
    CHECK(read_rtc().error() == Errno::IO);
}

TEST_CASE("Civil dates convert to Unix time")
{
    CHECK(unix_seconds({ 1970, 1, 1, 0, 0, 0 }) == 0);
    CHECK(unix_seconds({ 2026, 11, 25, 21, 0, 0 }) == 1795640400);
    CHECK(unix_seconds({ 2000, 2, 29, 23, 59, 59 }) == 951868799);
    CHECK(unix_seconds({ 2038, 1, 19, 3, 14, 8 }) == 2147483648ll);
}
