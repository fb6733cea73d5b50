// Signals: default actions from man 7 signal, delivery and restart rules as Linux's kernel/signal.c and
// arch/x86/kernel/signal.c apply them. The frame a handler sees is the arch's (arch::push_signal_frame).
#include "proc/signal.hpp"

#include "kernel/log.hpp"
#include "lib/string.hpp"
#include "proc/scheduler.hpp"

namespace proc {

namespace {

enum class Default { Terminate, Core, Ignore, Stop, Continue };

Default default_action(int signal)
{
    switch (signal) {
    case kSigChld: case kSigUrg: case kSigWinch:
        return Default::Ignore;
    case kSigCont:
        return Default::Continue;
    case kSigStop: case kSigTstp: case kSigTtin: case kSigTtou:
        return Default::Stop;
    case kSigQuit: case kSigIll: case kSigTrap: case kSigAbrt: case kSigBus: case kSigFpe: case kSigSegv:
    case kSigXcpu: case kSigXfsz: case kSigSys:
        return Default::Core;
    default:
        return Default::Terminate; // the rest, real-time signals included
    }
}

constexpr u64 kUnblockable = signal_bit(kSigKill) | signal_bit(kSigStop);
constexpr u64 kStopSignals = signal_bit(kSigStop) | signal_bit(kSigTstp) | signal_bit(kSigTtin) | signal_bit(kSigTtou);
constexpr i32 kErestartSys = -512, kErestartNoIntr = -513, kErestartNoHand = -514;

int lowest_signal(u64 set) { return __builtin_ctzll(set) + 1; }

// With SS_AUTODISARM a handler may leave the stack by longjmp at any time: Linux never counts as "on it".
bool on_alt_stack(const Thread& thread, uptr sp)
{
    return !(thread.alt_stack_flags & kSsAutoDisarm) && thread.alt_stack_size
        && sp - thread.alt_stack_base < thread.alt_stack_size;
}

bool is_fault_signal(int signal)
{
    return signal == kSigSegv || signal == kSigBus || signal == kSigIll || signal == kSigFpe || signal == kSigTrap;
}

// siginfo_t as Linux lays it out on i386: signo, errno, code, then the union from byte 12.
void fill_siginfo(u8 (&out)[128], int signal, const SignalInfo& info)
{
    fill_bytes(out, 0, sizeof(out));
    i32 head[3] = { signal, 0, info.code };
    copy_bytes(out, head, sizeof(head));
    if (is_fault_signal(signal) && info.code > 0) {
        copy_bytes(out + 12, &info.address, sizeof(info.address));
    } else {
        copy_bytes(out + 12, &info.pid, sizeof(info.pid));
        copy_bytes(out + 16, &info.uid, sizeof(info.uid));
        copy_bytes(out + 20, &info.status, sizeof(info.status));
    }
}

bool is_ignored(const Process& process, int signal)
{
    u32 handler = process.signal_actions[signal].handler;
    return handler == kSigIgnore || (handler == kSigDefault && ignored_by_default(signal));
}

// SIGCHLD (or the child's exit signal) for a child's stop, continue or exit, and a wake-up for a parent
// blocked in wait4. True when the parent lets the kernel reap an exited child (SIG_IGN or SA_NOCLDWAIT).
bool notify_parent(Process& child, i32 code, i32 status, int signal)
{
    Process* parent = child.parent;
    if (!parent)
        return false;
    const SignalAction& action = parent->signal_actions[kSigChld];
    bool quiet = (code == kCldStopped || code == kCldContinued) && (action.flags & kSaNoCldStop);
    if (!quiet && signal)
        send_signal(*parent, signal, { code, child.pid(), child.leader->credentials.uid, status, 0 });
    parent->child_exit_waiters.wake_all();
    return signal == kSigChld && (action.handler == kSigIgnore || (action.flags & kSaNoCldWait));
}

bool is_unkillable(const Process& group) { return group.pid() == 1; }

bool kill_pending(const Thread& thread) { return thread.signal_pending & signal_bit(kSigKill); }

// Job control stops the whole process: the thread that took the signal stops it, every other one stops on
// its own way back to user mode (deliver_signals), until SIGCONT or SIGKILL.
void stop(Thread& self, int signal)
{
    Process& group = self.process();
    group.stopped = true;
    group.stop_signal = signal;
    group.stop_to_report = true;
    group.continue_to_report = false;
    notify_parent(group, kCldStopped, signal, kSigChld);
}

// A stopped thread sleeps through every signal but SIGKILL; SIGCONT clears the stop and wakes it.
void wait_while_stopped(Thread& self)
{
    Process& group = self.process();
    if (!group.stopped || kill_pending(self))
        return; // every return to user mode passes here: skip the wait entry and its interrupt toggles
    (void)group.stop_waiters.wait_until(
        [&] { return !group.stopped || kill_pending(self); }, kNoDeadline, Interruptible::Killable);
}

// Queues `signal` for one thread (`thread`) or for the whole process (`thread` null), with the stop and
// continue side effects, and wakes a thread that can take it.
void queue_signal(Process& group, Thread* thread, int signal, const SignalInfo& info)
{
    if (group.is_dead() || (group.group_exiting && signal != kSigKill))
        return;
    u64 bit = signal_bit(signal);
    if (signal == kSigKill || signal == kSigCont) {
        group.shared_pending &= ~kStopSignals;
        for (Thread& each : group.threads)
            each.signal_pending &= ~kStopSignals;
        if (group.stopped) {
            group.stopped = false;
            if (signal == kSigCont) {
                group.continue_to_report = true;
                group.stop_to_report = false;
                notify_parent(group, kCldContinued, kSigCont, kSigChld);
            }
            group.stop_waiters.wake_all();
        }
    }
    if (bit & kStopSignals) {
        group.shared_pending &= ~signal_bit(kSigCont);
        for (Thread& each : group.threads)
            each.signal_pending &= ~signal_bit(kSigCont);
    }
    // An ignored signal is dropped at once, unless blocked: it might be unignored before it is unblocked.
    Thread& receiver = thread ? *thread : *group.leader; // a process-wide signal: its leader's mask decides
    if (signal != kSigKill && is_ignored(group, signal) && !(receiver.signal_blocked & bit))
        return;
    // init gets only the signals it has a handler for, never SIGKILL or SIGSTOP (Linux's SIGNAL_UNKILLABLE);
    // a blocked one waits, since a handler may be installed before it is unblocked. Its own faults still end
    // it: they do not come this way (signal_fault).
    bool handled = group.signal_actions[signal].handler != kSigDefault;
    if (is_unkillable(group) && ((bit & kUnblockable) || (!handled && !(receiver.signal_blocked & bit))))
        return;
    if (thread) {
        thread->signal_pending |= bit;
        thread->signal_info[signal] = info;
    } else {
        group.shared_pending |= bit;
        group.shared_info[signal] = info;
    }
    // Interrupt an interruptible wait (wait4, nanosleep, pause, futex...) of a thread that takes the signal;
    // for the process, the first that does not block it. A stopped thread waits for SIGCONT.
    auto takes = [&](const Thread& each) {
        return (bit & ~each.signal_blocked) || (bit & kUnblockable) || (bit & each.signal_waiting);
    };
    auto interrupt = [&](Thread& each) { signal_wake(each, signal == kSigKill); };
    if (thread) {
        if (takes(*thread))
            interrupt(*thread);
        return;
    }
    for (Thread& each : group.threads) {
        if (!takes(each))
            continue;
        interrupt(each);
        if (signal != kSigKill)
            break;
    }
}

u64 pending_for(const Thread& thread) { return thread.signal_pending | thread.process().shared_pending; }

// Takes `signal` off the thread's pending set, or else the process's, with the information it was sent with.
SignalInfo dequeue(Thread& thread, int signal)
{
    u64 bit = signal_bit(signal);
    if (thread.signal_pending & bit) {
        thread.signal_pending &= ~bit;
        return thread.signal_info[signal];
    }
    Process& group = thread.process();
    group.shared_pending &= ~bit;
    return group.shared_info[signal];
}

} // namespace

bool ignored_by_default(int signal)
{
    Default action = default_action(signal);
    return action == Default::Ignore || action == Default::Continue;
}

bool has_deliverable_signal(const Thread& process)
{
    return pending_for(process) & (~process.signal_blocked | kUnblockable);
}

u64 pending_signals(const Thread& thread) { return pending_for(thread); }

bool fatal_signal_pending(const Thread& thread) { return pending_for(thread) & signal_bit(kSigKill); }

void send_signal(Process& target, int signal, const SignalInfo& info)
{
    queue_signal(target, nullptr, signal, info);
}

void send_thread_signal(Thread& thread, int signal, const SignalInfo& info)
{
    if (thread.state == Thread::State::Zombie)
        return;
    queue_signal(thread.process(), &thread, signal, info);
}

void discard_pending(Thread& thread, int signal)
{
    u64 bit = signal_bit(signal);
    Process& group = thread.process();
    group.shared_pending &= ~bit;
    for (Thread& each : group.threads)
        each.signal_pending &= ~bit;
}

void deliver_signals(Thread& process, arch::UserFrame& frame)
{
    Process& group = process.process();
    bool from_syscall = process.syscall_number >= 0;
    i32 result = from_syscall ? arch::frame_result(frame) : 0;
    bool restart_pending = from_syscall && (result == kErestartSys || result == kErestartNoIntr || result == kErestartNoHand);
    for (;;) {
        wait_while_stopped(process);
        u64 deliverable = pending_for(process) & (~process.signal_blocked | kUnblockable);
        if (!deliverable)
            break;
        int signal = lowest_signal(deliverable);
        SignalInfo info = dequeue(process, signal);
        if (signal == kSigKill && group.exec_thread && group.exec_thread != &process)
            exit_thread(0); // another thread is replacing the program: this one just ends
        if (signal == kSigKill && group.group_exiting)
            exit_thread(group.group_exit_status); // another thread ended the process
        SignalAction action = group.signal_actions[signal];
        if (action.handler == kSigDefault && is_unkillable(group))
            continue; // pending while blocked, and still without a handler now that it is unblocked
        if (signal == kSigKill || action.handler == kSigDefault) {
            switch (default_action(signal)) {
            case Default::Ignore:
            case Default::Continue:
                continue;
            case Default::Stop:
                stop(process, signal);
                continue;
            case Default::Terminate:
            case Default::Core:
                exit_process(static_cast<u32>(signal)); // no core dumps: RLIMIT_CORE is 0
            }
        }
        if (action.handler == kSigIgnore)
            continue;

        // A handler runs: an interrupted call becomes EINTR, or restarts after it (SA_RESTART).
        if (restart_pending) {
            if (result == kErestartNoIntr || (result == kErestartSys && (action.flags & kSaRestart)))
                arch::restart_syscall(frame, static_cast<u32>(process.syscall_number));
            else
                arch::set_frame_result(frame, -static_cast<i32>(Errno::INTR));
            restart_pending = false;
        }
        u8 siginfo[128];
        fill_siginfo(siginfo, signal, info);
        u64 saved = process.has_saved_signal_mask ? process.saved_signal_mask : process.signal_blocked;
        process.has_saved_signal_mask = false;
        // SA_ONSTACK runs the handler on the alternate stack, unless already there (nested signals). The
        // frame's uc_stack records the settings, which rt_sigreturn puts back (SS_AUTODISARM clears them meanwhile).
        uptr sp = arch::frame_stack_pointer(frame);
        bool use_alt = process.alt_stack_size && (action.flags & kSaOnStack) && !on_alt_stack(process, sp);
        arch::SignalFrameRequest request { signal, action.handler,
            (action.flags & kSaRestorer) ? action.restorer : 0, saved,
            (action.flags & kSaSigInfo) ? siginfo : nullptr,
            use_alt ? process.alt_stack_base + process.alt_stack_size : 0,
            static_cast<u32>(process.alt_stack_base), static_cast<u32>(process.alt_stack_size),
            process.alt_stack_flags };
        if (arch::push_signal_frame(frame, request).is_error()) {
            log_notice("%s[%d]: no room for a signal frame on its stack; killed by SIGSEGV", process.name, process.tid);
            exit_process(static_cast<u32>(kSigSegv));
        }
        if (process.alt_stack_flags & kSsAutoDisarm) {
            process.alt_stack_base = 0;
            process.alt_stack_size = 0;
            process.alt_stack_flags = kSsDisable;
        }
        process.signal_blocked |= action.mask | ((action.flags & kSaNoDefer) ? 0 : signal_bit(signal));
        process.signal_blocked &= ~kUnblockable;
        if (action.flags & kSaResetHand)
            group.signal_actions[signal].handler = kSigDefault;
        break; // one handler frame per return to user mode; the next return takes the next signal
    }
    // Interrupted, but no handler ran (the signal was ignored or stopped us): the call runs again.
    if (restart_pending)
        arch::restart_syscall(frame, static_cast<u32>(process.syscall_number));
    if (process.has_saved_signal_mask) {
        process.signal_blocked = process.saved_signal_mask;
        process.has_saved_signal_mask = false;
    }
    process.syscall_number = -1;
}

void signal_fault(Thread& process, int signal, i32 code, uptr address)
{
    const SignalAction& action = process.process().signal_actions[signal];
    bool handled = action.handler != kSigDefault && action.handler != kSigIgnore;
    if (handled && !(process.signal_blocked & signal_bit(signal))) {
        send_thread_signal(process, signal, { code, 0, 0, 0, static_cast<u32>(address) });
        return; // the handler runs on the way back; the instruction faults again if it returns unchanged
    }
    // Blocked or ignored: Linux unblocks and resets it, and the default action ends the process.
    exit_process(static_cast<u32>(signal));
}

int take_signal(Thread& process, u64 set, SignalInfo& info)
{
    u64 ready = pending_for(process) & set;
    if (!ready)
        return 0;
    int signal = lowest_signal(ready);
    info = dequeue(process, signal);
    return signal;
}

void siginfo_bytes(u8 (&out)[128], int signal, const SignalInfo& info) { fill_siginfo(out, signal, info); }

AltStack alt_stack(const Thread& thread, uptr sp)
{
    u32 mode = !thread.alt_stack_size ? kSsDisable : on_alt_stack(thread, sp) ? kSsOnStack : 0;
    return { static_cast<u32>(thread.alt_stack_base), mode | (thread.alt_stack_flags & kSsAutoDisarm),
        static_cast<u32>(thread.alt_stack_size) };
}

Result<void> set_alt_stack(Thread& thread, const AltStack& wanted, uptr sp)
{
    constexpr u32 kMinSigStackSize = 2048; // MINSIGSTKSZ on x86
    if (on_alt_stack(thread, sp))
        return Errno::PERM;
    u32 mode = wanted.flags & ~kSsAutoDisarm;
    if (mode != 0 && mode != kSsDisable && mode != kSsOnStack)
        return Errno::INVAL;
    if (mode == kSsDisable) {
        thread.alt_stack_base = 0;
        thread.alt_stack_size = 0;
    } else {
        if (wanted.size < kMinSigStackSize)
            return Errno::NOMEM;
        thread.alt_stack_base = wanted.base;
        thread.alt_stack_size = wanted.size;
    }
    thread.alt_stack_flags = wanted.flags;
    return {};
}

bool notify_parent_of_exit(Process& child)
{
    bool killed = child.wait_status & 0x7F;
    return notify_parent(child, killed ? kCldKilled : kCldExited,
        killed ? static_cast<i32>(child.wait_status & 0x7F) : static_cast<i32>(child.wait_status >> 8),
        child.exit_signal);
}

} // namespace proc
