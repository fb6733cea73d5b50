// The signal system calls (man 2 rt_sigaction, rt_sigprocmask, rt_sigpending, kill, tgkill, rt_sigreturn,
// pause, rt_sigsuspend), with i386's 8-byte signal sets.
#include "proc/scheduler.hpp"
#include "proc/wait_queue.hpp"
#include "proc/signal.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kSigsetBytes = 8;
constexpr u64 kUnblockable = proc::signal_bit(proc::kSigKill) | proc::signal_bit(proc::kSigStop);
constexpr i32 kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;

proc::Thread& self() { return *proc::current(); }

bool valid_signal(i32 signal) { return signal >= 1 && signal <= proc::kSignalCount; }

// Whether the caller may signal `target` (man 2 kill: root, or a real or effective uid matching the target's
// real or saved uid).
bool may_signal(const proc::Thread& target)
{
    const auto& me = self().credentials;
    const auto& them = target.credentials;
    return me.is_root() || me.uid == them.uid || me.uid == them.suid || me.euid == them.uid || me.euid == them.suid;
}

// Sleeps on no queue until a signal can be delivered (not at all if one already can); the caller's handler
// then runs and the call returns EINTR.
Result<i32> wait_for_signal()
{
    (void)proc::sleep_until([] { return false; }, proc::kNoDeadline);
    return Errno::RESTARTNOHAND;
}

// sigsuspend: the handler runs with the temporary mask; the caller's comes back when it returns (via the frame).
Result<i32> suspend_with(u64 mask)
{
    self().saved_signal_mask = self().signal_blocked;
    self().has_saved_signal_mask = true;
    self().signal_blocked = mask & ~kUnblockable;
    return wait_for_signal();
}

} // namespace

namespace {

// What every sigaction call does once the user's structure is read: EINVAL for SIGKILL and SIGSTOP, the
// previous action out, and pending signals the new disposition ignores discarded (POSIX).
Result<proc::SignalAction> change_action(i32 signal, const proc::SignalAction* wanted)
{
    if (!valid_signal(signal))
        return Errno::INVAL;
    if (wanted && (signal == proc::kSigKill || signal == proc::kSigStop))
        return Errno::INVAL;
    proc::SignalAction& current = self().process().signal_actions[signal];
    proc::SignalAction old = current;
    if (wanted) {
        current = *wanted;
        current.mask &= ~kUnblockable;
        bool ignored = current.handler == proc::kSigIgnore
            || (current.handler == proc::kSigDefault && proc::ignored_by_default(signal));
        if (ignored)
            proc::discard_pending(self(), signal);
    }
    return old;
}

// The blocked mask after sigprocmask's `how` applies `set`; EINVAL for an unknown `how`.
Result<u64> masked(i32 how, u64 blocked, u64 set)
{
    switch (how) {
    case kSigBlock: return (blocked | set) & ~kUnblockable;
    case kSigUnblock: return blocked & ~set;
    case kSigSetmask: return set & ~kUnblockable;
    default: return Errno::INVAL;
    }
}

} // namespace

Result<i32> sys_rt_sigaction(i32 signal, mm::UserIn<proc::SignalAction> action_address,
    mm::UserOut<proc::SignalAction> old_address, u32 set_size)
{
    if (set_size != kSigsetBytes || !valid_signal(signal))
        return Errno::INVAL;
    proc::SignalAction wanted {};
    if (!action_address.is_null())
        TRY(mm::copy_from_user(wanted, action_address));
    proc::SignalAction old = TRY(change_action(signal, !action_address.is_null() ? &wanted : nullptr));
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, old));
    return 0;
}

// The pre-rt calls, with 32-bit masks (signals 1 to 32) and struct old_sigaction.
Result<i32> sys_sigaction(i32 signal, mm::UserIn<OldSigaction> action_address, mm::UserOut<OldSigaction> old_address)
{
    OldSigaction wanted {};
    if (!action_address.is_null())
        TRY(mm::copy_from_user(wanted, action_address));
    proc::SignalAction action { wanted.handler, wanted.flags, wanted.restorer, wanted.mask };
    proc::SignalAction old = TRY(change_action(signal, !action_address.is_null() ? &action : nullptr));
    if (!old_address.is_null()) {
        OldSigaction out { old.handler, static_cast<u32>(old.mask), old.flags, old.restorer };
        TRY(mm::copy_to_user(old_address, out));
    }
    return 0;
}

Result<u32> sys_signal(i32 signal, u32 handler)
{
    // signal(2) as the kernel gives it: System V semantics, reset to default and not blocked while handled.
    proc::SignalAction action { handler, proc::kSaResetHand | proc::kSaNoDefer, 0, 0 };
    return TRY(change_action(signal, &action)).handler;
}

