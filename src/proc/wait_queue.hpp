// WaitQueue: the one way a task sleeps until something happens (a child's exit, data in a pipe, an unlocked
// range, a futex wake, SIGCONT), as Linux's wait_queue_head_t. A waiter tests its condition and goes to sleep
// with interrupts off, so no waker, an interrupt handler included, can come between the two; after every
// wake-up it tests the condition again before it looks at the deadline or at signals, so a call whose
// condition holds returns its result even with a signal pending.
#pragma once

#include "arch/arch.hpp"
#include "lib/intrusive_list.hpp"
#include "proc/timer.hpp"

namespace proc {

struct Thread;
class WaitQueue;

// What may end a sleep besides its condition (Linux's TASK_UNINTERRUPTIBLE, TASK_KILLABLE, TASK_INTERRUPTIBLE).
enum class Interruptible : u8 { No, Killable, Yes };

// How a wait ended. A deadline is tested before signals (Linux's futex_wait and do_sigtimedwait order).
enum class WaitOutcome : u8 { Ready, TimedOut, Interrupted };

// Deadlines are nanoseconds on the monotonic clock (arch::clock_ns; proc::deadline_after), kNoDeadline none.

// One task's place on one queue, on the waiter's kernel stack. A wake-up takes it off the queue (Linux's
// autoremove_wake_function), so that wake_one() moves on to the next exclusive waiter; the waiter puts it
// back before it sleeps again.
class WaitEntry {
public:
    // An entry of the running task, for `queue`; exclusive entries are woken one at a time by wake_one().
    explicit WaitEntry(WaitQueue& queue, bool exclusive = false);
    // An entry with no queue yet: prepare(queue) names it each time (a queue that may not outlive a wake-up).
    WaitEntry();
    WaitEntry(const WaitEntry&) = delete;
    WaitEntry& operator=(const WaitEntry&) = delete;
    // Leaves the queue: a task torn down asleep (the host unwinds its stack) must not stay linked.
    ~WaitEntry();

    Thread& task() const { return *m_task; }
    bool is_exclusive() const { return m_exclusive; }
    // A wake-up came since the entry was last queued.
    bool woken() const { return m_woken; }
    bool is_queued() const { return m_node.is_linked(); }

    // For wait_event(): back on its queue if a wake-up took it off (interrupts off).
    void prepare();
    // The same onto `queue`, which becomes the entry's queue (while it is queued, it stays where it is).
    void prepare(WaitQueue& queue);
    // Off its queue, if on it.
    void finish();

private:
    friend class WaitQueue;
    IntrusiveListNode m_node;
    Thread* m_task;
    WaitQueue* m_queue { nullptr };
    bool m_exclusive { false };
    bool m_woken { false };
};

class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;
    // A queue must be empty when it goes: its waiters' entries point at it.
    ~WaitQueue();

    // Unlocked, so that a wake-up with nobody waiting (most of them: every pipe write, every futex wake) costs
    // no interrupt toggle. Safe on one CPU: a sleeper queues itself and sleeps with interrupts off, so a waker
    // sees it queued or finds its condition true before it looks. SMP needs a full barrier here and in
    // wait_event() between queueing and testing the condition (Linux's wq_has_sleeper).
    bool has_waiters() const { return !m_entries.is_empty(); }
    usize waiter_count() const { return m_entries.size(); }
    // Empties the queue without touching its entries: for a boot-state reset, when the host machine whose
    // kernel stacks held them is gone (a discarded task's frames are never unwound).
    void forget_waiters() { m_entries.forget_all(); }

    // Every waiter wakes. Returns how many did. Safe from an interrupt handler, as are all wake calls.
    usize wake_all();
    // Every non-exclusive waiter and the oldest exclusive one (Linux's wake_up). Returns how many woke.
    usize wake_one();
    // Up to `count` waiters for which `match(entry)` holds, oldest first, exclusive or not (futex wakes by
    // address and bitset). Returns how many woke.
    template<typename Match> usize wake_matching(Match match, usize count);
    // Moves up to `count` waiters for which `match(entry)` holds to `target`, still asleep and oldest first
    // (FUTEX_REQUEUE); `match` may update what it matched for the new queue. Returns how many moved. Takes
    // both queues' locks, this one's first.
    template<typename Match> usize move_matching(WaitQueue& target, Match match, usize count);
    // Visits every queued entry, oldest first among each kind, with the queue locked: `visit` must not call
    // this queue's other members.
    template<typename Visit> void for_each(Visit visit);

