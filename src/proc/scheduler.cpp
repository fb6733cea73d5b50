// Round-robin scheduling. The kernel is not preemptible: a process gives up the CPU inside a system call
// (blocking, yielding) or, when its slice is used up, on its way back to user mode.
//
// The tick is a kernel timer, every kTickNs on a grid from boot, that run_scheduler_until starts and stops;
// periods that went by unseen (interrupts off too long, a test moving the clock) are skipped, not charged.
// While the CPU idles the tick stops (Linux's NO_HZ idle), so the timer interrupt comes only for a kernel
// timer; the idle periods and load samples it missed are counted when a task runs again.
//
// g_lock guards the run queue and each task's state. A switch happens with interrupts off but the lock
// released: uniprocessor, nothing can come between choosing a task and running it. SMP will hold the lock
// across the switch and release it in the next task, as Linux's finish_task_switch.
#include "proc/scheduler.hpp"
#include "kernel/boot_state.hpp"

#include "kernel/panic.hpp"
#include "proc/signal.hpp"
#include "proc/timer.hpp"

namespace proc {

namespace {

arch::IrqSpinLock g_lock;
TaskList g_run_queue;
Thread* g_running;
uptr g_idle_stack; // where the idle context stands while a process runs
bool g_need_resched;
SchedulerStats g_stats;

// Every queue operation goes through these two, so a process always knows which list it is on.
void enqueue(TaskList& list, Thread& process)
{
    list.push_back(process);
    process.queue = &list;
}

Thread* dequeue(TaskList& list)
{
    Thread* process = list.pop_front();
    if (process)
        process->queue = nullptr;
    return process;
}

void load_context_of(Thread& next)
{
    arch::fpu_restore(next.fpu_state());
    next.space->activate();
    arch::set_trap_stack(next.kernel_stack.base(), next.kernel_stack.size());
    for (u32 i = 0; i < arch::kTlsEntries; ++i) {
        // An unused entry gets Linux's empty descriptor, so one process's TLS never shows in another.
        arch::TlsDescriptor empty { 0, 0, false, true, false, true, false, 0 };
        arch::load_tls_descriptor(arch::kFirstTlsEntry + i, next.tls_used[i] ? next.tls[i] : empty);
    }
}

// Continues `next` (nullptr: the idle context) from wherever it stopped.
void switch_to(Thread* next)
{
    Thread* previous = g_running;
    if (next == previous)
        return;
    uptr* save = previous ? &previous->saved_stack : &g_idle_stack;
    uptr target = next ? next->saved_stack : g_idle_stack;
    // The kernel itself never touches the FPU, so its registers still hold the previous process's values.
    if (previous)
        arch::fpu_save(previous->fpu_state());
    g_running = next;
    ++g_stats.context_switches;
    if (next) {
        next->slice_left = kTimeSliceTicks;
        load_context_of(*next);
    }
    arch::switch_stacks(save, target);
}

// Exponentially decaying averages sampled every 5 s, in Linux's 11-bit fixed point (kernel/sched/loadavg.c:
// FSHIFT 11, EXP_1 1884, EXP_5 2014, EXP_15 2037).
u64 g_loads[3];
// The statistics and load averages of a kernel that has not run yet.
kernel::BootStateReset g_boot_state([] {
    g_stats = {};
    for (u64& load : g_loads)
        load = 0;
});

void sample_load(u64 runnable)
{
    constexpr u64 kFixed1 = 1 << 11, kDecay[3] = { 1884, 2014, 2037 };
    u64 active = runnable * kFixed1;
    for (int i = 0; i < 3; ++i)
        g_loads[i] = (g_loads[i] * kDecay[i] + active * (kFixed1 - kDecay[i])) >> 11;
}

} // namespace

Thread* running() { return g_running; }
void set_running(Thread* process) { g_running = process; }

void make_runnable(Thread& process)
{
    // System calls run with interrupts on, and interrupt handlers wake tasks too.
    arch::SpinLockGuard guard(g_lock);
    process.state = Thread::State::Runnable;
    enqueue(g_run_queue, process);
}

void schedule()
{
    arch::InterruptGuard interrupts; // from the choice to the switch
    Thread* next;
    {
        arch::SpinLockGuard guard(g_lock);
        next = dequeue(g_run_queue);
        if (!next && g_running && g_running->state == Thread::State::Runnable)
            return; // nothing else to run: carry on
    }
    switch_to(next);
}

void schedule_last(bool to_idle)
{
    arch::interrupts_disable();
    Thread* next = nullptr;
    if (!to_idle) {
        arch::SpinLockGuard guard(g_lock);
        next = dequeue(g_run_queue);
    }
    g_running = next;
    if (next) {
        next->slice_left = kTimeSliceTicks;
        load_context_of(*next);
    }
    arch::exit_to(next ? next->saved_stack : g_idle_stack);
}

void yield()
{
    arch::InterruptGuard interrupts;
    {
        arch::SpinLockGuard guard(g_lock);
        if (g_running && g_running->state == Thread::State::Runnable && !g_running->queue)
            enqueue(g_run_queue, *g_running);
    }
    schedule();
}

namespace {

void sleep_timed_out(Timer&, void* task) { wake_task(*static_cast<Thread*>(task)); }

} // namespace

void sleep_current(u64 deadline, Interruptible mode)
{
    if (!g_running)
        panic("sleep_current outside a task");
    arch::InterruptGuard interrupts;
    Thread& self = *g_running;
    {
        arch::SpinLockGuard guard(g_lock);
        self.state = Thread::State::Blocked;
        self.sleep_mode = mode;
    }
    if (deadline != kNoDeadline) {
        self.sleep_timer.set_callback(sleep_timed_out, &self);
        self.sleep_timer.arm(deadline);
    }
    schedule();
    self.sleep_timer.cancel(); // woken before its deadline
}

void wake_task(Thread& task)
{
    arch::SpinLockGuard guard(g_lock);
    if (task.state != Thread::State::Blocked)
        return;
    task.state = Thread::State::Runnable;
    enqueue(g_run_queue, task);
}

void signal_wake(Thread& task, bool fatal)
{
    if (task.sleep_mode == Interruptible::Yes || (fatal && task.sleep_mode == Interruptible::Killable))
        wake_task(task);
}

namespace {

// SIGALRM, then the next period: past periods that went by unseen are skipped, not fired in a burst (Linux's
// hrtimer_forward).
void real_timer_expired(Timer& timer, void* context)
{
    Process& process = *static_cast<Process*>(context);
    send_signal(process, kSigAlrm, { 0x80 /* SI_KERNEL */, 0, 0, 0, 0 });
    u64 interval = process.real_interval;
    if (!interval)
        return;
    u64 now = arch::clock_ns(), next = timer.deadline() + interval;
    if (next <= now)
        next += (now - next) / interval * interval + interval;
    timer.arm(next);
}

} // namespace

void arm_real_timer(Process& process, u64 deadline, u64 interval)
{
    process.real_timer.cancel();
    process.real_interval = deadline == kNoDeadline ? 0 : interval;
    if (deadline == kNoDeadline)
        return;
    process.real_timer.set_callback(real_timer_expired, &process);
    process.real_timer.arm(deadline);
}

u64 real_timer_deadline(const Process& process)
{
    return process.real_timer.is_armed() ? process.real_timer.deadline() : kNoDeadline;
}

void unschedule(Thread& process)
{
    process.sleep_timer.cancel();
    arch::SpinLockGuard guard(g_lock);
    if (process.queue) {
        process.queue->remove(process);
        process.queue = nullptr;
    }
}

namespace {

Timer g_tick;
bool g_tick_in_user_mode; // what the timer interrupt that runs the tick interrupted
u64 g_load_period; // which 5 s period of the clock the load average was last sampled in
constexpr u64 kLoadPeriodNs = 5ull * 1000 * 1000 * 1000;

void tick_expired(Timer& timer, void*);

// The first tick period boundary after `now`.
u64 next_tick_after(u64 now) { return (now / kTickNs + 1) * kTickNs; }

bool g_tick_stopped;
u64 g_idle_since; // when the tick stopped

// Nothing can run: until something wakes, there is nothing for the tick to charge but idle time.
void stop_tick_for_idle()
{
    if (g_tick_stopped)
        return;
    g_tick.cancel();
    g_tick_stopped = true;
    g_idle_since = arch::clock_ns();
}

// A task is about to run: the idle tick periods and the (idle) load samples that went by unseen, then the tick.
void restart_tick()
{
    if (!g_tick_stopped)
        return;
    g_tick_stopped = false;
    u64 now = arch::clock_ns();
    {
        arch::SpinLockGuard guard(g_lock);
        g_stats.idle += now / kTickNs - g_idle_since / kTickNs;
        u64 period = now / kLoadPeriodNs;
        // A thousand samples (83 minutes) decay even the 15-minute average to nothing: no need to go on.
        u64 missed = period - g_load_period;
        for (missed = missed < 1000 ? missed : 1000; missed; --missed)
            sample_load(0);
        g_load_period = period;
    }
    g_tick.arm(next_tick_after(now));
}

} // namespace

void run_scheduler_until(bool (*done)())
{
    arch::interrupts_disable();
    g_load_period = arch::clock_ns() / kLoadPeriodNs;
    g_tick.cancel(); // a host test that threw out of the last run may have left it armed
    g_tick.set_callback(tick_expired, nullptr);
    g_tick.arm(next_tick_after(arch::clock_ns()));
    g_tick_stopped = false;
    while (!done()) {
        Thread* next;
        {
            arch::SpinLockGuard guard(g_lock);
            next = dequeue(g_run_queue);
        }
        if (next) {
            restart_tick();
            switch_to(next);
        } else {
            stop_tick_for_idle();
            arch::wait_for_interrupt(); // returns with interrupts on, after the interrupt was handled
        }
        arch::interrupts_disable();
    }
    // Nothing left to charge; and a stale tick must not fire in whatever runs the clock next (a host test).
    g_tick.cancel();
    g_tick_stopped = false;
    arch::interrupts_enable();
}

SchedulerStats scheduler_stats()
{
    arch::SpinLockGuard guard(g_lock);
    return g_stats;
}

usize runnable_count()
{
    arch::SpinLockGuard guard(g_lock);
    return g_run_queue.size() + (g_running ? 1 : 0);
}

void load_averages(u64 (&out)[3])
{
    for (int i = 0; i < 3; ++i)
        out[i] = g_loads[i] << 5; // SI_LOAD_SHIFT 16 from FSHIFT 11
}

namespace {

// ITIMER_VIRTUAL and ITIMER_PROF count down the process's CPU time; true when one ran out.
bool charge_cpu_timer(Process& group, int which)
{
    IntervalTimer& timer = group.cpu_timers[which];
    if (!timer.left || --timer.left)
        return false;
    timer.left = timer.interval;
    return true;
}

// One tick period went by in whatever the interrupt interrupted: charge it, then arm the next period.
void tick_expired(Timer& timer, void*)
{
    u64 now = arch::clock_ns();
    u64 period = timer.deadline() / kLoadPeriodNs;
    timer.arm(next_tick_after(now > timer.deadline() ? now : timer.deadline()));
    bool in_user_mode = g_tick_in_user_mode;
    Process* group = nullptr;
    bool virtual_out = false, prof_out = false;
    {
        arch::SpinLockGuard guard(g_lock);
        if (period != g_load_period) {
            g_load_period = period;
            sample_load(g_run_queue.size() + (g_running ? 1 : 0));
        }
        if (!g_running)
            ++g_stats.idle;
        else if (in_user_mode)
            ++g_stats.user;
        else
            ++g_stats.system;
        if (g_running) {
            group = &g_running->process();
            if (in_user_mode) {
                ++g_running->cpu.user;
                virtual_out = charge_cpu_timer(*group, kItimerVirtual);
            } else {
                ++g_running->cpu.system;
            }
            prof_out = charge_cpu_timer(*group, kItimerProf);
            if (g_running->slice_left && --g_running->slice_left == 0)
                g_need_resched = true;
        }
    }
    // Signals wake tasks, which takes the lock.
    if (virtual_out)
        send_signal(*group, kSigVtalrm, { 0x80 /* SI_KERNEL */, 0, 0, 0, 0 });
    if (prof_out)
        send_signal(*group, kSigProf, { 0x80 /* SI_KERNEL */, 0, 0, 0, 0 });
}

} // namespace

void scheduler_tick(bool in_user_mode)
{
    g_tick_in_user_mode = in_user_mode;
    run_timers(arch::clock_ns());
}

void scheduler_before_user_return()
{
    if (!g_need_resched || !g_running)
        return;
    g_need_resched = false;
    g_running->slice_left = kTimeSliceTicks;
    bool others;
    {
        arch::SpinLockGuard guard(g_lock);
        others = !g_run_queue.is_empty();
    }
    if (others)
        yield();
}

} // namespace proc
