// The CPU: its floating-point state, its features, waiting and halting.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// --- Floating-point and vector registers ---
// Each process has its own x87/SSE state, saved and restored when the scheduler switches: an opaque buffer of
// kFpuStateBytes, aligned to kFpuStateAlignment.
inline constexpr usize kFpuStateBytes = 512, kFpuStateAlignment = 16;
void fpu_save(void* state);
void fpu_restore(const void* state);
// The state a new program starts with (after FNINIT, MXCSR at its reset value).
void fpu_initial_state(void* state);

// --- CPU ---
// What the CPU supports, as user programs read it from AT_HWCAP (on i386, CPUID leaf 1's edx).
u32 cpu_features();
// Waits for the next interrupt (hlt); returns after it was handled.
void wait_for_interrupt();
[[noreturn]] void halt_forever();
// Leaves the emulator with a status when it offers a way (QEMU's isa-debug-exit); otherwise halts.
[[noreturn]] void exit_emulator(bool success);

} // namespace arch
