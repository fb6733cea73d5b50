// Diagnostics: backtraces, registers, the embedded symbol table and the linked self-tests.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

struct SelfTest;

namespace arch {

struct Bytes {
    const u8* data;
    usize size;
};
struct SelfTests {
    const SelfTest* data;
    usize count;
};

// Return addresses of the current call chain, innermost first, skipping `skip` frames.
usize capture_backtrace(uptr* out, usize max, usize skip);
// Writes the registers saved at the last exception (or the current ones) through `line`.
void dump_registers(void (*line)(const char*));

// The symbol table embedded in the kernel image at build time (tools/gen-ksyms.py); empty when absent.
Bytes kernel_symbols();
// The kernel self-tests linked into this image (KERNEL_SELFTEST in kernel/selftest.hpp).
SelfTests self_tests();

} // namespace arch
