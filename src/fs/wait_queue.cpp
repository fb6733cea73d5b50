// Wait queues and poll tables over the scheduler's block_until/wake: the kernel is not preemptible, so a
// condition checked just before blocking cannot change before the block. What an interrupt handler can change
// (a timer's signal, a deadline) is tested with interrupts off until the block (interrupt handlers that will
// wake queues, such as a future terminal's, need the same for their conditions).
#include "fs/wait_queue.hpp"

#include "fs/open_file.hpp"
#include "kernel/panic.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace fs {

proc::Process& current_thread() { return *proc::current(); }
bool current_has_signal() { return proc::has_deliverable_signal(*proc::current()); }
u64 current_tick() { return arch::timer_ticks(); }

WaitQueue::~WaitQueue()
{
    if (!m_entries.is_empty())
        panic("a wait queue went away with waiters on it");
}

void WaitQueue::wake_all()
{
    for (WaitEntry& entry : m_entries) {
        entry.woken = true;
        proc::wake(*entry.process);
    }
}

bool WaitQueue::wait_once(WaitEntry& entry, u64 deadline)
{
    // Interrupts off from the test to the sleep: a timer's signal cannot come between them unseen.
    arch::InterruptGuard guard;
    if (current_has_signal() || (deadline && current_tick() >= deadline))
        return false;
    if (!entry.woken)
        proc::block_until(deadline);
    entry.woken = false;
    return true;
}

PollTable::~PollTable()
{
    while (Item* item = m_items.pop_front()) {
        if (item->queue)
            item->queue->remove(item->entry);
        delete item;
    }
}

Result<void> PollTable::add(OpenFile& file)
{
    WaitQueue* queue = file.operations().poll_queue(file);
    if (!queue)
        return {};
    auto* item = new (std::nothrow) Item(m_waiter);
    if (!item)
        return Errno::NOMEM;
    item->file = RefPtr<OpenFile>(&file);
    item->queue = queue;
    queue->add(item->entry);
    m_items.push_back(*item);
    return {};
}

bool PollTable::woken()
{
    for (Item& item : m_items)
        if (item.entry.woken)
            return true;
    return false;
}

void PollTable::sleep(u64 deadline)
{
    if (!woken())
        proc::block_until(deadline);
    for (Item& item : m_items)
        item.entry.woken = false;
}

} // namespace fs
