// Interrupts: turning them off and on around what an interrupt handler shares, and the hardware interrupt
// lines drivers take.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

void interrupts_enable();
void interrupts_disable();
bool interrupts_enabled();

// Disables interrupts for its lifetime and restores the previous state after.
class InterruptGuard {
public:
    InterruptGuard() : m_were_enabled(interrupts_enabled()) { interrupts_disable(); }
    ~InterruptGuard()
    {
        if (m_were_enabled)
            interrupts_enable();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool m_were_enabled;
};

// Hardware interrupt lines: the PC's sixteen (two 8259 PICs; line 2 is their cascade, line 0 the arch's own
// timer). A handler runs with interrupts off, on the stack of whatever it interrupted; it must not sleep. The
// arch acknowledges the interrupt (end of interrupt) after the handler returns.
inline constexpr u32 kIrqLines = 16;
using IrqHandler = void (*)(u32 line, void* context);
// Installs `handler` for `line` and unmasks the line. EINVAL for a line past kIrqLines, EBUSY when the line
// has a handler (the timer's and the cascade's always do).
Result<void> register_irq(u32 line, IrqHandler handler, void* context);
// Masks the line and forgets its handler; a line that has none is left as it is.
void unregister_irq(u32 line);
// While masked, the line's interrupts wait (a level stays asserted, an edge is remembered once).
void mask_irq(u32 line);
void unmask_irq(u32 line);

} // namespace arch
