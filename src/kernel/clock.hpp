// The kernel's clocks: monotonic time from the arch's clock (the TSC on i386: nanoseconds), and wall-clock
// time as the RTC's reading at boot plus the time since.
#pragma once

#include "lib/types.hpp"

// Reads the RTC once, at boot; without one, wall-clock time starts at the epoch (logged).
void clock_init();

u64 monotonic_ns();
i64 realtime_ns();
// Sets the wall clock (clock_settime, settimeofday).
void set_realtime_ns(i64 now);
u64 clock_resolution_ns();
