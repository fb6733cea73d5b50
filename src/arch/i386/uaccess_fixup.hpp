// The exception table: pairs of (instruction that may fault, where to resume), as Linux's __ex_table.
// copy_from_user and friends put their one faulting instruction here; the page-fault handler looks it up.
#pragma once

#include "lib/types.hpp"

namespace i386 {

struct ExceptionTableEntry {
    u32 fault_eip;
    u32 fixup_eip;
};

// The fixup address for a faulting eip, or 0 when the fault is not expected.
u32 find_fixup(u32 eip);

// Reads a byte at `address`; false (instead of a kernel panic) when the access faults.
bool probe_read8(uptr address, u8& out);
// Reads 32 bits at `address`; false (instead of a kernel panic) when the access faults.
bool probe_read32(uptr address, u32& out);

// Writes 32 bits at `address`; false when the access faults.
bool probe_write32(uptr address, u32 value);

} // namespace i386
