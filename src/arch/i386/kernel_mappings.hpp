// The i386 side of the kernel's device-memory window (arch::map_mmio): where it lies, and its page entries
// for the self-test that checks them.
#pragma once

#include "lib/types.hpp"

namespace i386 {

// Above the 256 MiB direct map at 0xC0000000, one 4 MiB page table's worth.
inline constexpr uptr kMmioWindowBase = 0xF0000000;

// The page-table entry behind window address `virt` (0: unmapped or outside the window).
u32 kernel_page_entry(uptr virt);

} // namespace i386