Result<i32> sys_sigprocmask(i32 how, mm::UserIn<u32> set_address, mm::UserOut<u32> old_address)
{
    u64& blocked = self().signal_blocked;
    u32 old = static_cast<u32>(blocked);
    if (!set_address.is_null()) {
        u32 set;
        TRY(mm::copy_from_user(set, set_address));
        u64 wanted = how == kSigSetmask ? (blocked & ~u64 { 0xFFFFFFFF }) | set : set;
        blocked = TRY(masked(how, blocked, wanted));
    }
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, old));
    return 0;
}

Result<i32> sys_sigpending(mm::UserOut<u32> set_address)
{
    u32 pending = static_cast<u32>(proc::pending_signals(self()) & self().signal_blocked);
    TRY(mm::copy_to_user(set_address, pending));
    return 0;
}

Result<u32> sys_sgetmask() { return static_cast<u32>(self().signal_blocked); }

Result<u32> sys_ssetmask(u32 mask)
{
    u32 old = static_cast<u32>(self().signal_blocked);
    self().signal_blocked = mask & ~kUnblockable;
    return old;
}

Result<i32> sys_sigsuspend(u32, u32, u32 mask) { return suspend_with(mask); }

Result<i32> sys_rt_sigprocmask(i32 how, mm::UserIn<u64> set_address, mm::UserOut<u64> old_address, u32 set_size)
{
    if (set_size != kSigsetBytes)
        return Errno::INVAL;
    u64& blocked = self().signal_blocked;
    u64 old = blocked;
    if (!set_address.is_null()) {
        u64 set;
        TRY(mm::copy_from_user(set, set_address));
        blocked = TRY(masked(how, blocked, set));
    }
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, old));
    return 0;
}

Result<i32> sys_rt_sigpending(mm::UserOut<u8> set_address, u32 set_size)
{
    if (set_size > kSigsetBytes)
        return Errno::INVAL;
    u64 pending = proc::pending_signals(self()) & self().signal_blocked;
    TRY(mm::copy_array_to_user(set_address, reinterpret_cast<const u8*>(&pending), set_size));
    return 0;
}

Result<i32> sys_kill(i32 pid, i32 signal)
{
    if (signal < 0 || signal > proc::kSignalCount)
        return Errno::INVAL;
    proc::SignalInfo info { proc::kSiUser, self().tgid(), self().credentials.uid, 0, 0 };
    if (pid > 0) {
        proc::Thread* target = proc::find_thread(pid); // a thread's id names its process
        if (!target)
            return Errno::SRCH; // a zombie can still be signalled, to no effect
        if (!may_signal(*target))
            return Errno::PERM;
        // A thread that has exited (until it is freed) takes it to no effect, as a zombie does.
        if (proc::Process* process = proc::find_thread_group(pid); signal && process)
            proc::send_signal(*process, signal, info);
        return 0;
    }
    // A group (0: ours, < -1: -pid) or, for -1, every process but init and the caller.
    i32 group = pid == 0 ? self().process().pgid : -pid;
    bool found = false, permitted = false;
    proc::for_each_process([&](proc::Process& target) {
        if (target.is_dead())
            return;
        bool chosen = pid == -1 ? (target.pid() != 1 && &target != &self().process()) : target.pgid == group;
        if (!chosen)
            return;
        found = true;
        if (!may_signal(*target.leader))
            return;
        permitted = true;
        if (signal)
            proc::send_signal(target, signal, info);
    });
    if (!found)
        return Errno::SRCH;
    return permitted ? Result<i32>(0) : Result<i32>(Errno::PERM);
}

namespace {

// tgkill, and tkill (`group` 0: any process's thread).
Result<i32> signal_thread(i32 group, i32 thread, i32 signal)
{
    if (group < 0 || thread <= 0 || signal < 0 || signal > proc::kSignalCount)
        return Errno::INVAL;
    proc::Thread* target = proc::find_thread(thread);
    if (!target || (group && target->tgid() != group) || target->state == proc::Thread::State::Zombie)
        return Errno::SRCH;
    if (!may_signal(*target))
        return Errno::PERM;
    if (signal)
        proc::send_thread_signal(*target, signal, { proc::kSiTkill, self().tgid(), self().credentials.uid, 0, 0 });
    return 0;
}

} // namespace

Result<i32> sys_tgkill(i32 group, i32 thread, i32 signal)
{
    if (group <= 0)
        return Errno::INVAL;
    return signal_thread(group, thread, signal);
}

Result<i32> sys_tkill(i32 thread, i32 signal) { return signal_thread(0, thread, signal); }

namespace {

Result<u32> signal_return(bool rt)
{
    arch::UserFrame* frame = arch::current_user_frame();
    auto popped = arch::pop_signal_frame(*frame, rt);
    if (popped.is_error()) {
        // A frame that cannot be read back: Linux kills with SIGSEGV.
        proc::exit_process(static_cast<u32>(proc::kSigSegv));
    }
    const arch::PoppedSignalFrame& saved = popped.value();
    self().signal_blocked = saved.mask & ~kUnblockable;
    // rt_sigreturn makes the frame's uc_stack the alternate stack again (restore_altstack: errors ignored).
    if (saved.has_alt_stack) {
        (void)proc::set_alt_stack(self(), { saved.alt_stack_base, saved.alt_stack_flags, saved.alt_stack_size },
            arch::frame_stack_pointer(*frame));
    }
    self().syscall_number = -1; // the restored eax is the interrupted code's, not a call to restart
    return static_cast<u32>(arch::frame_result(*frame));
}

} // namespace

