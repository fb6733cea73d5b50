// POSIX signals: sending, masking, and delivery on the way back to user mode, with Linux's default actions
// (terminate, ignore, stop, continue) and its restart rules for interrupted system calls.
#pragma once

#include "proc/process.hpp"

namespace proc {

// sa_flags bits (asm/signal.h).
inline constexpr u32 kSaNoCldStop = 0x1, kSaNoCldWait = 0x2, kSaSigInfo = 0x4, kSaRestorer = 0x04000000,
                     kSaOnStack = 0x08000000, kSaRestart = 0x10000000, kSaNoDefer = 0x40000000,
                     kSaResetHand = 0x80000000;
// si_code values.
inline constexpr i32 kSiUser = 0, kSiTkill = -6, kSegvMapErr = 1, kSegvAccErr = 2, kCldExited = 1, kCldKilled = 2,
                     kCldStopped = 5, kCldContinued = 6;

// Sends `signal` to the process `target` (kill): any of its threads that does not block it takes
// it. Standard signals do not queue: a second one while pending is merged. Wakes a thread blocked in an
// interruptible call; SIGSTOP and SIGCONT stop and continue the whole process.
void send_signal(Process& target, int signal, const SignalInfo& info);
// Sends `signal` to one thread (tkill, tgkill, faults).
void send_thread_signal(Thread& thread, int signal, const SignalInfo& info);
// A signal the thread can take now (pending for it or its process, and not blocked).
bool has_deliverable_signal(const Thread& thread);
// SIGKILL is pending for the thread or its process: a killable sleep ends.
bool fatal_signal_pending(const Thread& thread);
// Pending for the thread or its process (rt_sigpending reports those it blocks).
u64 pending_signals(const Thread& thread);
// Drops `signal` wherever it is pending in the process (a disposition set to ignore it).
void discard_pending(Thread& thread, int signal);
// Runs default actions and sets up a handler frame for the next deliverable signal, and turns a system call's
// restart request into EINTR or a restart; stops while the process is stopped. Called on every return to
// user mode.
void deliver_signals(Thread& thread, arch::UserFrame& frame);
// A fault in user code: delivered to a handler if one is installed and the signal is not blocked, else the
// process is killed (Linux's force_sig).
void signal_fault(Thread& thread, int signal, i32 code, uptr address);
// The default disposition of `signal` is to ignore it (SIGCHLD, SIGURG, SIGWINCH, SIGCONT).
bool ignored_by_default(int signal);
// Takes the lowest pending signal in `set` off the pending set (rt_sigtimedwait); 0 when none is.
int take_signal(Thread& thread, u64 set, SignalInfo& info);
// sigaltstack (man 2 sigaltstack), for a thread whose user stack pointer is `sp`: what it reports, and
// setting it (EPERM while running on it, EINVAL for unknown flags, ENOMEM below MINSIGSTKSZ).
inline constexpr u32 kSsOnStack = 1, kSsDisable = 2, kSsAutoDisarm = 0x80000000;
struct AltStack {
    u32 base, flags, size;
};
AltStack alt_stack(const Thread& thread, uptr sp);
Result<void> set_alt_stack(Thread& thread, const AltStack& wanted, uptr sp);
// siginfo_t's bytes for `signal` as a handler or rt_sigtimedwait sees them.
void siginfo_bytes(u8 (&out)[128], int signal, const SignalInfo& info);
// The exit signal (SIGCHLD) and a wake-up for the parent of a process that has just ended. True when the
// parent leaves it to be reaped at once (SIGCHLD ignored, or SA_NOCLDWAIT).
bool notify_parent_of_exit(Process& child);

} // namespace proc
