// Time: the monotonic clock, and the one-shot timer interrupt that the kernel's timers (proc/timer.hpp) run
// from. One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// Nanoseconds since the timer started, never going back. On i386 the TSC calibrated against the PIT at boot
// (a CPU without one falls back to counting 1 ms ticks); in the sim, a clock that tests and the idle CPU move.
u64 clock_ns();
// What one step of clock_ns() is worth, in nanoseconds (1 for the TSC, a tick without it).
u64 clock_resolution_ns();
// From now on the wall clock is clock_ns() + `offset_ns`. The arch shows it to user mode's own clock reads (the
// vDSO's page on i386), which must follow a clock_settime at once.
void set_wall_clock_offset(i64 offset_ns);

// Asks for the timer interrupt (the tick hook of set_scheduler_hooks) at or soon after clock_ns() reaches
// `deadline_ns`, replacing the deadline asked before; one in the past fires at once, ~u64 { 0 } asks for
// none. The hardware reaches only so far (the PIT about 55 ms): the arch then takes an early interrupt
// without calling the hook and programs the rest. With no deadline asked (or no TSC, where the PIT stays
// periodic) the interrupt still comes now and then, so a halted CPU always wakes.
void set_timer_deadline(u64 deadline_ns);

} // namespace arch
