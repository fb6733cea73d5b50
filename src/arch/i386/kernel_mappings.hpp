// The i386 side of the kernel window (arch::map_mmio, arch::map_kernel_pages): where it lies, and its page
// entries for the self-tests that check them.
#pragma once

#include "lib/types.hpp"

namespace i386 {

// Above the 256 MiB direct map at 0xC0000000: four 4 MiB page tables' worth.
inline constexpr uptr kKernelWindowBase = 0xF0000000;

// The page-table entry behind window address `virt` (0: unmapped or outside the window).
u32 kernel_page_entry(uptr virt);

} // namespace i386
