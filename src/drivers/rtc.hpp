// The PC's real-time clock (MC146818 CMOS RTC at ports 0x70/0x71): the wall-clock time at boot.
#pragma once

#include "lib/result.hpp"

struct RtcTime {
    u32 year; // e.g. 2026
    u8 month, day, hour, minute, second;
};

// Reads the clock, waiting out an update in progress and reading until two reads agree; BCD or binary,
// 12- or 24-hour, with the century register (0x32) when it holds a sane value. EIO when the clock never
// settles or reads as nonsense (no RTC: the bus answers 0xFF).
Result<RtcTime> read_rtc();

// Seconds since 1970-01-01 00:00:00 UTC for a valid RtcTime (the RTC keeps UTC, as Linux assumes).
i64 unix_seconds(const RtcTime& time);
