// The scheduler: round-robin over runnable threads with a fixed time slice from the timer, blocking and
// waking, timed sleeps, and the idle context (the boot stack) that halts the CPU when nothing can run.
#pragma once

#include "proc/process.hpp"

namespace proc {

// The scheduler's tick: a periodic kernel timer that charges CPU time and counts down time slices, the
// CPU-time interval timers and the load average. Kernel timers do not wait for it.
inline constexpr u32 kTickHz = 1000;
inline constexpr u64 kTickNs = 1000000000 / kTickHz;
// Ticks a process runs before another runnable one gets the CPU (10 ms).
inline constexpr u32 kTimeSliceTicks = 10;

// Appends `thread` to the run queue.
void make_runnable(Thread& thread);
// Gives the CPU to the next runnable process; the current one must have been queued or blocked first.
// Returns when the current process runs again.
void schedule();
// The current process goes to the back of the run queue (sched_yield, end of a time slice).
void yield();
// Blocks the current task until wake_task(), the clock reaching `deadline` (kNoDeadline: none) or, as
// `mode` allows, a signal (signal_wake). Interrupts must be off: the caller has just tested why it sleeps.
// Sleep through a WaitQueue (proc/wait_queue.hpp), which tests the condition again after every wake-up.
void sleep_current(u64 deadline, Interruptible mode);
// Makes a sleeping `task` runnable (a no-op for one that is not asleep). Safe from an interrupt handler.
void wake_task(Thread& task);
// A signal came for `task`: wakes it if its sleep is one a signal ends (`fatal`: SIGKILL, which also ends a
// killable sleep).
void signal_wake(Thread& task, bool fatal);
// Takes `thread` off whatever queue it is on (waking it early, or tearing it down).
void unschedule(Thread& thread);
// Arms the process's real-time timer: SIGALRM when the clock reaches `deadline` (kNoDeadline disarms), then
// every `interval` nanoseconds (0: once).
void arm_real_timer(Process& process, u64 deadline, u64 interval);
// Where that timer is armed for, or kNoDeadline.
u64 real_timer_deadline(const Process& process);
// The current process has ended: run the next one (or, with `to_idle`, the idle context, whatever else is
// runnable) and never come back.
[[noreturn]] void schedule_last(bool to_idle = false);

// The idle context: runs processes until `done()` says to stop, halting the CPU while none is runnable. The
// tick runs while it does.
void run_scheduler_until(bool (*done)());

// Timer and return-to-user hooks (arch::set_scheduler_hooks). The timer interrupt runs the kernel timers
// that are due (proc/timer.hpp), the tick among them, which charges itself to the task it interrupted.
void scheduler_tick(bool in_user_mode);
void scheduler_before_user_return();

// Timer ticks since boot spent in user mode, in the kernel and idle, and task switches (/proc/stat).
struct SchedulerStats {
    u64 user, system, idle, context_switches;
};
SchedulerStats scheduler_stats();
// Runnable processes (the running one included), for /proc/loadavg and /proc/stat.
usize runnable_count();

// Linux's load averages over 1, 5 and 15 minutes (runnable processes), in sysinfo's 16-bit fixed point.
void load_averages(u64 (&out)[3]);

// The process now running (nullptr: idle); the scheduler switches address space, trap stack and TLS with it.
Thread* running();
void set_running(Thread* thread);

} // namespace proc
