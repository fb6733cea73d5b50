// panic(): for kernel bugs only (GUIDE §3). Prints the reason, registers and a symbolized backtrace on
// every console, then halts, or in self-test mode leaves QEMU with the failure code.
#pragma once

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// In test mode a panic leaves the emulator with a failure status instead of halting.
void panic_set_test_mode(bool on);

// Forgets earlier panics and test mode; for host tests, where the simulated halt returns to the test.
void panic_reset();
