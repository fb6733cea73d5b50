// Allocation-failure injection, so that the ENOMEM paths are tested: host tests and the fuzzers make the page
// allocator and the slab caches fail on purpose. The kernel build compiles every check away.
#pragma once

#include "lib/types.hpp"

namespace mm {

#if CADENZA_HOST
// After `after` more allocations succeed, the next fails, and then every `every`th one (0: that one only).
void inject_allocation_failures(u64 after, u32 every = 0);
void stop_allocation_failures();
// Asked by each allocator before it allocates; counts the allocation.
bool allocation_should_fail();
// Allocations failed on purpose since the last inject_allocation_failures.
u64 injected_failures();
#else
inline constexpr bool allocation_should_fail() { return false; }
#endif

} // namespace mm
