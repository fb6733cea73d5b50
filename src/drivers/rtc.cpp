// CMOS RTC: register map and status bits from the MC146818A datasheet (registers A, B; 0x00-0x09), and the
// century byte at 0x32 as most PC firmware keeps it (ACPI FADT "CENTURY").
#include "drivers/rtc.hpp"

#include "arch/arch.hpp"

namespace {

constexpr u16 kIndex = 0x70, kData = 0x71;
constexpr u8 kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDay = 0x07, kMonth = 0x08, kYear = 0x09,
             kStatusA = 0x0A, kStatusB = 0x0B, kCentury = 0x32;
constexpr u8 kUpdateInProgress = 0x80, kBinary = 0x04, k24Hour = 0x02, kPm = 0x80;

u8 read_register(u8 index)
{
    // Bit 7 of the index port masks NMIs; leave them enabled.
    arch::port_write8(kIndex, index & 0x7F);
    return arch::port_read8(kData);
}

struct Raw {
    u8 second, minute, hour, day, month, year, century;
    bool operator==(const Raw&) const = default;
};

bool read_raw(Raw& raw)
{
    for (int spins = 0; read_register(kStatusA) & kUpdateInProgress; ++spins)
        if (spins > 100000)
            return false;
    raw = { read_register(kSeconds), read_register(kMinutes), read_register(kHours), read_register(kDay),
        read_register(kMonth), read_register(kYear), read_register(kCentury) };
    return true;
}

u8 from_bcd(u8 value) { return static_cast<u8>((value >> 4) * 10 + (value & 0x0F)); }

} // namespace

Result<RtcTime> read_rtc()
{
    Raw first, second;
    int attempts = 0;
    do {
        if (++attempts > 10 || !read_raw(first) || !read_raw(second))
            return Errno::IO;
    } while (!(first == second));

    u8 status = read_register(kStatusB);
    bool binary = status & kBinary;
    auto decode = [&](u8 value) { return binary ? value : from_bcd(value); };
    bool pm = !(status & k24Hour) && (first.hour & kPm);
    u8 hour = decode(static_cast<u8>(first.hour & ~kPm));
    if (!(status & k24Hour)) // 12-hour clock: 12 AM is 0, 12 PM is 12
        hour = static_cast<u8>(hour % 12 + (pm ? 12 : 0));
    RtcTime time { 0, decode(first.month), decode(first.day), hour, decode(first.minute), decode(first.second) };
    u8 century = decode(first.century);
    time.year = (century >= 19 && century <= 99 ? century : 20) * 100u + decode(first.year);
    if (time.month < 1 || time.month > 12 || time.day < 1 || time.day > 31 || time.hour > 23 || time.minute > 59
        || time.second > 60 || decode(first.year) > 99)
        return Errno::IO;
    return time;
}

i64 unix_seconds(const RtcTime& time)
{
    // Days from the civil date (Howard Hinnant's algorithm, proleptic Gregorian calendar).
    i64 year = static_cast<i64>(time.year) - (time.month <= 2 ? 1 : 0);
    i64 era = (year >= 0 ? year : year - 399) / 400;
    i64 year_of_era = year - era * 400;
    i64 month = time.month;
    i64 day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + time.day - 1;
    i64 day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    i64 days = era * 146097 + day_of_era - 719468;
    return days * 86400 + time.hour * 3600 + time.minute * 60 + time.second;
}
