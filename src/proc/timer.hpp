// Kernel timers: one-shot callbacks at a deadline on the monotonic clock (arch::clock_ns), all in one tree
// ordered by deadline, as Linux's hrtimers. The timer interrupt runs every timer whose deadline has passed,
// earliest first; a callback may arm its own timer again for a periodic one. A sleep's deadline, alarm() and
// ITIMER_REAL, and the wake-ups of nanosleep, poll, select, futex and sigtimedwait are timers; so will be a
// TTY's VTIME, a disk's time-out and TCP's retransmissions.
//
// The arch's one-shot timer interrupt (arch::set_timer_deadline) is kept programmed for the earliest deadline:
// arming a timer that becomes the earliest reprograms it, and each interrupt runs what is due and programs the
// next. A timer so fires soon after its deadline (on i386 under TCG, tens of microseconds), never before it.
// The scheduler's 1 ms tick is one such timer, stopped while the CPU idles (scheduler.cpp).
#pragma once

#include "lib/rb_tree.hpp"
#include "lib/types.hpp"

namespace proc {

// A deadline that is never reached: an unarmed sleep's, or a wait's with no time-out.
inline constexpr u64 kNoDeadline = ~u64 { 0 };

class Timer {
public:
    // Runs from the timer interrupt, with interrupts off and no lock held: it must not sleep. It may arm or
    // cancel any timer, its own included.
    using Callback = void (*)(Timer& timer, void* context);

    Timer() = default;
    Timer(Callback callback, void* context) : m_callback(callback), m_context(context) { }
    // Cancels it: a timer never outlives its owner in the tree.
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Sets what runs at expiry; only while the timer is not armed.
    void set_callback(Callback callback, void* context);

    // Arms the timer for `deadline` nanoseconds on the monotonic clock, moving it if it was armed already. A
    // deadline in the past fires at once (at the timer interrupt it asks for); kNoDeadline disarms.
    void arm(u64 deadline);
    // Disarms the timer; returns whether it was armed (so had not fired yet).
    bool cancel();

    bool is_armed() const { return m_node.is_linked(); }
    // The deadline it is armed for, or was last armed for.
    u64 deadline() const { return m_deadline; }

private:
    friend struct TimerOrder;
    friend usize run_timers(u64 now);
    RbTreeNode m_node;
    u64 m_deadline { kNoDeadline };
    u64 m_sequence { 0 }; // equal deadlines fire in the order they were armed
    Callback m_callback { nullptr };
    void* m_context { nullptr };
};

// Runs, earliest first, every armed timer whose deadline is at or before `now`, each disarmed before its
// callback runs, then programs the timer interrupt for the next deadline. Returns how many ran. Called from
// the timer interrupt (proc::scheduler_tick) with the clock's reading.
usize run_timers(u64 now);
// The earliest armed deadline, or kNoDeadline.
u64 next_timer_deadline();
usize armed_timer_count();

// `delay` nanoseconds from now on the monotonic clock, saturating at kNoDeadline - 1 (far but armed).
u64 deadline_after(u64 delay);

} // namespace proc