Result<u32> sys_rt_sigreturn() { return signal_return(true); }
Result<u32> sys_sigreturn() { return signal_return(false); }

Result<i32> sys_pause() { return wait_for_signal(); }

namespace {

// rt_sigtimedwait in both time widths: takes a signal of `set` without running its handler, waiting up to
// `timeout` (nullptr: for ever). EAGAIN on timeout, EINTR when another signal is to be handled. As Linux's
// do_sigtimedwait: a signal of the set beats any other, and a wait with no time to run (zero) is EAGAIN even with
// another signal pending.
template<typename Timespec>
Result<i32> timed_wait(
    mm::UserIn<u64> set_address, mm::UserOut<u8> info_address, mm::UserIn<Timespec> timeout_address, u32 set_size)
{
    if (set_size != kSigsetBytes)
        return Errno::INVAL;
    u64 set;
    TRY(mm::copy_from_user(set, set_address));
    set &= ~kUnblockable;
    i64 timeout_ns = timeout_address.is_null() ? -1 : TRY(copy_timespec_from_user(timeout_address));
    u64 deadline = timeout_ns < 0 ? proc::kNoDeadline : proc::deadline_after(static_cast<u64>(timeout_ns));
    proc::Thread& me = self();
    proc::SignalInfo info;
    int signal = 0;
    // A signal of the set wakes the sleeper even though it blocks it (queue_signal looks at signal_waiting).
    me.signal_waiting = set;
    auto outcome = proc::sleep_until([&] { return (signal = proc::take_signal(me, set, info)) != 0; }, deadline);
    me.signal_waiting = 0;
    if (outcome == proc::WaitOutcome::TimedOut)
        return Errno::AGAIN;
    if (outcome == proc::WaitOutcome::Interrupted)
        return Errno::INTR;
    if (!info_address.is_null()) {
        u8 bytes[128];
        proc::siginfo_bytes(bytes, signal, info);
        TRY(mm::copy_array_to_user(info_address, bytes, sizeof(bytes)));
    }
    return signal;
}

} // namespace

Result<i32> sys_rt_sigtimedwait(mm::UserIn<u64> set, mm::UserOut<u8> info, mm::UserIn<Timespec32> timeout, u32 set_size)
{
    return timed_wait(set, info, timeout, set_size);
}

Result<i32> sys_rt_sigtimedwait64(
    mm::UserIn<u64> set, mm::UserOut<u8> info, mm::UserIn<Timespec64> timeout, u32 set_size)
{
    return timed_wait(set, info, timeout, set_size);
}

Result<i32> sys_rt_sigqueueinfo(i32 pid, i32 signal, mm::UserIn<u8> info_address)
{
    if (!valid_signal(signal) && signal != 0)
        return Errno::INVAL;
    i32 info[32];
    TRY(mm::copy_array_from_user(info, info_address.as<i32>(), 32));
    proc::Process* target = pid > 0 ? proc::find_thread_group(pid) : nullptr;
    if (!target || target->is_dead())
        return Errno::SRCH;
    // Only the kernel may claim a non-negative si_code, or SI_TKILL, towards another process.
    if ((info[2] >= 0 || info[2] == proc::kSiTkill) && target != &self().process())
        return Errno::PERM;
    if (!may_signal(*proc::find_thread(pid)))
        return Errno::PERM;
    if (signal)
        proc::send_signal(*target, signal, { info[2], info[3], static_cast<u32>(info[4]), info[5], 0 });
    return 0;
}

Result<i32> sys_sigaltstack(mm::UserIn<StackT> new_address, mm::UserOut<StackT> old_address)
{
    uptr sp = arch::frame_stack_pointer(*arch::current_user_frame());
    proc::AltStack current = proc::alt_stack(self(), sp);
    StackT old { current.base, static_cast<i32>(current.flags), current.size };
    if (!new_address.is_null()) {
        StackT wanted;
        TRY(mm::copy_from_user(wanted, new_address));
        TRY(proc::set_alt_stack(self(), { wanted.base, static_cast<u32>(wanted.flags), wanted.size }, sp));
    }
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, old));
    return 0;
}

Result<i32> sys_rt_sigsuspend(mm::UserIn<u64> set_address, u32 set_size)
{
    if (set_size != kSigsetBytes)
        return Errno::INVAL;
    u64 set;
    TRY(mm::copy_from_user(set, set_address));
    return suspend_with(set);
}

} // namespace sys
