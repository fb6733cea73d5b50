// Time: the monotonic clock, and the periodic timer interrupt's count and rate.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// Periodic timer interrupts since boot, and their rate.
u64 timer_ticks();
u32 timer_hz();

// Nanoseconds since the timer started, never going back. On i386 the TSC calibrated against the PIT at boot
// (a CPU without one falls back to whole ticks); in the sim, whole ticks.
u64 clock_ns();
// What one step of clock_ns() is worth, in nanoseconds (1 for the TSC, a tick without it).
u64 clock_resolution_ns();

} // namespace arch