    // Sleeps until `condition()` holds (Ready), the clock reaches `deadline` (TimedOut) or, as `mode`
    // allows, a signal can be delivered (Interrupted). The condition runs with interrupts off.
    template<typename Condition>
    WaitOutcome wait_until(Condition condition, u64 deadline = kNoDeadline, Interruptible mode = Interruptible::Yes);
    // The same as an exclusive waiter (Linux's prepare_to_wait_exclusive): wake_one() wakes only one of these.
    template<typename Condition>
    WaitOutcome wait_exclusive_until(
        Condition condition, u64 deadline = kNoDeadline, Interruptible mode = Interruptible::Yes);

private:
    friend class WaitEntry;
    void add(WaitEntry& entry);
    void wake_entry(WaitEntry& entry);
    // Runs `act(entry)` with the queue locked on the first `count` entries, oldest first, that `match`
    // accepts; returns how many.
    template<typename Match, typename Act> usize for_matching(Match match, usize count, Act act);

    arch::IrqSpinLock m_lock; // the entries: wakers run in interrupt handlers too
    IntrusiveList<WaitEntry, &WaitEntry::m_node> m_entries; // non-exclusive at the front, exclusive behind
};

// A sleeper on no queue at all: only a deadline, a signal or wake_task() ends its sleep (pause, nanosleep).
struct NoQueue {
    void prepare() { }
    bool woken() const { return false; }
};

namespace wait_detail {
// What wait_event() asks of the scheduler and of signals, kept out of this header so that it needs neither.
bool interrupted(Interruptible mode);
// Sleeps until a wake-up, `deadline` or, as `mode` allows, a signal; interrupts are off.
void sleep(u64 deadline, Interruptible mode);
} // namespace wait_detail

// The loop under every wait: `waiter` is a WaitEntry, a poll table (entries on several queues at once) or a
// NoQueue; prepare() puts it back on its queues and woken() tells whether a waker came since. From the test
// of the condition to the sleep interrupts stay off, so that a waker cannot slip in between unseen.
template<typename Waiter, typename Condition>
WaitOutcome wait_event(Waiter& waiter, Condition condition, u64 deadline, Interruptible mode)
{
    for (;;) {
        arch::InterruptGuard guard;
        if (condition())
            return WaitOutcome::Ready;
        if (deadline != kNoDeadline && arch::clock_ns() >= deadline)
            return WaitOutcome::TimedOut;
        if (wait_detail::interrupted(mode))
            return WaitOutcome::Interrupted;
        waiter.prepare();
        if (!waiter.woken())
            wait_detail::sleep(deadline, mode);
    }
}

// Sleeps on no queue until `condition()` holds, as wait_event.
template<typename Condition>
WaitOutcome sleep_until(Condition condition, u64 deadline, Interruptible mode = Interruptible::Yes)
{
    NoQueue none;
    return wait_event(none, condition, deadline, mode);
}

template<typename Condition> WaitOutcome WaitQueue::wait_until(Condition condition, u64 deadline, Interruptible mode)
{
    WaitEntry entry(*this);
    return wait_event(entry, condition, deadline, mode);
}

template<typename Condition>
WaitOutcome WaitQueue::wait_exclusive_until(Condition condition, u64 deadline, Interruptible mode)
{
    WaitEntry entry(*this, true);
    return wait_event(entry, condition, deadline, mode);
}

template<typename Match, typename Act> usize WaitQueue::for_matching(Match match, usize count, Act act)
{
    if (!has_waiters())
        return 0;
    arch::SpinLockGuard guard(m_lock);
    usize done = 0;
    for (WaitEntry& entry : m_entries) { // the iterator has the next entry already: `act` may unlink this one
        if (done >= count)
            break;
        if (!match(entry))
            continue;
        act(entry);
        ++done;
    }
    return done;
}

template<typename Match> usize WaitQueue::wake_matching(Match match, usize count)
{
    return for_matching(match, count, [this](WaitEntry& entry) { wake_entry(entry); });
}

template<typename Match> usize WaitQueue::move_matching(WaitQueue& target, Match match, usize count)
{
    return for_matching(match, count, [&](WaitEntry& entry) {
        if (&target == this) // within one queue (two futexes in one bucket): only what `match` changed
            return;
        m_entries.remove(entry);
        entry.m_queue = &target;
        target.add(entry);
    });
}

template<typename Visit> void WaitQueue::for_each(Visit visit)
{
    arch::SpinLockGuard guard(m_lock);
    for (WaitEntry& entry : m_entries)
        visit(entry);
}

} // namespace proc
