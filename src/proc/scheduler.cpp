// Round-robin scheduling. The kernel is not preemptible: a process gives up the CPU inside a system call
// (blocking, yielding) or, when its slice is used up, on its way back to user mode.
#include "proc/scheduler.hpp"

#include "kernel/panic.hpp"
#include "proc/signal.hpp"

namespace proc {

namespace {

TaskList g_run_queue;
TaskList g_sleepers; // asleep with a deadline, until the tick hook sees it pass
IntrusiveList<Process, &Process::timer_node> g_armed_timers;
Process* g_running;
uptr g_idle_stack; // where the idle context stands while a process runs
bool g_need_resched;
SchedulerStats g_stats;

// Every queue operation goes through these two, so a process always knows which list it is on.
void enqueue(TaskList& list, Process& process)
{
    list.push_back(process);
    process.queue = &list;
}

Process* dequeue(TaskList& list)
{
    Process* process = list.pop_front();
    if (process)
        process->queue = nullptr;
    return process;
}

void load_context_of(Process& next)
{
    arch::fpu_restore(next.fpu_state());
    next.space->activate();
    arch::set_trap_stack(next.kernel_stack, kKernelStackBytes);
    for (u32 i = 0; i < arch::kTlsEntries; ++i) {
        // An unused entry gets Linux's empty descriptor, so one process's TLS never shows in another.
        arch::TlsDescriptor empty { 0, 0, false, true, false, true, false, 0 };
        arch::load_tls_descriptor(arch::kFirstTlsEntry + i, next.tls_used[i] ? next.tls[i] : empty);
    }
}

// Continues `next` (nullptr: the idle context) from wherever it stopped.
void switch_to(Process* next)
{
    Process* previous = g_running;
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

void sample_load()
{
    constexpr u64 kFixed1 = 1 << 11, kDecay[3] = { 1884, 2014, 2037 };
    u64 active = (g_run_queue.size() + (g_running ? 1 : 0)) * kFixed1;
    for (int i = 0; i < 3; ++i)
        g_loads[i] = (g_loads[i] * kDecay[i] + active * (kFixed1 - kDecay[i])) >> 11;
}

} // namespace

Process* running() { return g_running; }
void set_running(Process* process) { g_running = process; }

void make_runnable(Process& process)
{
    // System calls run with interrupts on, and the timer's tick hook changes these lists too.
    arch::InterruptGuard guard;
    process.state = Process::State::Runnable;
    enqueue(g_run_queue, process);
}

void schedule()
{
    arch::InterruptGuard guard;
    Process* next = dequeue(g_run_queue);
    if (!next && g_running && g_running->state == Process::State::Runnable)
        return; // nothing else to run: carry on
    switch_to(next);
}

void schedule_last(bool to_idle)
{
    arch::interrupts_disable();
    Process* next = to_idle ? nullptr : dequeue(g_run_queue);
    g_running = next;
    if (next) {
        next->slice_left = kTimeSliceTicks;
        load_context_of(*next);
    }
    arch::exit_to(next ? next->saved_stack : g_idle_stack);
}

void yield()
{
    arch::InterruptGuard guard;
    if (g_running && g_running->state == Process::State::Runnable && !g_running->queue)
        enqueue(g_run_queue, *g_running);
    schedule();
}

void sleep_current(u64 deadline, Interruptible mode)
{
    if (!g_running)
        panic("sleep_current outside a task");
    arch::InterruptGuard guard;
    g_running->state = Process::State::Blocked;
    g_running->sleep_mode = mode;
    if (deadline != kNoDeadline) {
        g_running->wake_at_tick = deadline;
        enqueue(g_sleepers, *g_running);
    }
    schedule();
}

void wake_task(Process& task)
{
    arch::InterruptGuard guard;
    if (task.state != Process::State::Blocked)
        return;
    unschedule(task); // off the sleepers, if it had a deadline
    make_runnable(task);
}

void signal_wake(Process& task, bool fatal)
{
    arch::InterruptGuard guard;
    if (task.sleep_mode == Interruptible::Yes || (fatal && task.sleep_mode == Interruptible::Killable))
        wake_task(task);
}

void arm_real_timer(Process& process, u64 at_tick, u64 interval)
{
    arch::InterruptGuard guard;
    g_armed_timers.remove(process);
    process.alarm_at_tick = at_tick;
    process.alarm_interval_ticks = at_tick ? interval : 0;
    if (at_tick)
        g_armed_timers.push_back(process);
}

void unschedule(Process& process)
{
    arch::InterruptGuard guard;
    if (process.queue) {
        process.queue->remove(process);
        process.queue = nullptr;
    }
}

void run_scheduler_until(bool (*done)())
{
    arch::interrupts_disable();
    while (!done()) {
        if (Process* next = dequeue(g_run_queue))
            switch_to(next);
        else
            arch::wait_for_interrupt(); // returns with interrupts on, after the interrupt was handled
        arch::interrupts_disable();
    }
    arch::interrupts_enable();
}

SchedulerStats scheduler_stats() { return g_stats; }
usize runnable_count() { return g_run_queue.size() + (g_running ? 1 : 0); }

void load_averages(u64 (&out)[3])
{
    for (int i = 0; i < 3; ++i)
        out[i] = g_loads[i] << 5; // SI_LOAD_SHIFT 16 from FSHIFT 11
}

namespace {

// ITIMER_VIRTUAL and ITIMER_PROF count down the process's CPU time and signal it when they run out.
void charge_cpu_timer(Process& group, int which, int signal)
{
    IntervalTimer& timer = group.cpu_timers[which];
    if (!timer.left || --timer.left)
        return;
    timer.left = timer.interval;
    send_signal(group, signal, { 0x80 /* SI_KERNEL */, 0, 0, 0, 0 });
}

} // namespace

void scheduler_tick(bool in_user_mode)
{
    u64 now = arch::timer_ticks();
    if (arch::timer_hz() && now % (5 * arch::timer_hz()) == 0)
        sample_load();
    for (Process& sleeper : g_sleepers) {
        if (sleeper.wake_at_tick <= now) {
            g_sleepers.remove(sleeper);
            sleeper.queue = nullptr;
            make_runnable(sleeper);
        }
    }
    for (Process& armed : g_armed_timers) {
        if (armed.alarm_at_tick > now)
            continue;
        send_signal(armed, kSigAlrm, { 0x80 /* SI_KERNEL */, 0, 0, 0, 0 });
        if (armed.alarm_interval_ticks) {
            armed.alarm_at_tick += armed.alarm_interval_ticks;
        } else {
            armed.alarm_at_tick = 0;
            g_armed_timers.remove(armed);
        }
    }
    if (!g_running)
        ++g_stats.idle;
    else if (in_user_mode)
        ++g_stats.user;
    else
        ++g_stats.system;
    if (g_running) {
        Process& group = g_running->group();
        if (in_user_mode) {
            ++g_running->cpu.user;
            charge_cpu_timer(group, kItimerVirtual, kSigVtalrm);
        } else {
            ++g_running->cpu.system;
        }
        charge_cpu_timer(group, kItimerProf, kSigProf);
        if (g_running->slice_left && --g_running->slice_left == 0)
            g_need_resched = true;
    }
}

void scheduler_before_user_return()
{
    if (!g_need_resched || !g_running)
        return;
    g_need_resched = false;
    g_running->slice_left = kTimeSliceTicks;
    if (!g_run_queue.is_empty())
        yield();
}

} // namespace proc
