// Time: the periodic timer interrupt's count and rate.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// Periodic timer interrupts since boot, and their rate.
u64 timer_ticks();
u32 timer_hz();

} // namespace arch
