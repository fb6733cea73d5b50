// The timer tree. One lock guards it; callbacks run with it released, so that they can arm timers. The arch's
// timer interrupt is kept asked for the earliest deadline.
#include "proc/timer.hpp"

#include "arch/arch.hpp"
#include "kernel/panic.hpp"

namespace proc {

struct TimerKey {
    u64 deadline, sequence;
    bool operator<(const TimerKey& other) const
    {
        return deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence;
    }
};

struct TimerOrder {
    TimerKey operator()(const Timer& timer) const { return { timer.m_deadline, timer.m_sequence }; }
    using Tree = RbTree<Timer, &Timer::m_node, TimerOrder>;
};

namespace {

arch::IrqSpinLock g_lock;
TimerOrder::Tree g_timers;
u64 g_next_sequence;
// The deadline the timer interrupt was last asked for. While run_timers runs it is already past, so the
// callbacks' arming asks for nothing and run_timers asks once at the end.
u64 g_programmed = kNoDeadline;

// With g_lock held: the earliest timer moved before what the interrupt was asked for.
void program_earliest()
{
    Timer* first = g_timers.first();
    u64 deadline = first ? first->deadline() : kNoDeadline;
    if (deadline < g_programmed) {
        g_programmed = deadline;
        arch::set_timer_deadline(deadline);
    }
}

} // namespace

Timer::~Timer() { cancel(); }

void Timer::set_callback(Callback callback, void* context)
{
    arch::SpinLockGuard guard(g_lock);
    if (is_armed())
        panic("timer %p given a callback while armed", static_cast<void*>(this));
    m_callback = callback;
    m_context = context;
}

void Timer::arm(u64 deadline)
{
    arch::SpinLockGuard guard(g_lock);
    g_timers.remove(*this);
    m_deadline = deadline;
    if (deadline == kNoDeadline)
        return;
    if (!m_callback)
        panic("timer %p armed without a callback", static_cast<void*>(this));
    m_sequence = g_next_sequence++;
    if (!g_timers.insert(*this))
        panic("timer %p: its key is taken", static_cast<void*>(this));
    program_earliest();
}

bool Timer::cancel()
{
    arch::SpinLockGuard guard(g_lock);
    return g_timers.remove(*this);
}

usize run_timers(u64 now)
{
    usize ran = 0;
    for (;;) {
        Timer::Callback callback;
        void* context;
        Timer* timer;
        {
            arch::SpinLockGuard guard(g_lock);
            timer = g_timers.first();
            if (!timer || timer->m_deadline > now) {
                // Past deadlines are all gone: what the interrupt was asked for is the next one, or none.
                g_programmed = timer ? timer->m_deadline : kNoDeadline;
                arch::set_timer_deadline(g_programmed);
                return ran;
            }
            g_timers.remove(*timer);
            g_programmed = now; // the callbacks' timers are for later: asked for once, below
            callback = timer->m_callback;
            context = timer->m_context;
        }
        // Interrupts stay off: callbacks run as in the interrupt handler that called us.
        arch::InterruptGuard interrupts;
        callback(*timer, context);
        ++ran;
    }
}

u64 next_timer_deadline()
{
    arch::SpinLockGuard guard(g_lock);
    Timer* first = g_timers.first();
    return first ? first->deadline() : kNoDeadline;
}

usize armed_timer_count()
{
    arch::SpinLockGuard guard(g_lock);
    return g_timers.size();
}

u64 deadline_after(u64 delay)
{
    u64 now = arch::clock_ns();
    return delay >= kNoDeadline - 1 - now ? kNoDeadline - 1 : now + delay;
}

} // namespace proc
