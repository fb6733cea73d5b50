// The list of resets, built by the static constructors of the subsystems that declare one.
#include "kernel/boot_state.hpp"

namespace kernel {

namespace {

// Zero-initialised before any constructor runs, so registration order across files does not matter.
BootStateReset* g_first;
BootStateReset* g_last;

} // namespace

BootStateReset::BootStateReset(void (*reset)())
    : m_reset(reset)
    , m_next(nullptr)
{
    if (g_last)
        g_last->m_next = this;
    else
        g_first = this;
    g_last = this;
}

void reset_boot_state()
{
    for (BootStateReset* entry = g_first; entry; entry = entry->m_next)
        entry->m_reset();
}

} // namespace kernel
