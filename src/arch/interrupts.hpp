// Interrupts: turning them off and on around what an interrupt handler shares, and the hardware interrupt
// lines drivers take.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "kernel/panic.hpp"
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

// IrqSpinLock: the lock for data an interrupt handler shares with tasks (a wait queue, the run queue, the
// timers, a driver's ring). Taking it turns interrupts off on this CPU and saves their state on the taker's
// stack (Linux's spin_lock_irqsave), so the holder can neither be interrupted by a handler that wants the lock
// nor switch away while holding it. The kernel is uniprocessor: nothing ever spins, and finding the lock held
// is a bug (a handler or a nested call taking a lock its caller holds), which panics instead of deadlocking.
// SMP turns the held flag into an atomic test-and-set loop; the callers stay as they are.
class IrqSpinLock {
public:
    IrqSpinLock() = default;
    IrqSpinLock(const IrqSpinLock&) = delete;
    IrqSpinLock& operator=(const IrqSpinLock&) = delete;

    // Returns whether interrupts were on, for unlock().
    [[nodiscard]] bool lock()
    {
        bool were_enabled = interrupts_enabled();
        interrupts_disable();
        if (m_held)
            panic("spin lock %p taken while held", static_cast<void*>(this));
        m_held = true;
        return were_enabled;
    }
    void unlock(bool were_enabled)
    {
        if (!m_held)
            panic("spin lock %p released while free", static_cast<void*>(this));
        m_held = false;
        if (were_enabled)
            interrupts_enable();
    }
    bool is_held() const { return m_held; }

private:
    bool m_held { false };
};

// Holds an IrqSpinLock for its lifetime.
class SpinLockGuard {
public:
    explicit SpinLockGuard(IrqSpinLock& lock) : m_lock(lock), m_were_enabled(lock.lock()) { }
    ~SpinLockGuard() { m_lock.unlock(m_were_enabled); }
    SpinLockGuard(const SpinLockGuard&) = delete;
    SpinLockGuard& operator=(const SpinLockGuard&) = delete;

private:
    IrqSpinLock& m_lock;
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
