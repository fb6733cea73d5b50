// Wait queues over the scheduler's sleep_current/wake_task. Every change to a queue's list happens under its
// IrqSpinLock, since an interrupt handler may wake a queue while a task is adding itself to it.
#include "proc/wait_queue.hpp"

#include "kernel/panic.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace proc {

WaitEntry::WaitEntry(WaitQueue& queue, bool exclusive)
    : m_task(current())
    , m_queue(&queue)
    , m_exclusive(exclusive)
{
    if (!m_task)
        panic("a wait outside a task");
}

WaitEntry::WaitEntry()
    : m_task(current())
{
    if (!m_task)
        panic("a wait outside a task");
}

WaitEntry::~WaitEntry() { finish(); }

void WaitEntry::prepare()
{
    if (!m_queue)
        panic("a wait entry with no queue");
    prepare(*m_queue);
}

void WaitEntry::prepare(WaitQueue& queue)
{
    if (is_queued())
        return;
    m_queue = &queue;
    m_woken = false;
    queue.add(*this);
}

void WaitEntry::finish()
{
    // An entry off its queue may outlive it (a wake-up, then the queue's owner went): look before locking.
    // Only this task puts the entry back, so an unlocked "not queued" stays true; "queued" is checked again
    // under the lock, since a waker may take it off in between.
    if (!is_queued())
        return;
    arch::SpinLockGuard guard(m_queue->m_lock);
    if (is_queued())
        m_queue->m_entries.remove(*this);
}

WaitQueue::~WaitQueue()
{
    if (has_waiters())
        panic("a wait queue went away with waiters on it");
}

void WaitQueue::add(WaitEntry& entry)
{
    arch::SpinLockGuard guard(m_lock);
    // Exclusive waiters queue behind the others, so that a wake_one() reaches every non-exclusive one first.
    if (entry.m_exclusive)
        m_entries.push_back(entry);
    else
        m_entries.push_front(entry);
}

void WaitQueue::wake_entry(WaitEntry& entry)
{
    m_entries.remove(entry);
    entry.m_woken = true;
    wake_task(*entry.m_task);
}

usize WaitQueue::wake_all()
{
    if (!has_waiters())
        return 0; // see has_waiters()
    arch::SpinLockGuard guard(m_lock);
    usize woken = 0;
    for (WaitEntry& entry : m_entries) {
        wake_entry(entry);
        ++woken;
    }
    return woken;
}

usize WaitQueue::wake_one()
{
    if (!has_waiters())
        return 0; // see has_waiters()
    arch::SpinLockGuard guard(m_lock);
    usize woken = 0;
    for (WaitEntry& entry : m_entries) {
        bool exclusive = entry.m_exclusive;
        wake_entry(entry);
        ++woken;
        if (exclusive)
            break;
    }
    return woken;
}

namespace wait_detail {

bool interrupted(Interruptible mode)
{
    Thread& self = *current();
    switch (mode) {
    case Interruptible::No:
        return false;
    case Interruptible::Killable:
        return fatal_signal_pending(self);
    case Interruptible::Yes:
        return has_deliverable_signal(self);
    }
    return false;
}

void sleep(u64 deadline, Interruptible mode) { sleep_current(deadline, mode); }

} // namespace wait_detail

} // namespace proc
