// The host's allocation-failure countdown (fault_injection.hpp); nothing of it is in the kernel.
#include "mm/fault_injection.hpp"

#if CADENZA_HOST

namespace mm {

namespace {

bool g_armed;
u64 g_countdown;
u32 g_every;
u64 g_failed;

} // namespace

void inject_allocation_failures(u64 after, u32 every)
{
    g_armed = true;
    g_countdown = after;
    g_every = every;
    g_failed = 0;
}

void stop_allocation_failures() { g_armed = false; }

bool allocation_should_fail()
{
    if (!g_armed)
        return false;
    if (g_countdown) {
        --g_countdown;
        return false;
    }
    ++g_failed;
    if (g_every)
        g_countdown = g_every - 1;
    else
        g_armed = false;
    return true;
}

u64 injected_failures() { return g_failed; }

} // namespace mm

#endif
