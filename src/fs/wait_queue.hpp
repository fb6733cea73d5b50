// WaitQueue: the threads waiting for something a file will announce (data in a pipe, room for a write, a
// partner opening a FIFO), and PollTable, one poll(2)/select(2) caller's entries on the queues of every file it
// watches (Linux's wait_queue_head_t and poll_table). A waker marks each entry woken and wakes its thread; the
// thread rechecks its condition, so any wake-up may be early or shared (no exclusive wake-ups yet).
#pragma once

#include "lib/intrusive_list.hpp"
#include "lib/ref_ptr.hpp"
#include "lib/result.hpp"

namespace proc {
struct Process;
}

namespace fs {

class OpenFile;

// What waiting asks of the scheduler, kept out of this header so that fs does not include proc's.
proc::Process& current_thread();
// Whether the current thread should give up waiting: a signal it can take.
bool current_has_signal();
// The timer tick count now, for deadlines.
u64 current_tick();

// One thread's place on one queue. Lives on the waiter's kernel stack (or in its PollTable) and must be
// removed before it goes.
struct WaitEntry {
    explicit WaitEntry(proc::Process& waiter)
        : process(&waiter)
    {
    }
    IntrusiveListNode node;
    proc::Process* process;
    bool woken { false };
};

class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;
    // A queue must be empty when it goes: its waiters hold entries in it.
    ~WaitQueue();

    void add(WaitEntry& entry) { m_entries.push_back(entry); }
    void remove(WaitEntry& entry) { m_entries.remove(entry); }
    bool is_empty() const { return m_entries.is_empty(); }
    // Marks every entry woken and wakes its thread, which stays queued until it removes itself.
    void wake_all();

    // Blocks the current thread until `ready()` holds, a signal can be delivered, or the tick count reaches
    // `deadline` (0: none). Returns true when ready; false for a signal or the deadline (the caller tells which).
    template<typename Ready> bool wait_until(Ready ready, u64 deadline = 0);

private:
    // Sleeps until a wake-up, unless a signal can be delivered or the deadline has passed: then false, at once.
    bool wait_once(WaitEntry& entry, u64 deadline);

    IntrusiveList<WaitEntry, &WaitEntry::node> m_entries;
};

// The entries of one poll/select call: registered on the queues of the files it watches (each file is held
// until the table goes, so a descriptor closed meanwhile by another thread cannot free a queue under us), and
// all removed together when it goes.
class PollTable {
public:
    explicit PollTable(proc::Process& waiter)
        : m_waiter(waiter)
    {
    }
    PollTable(const PollTable&) = delete;
    PollTable& operator=(const PollTable&) = delete;
    ~PollTable();

    // Puts the waiter on `file`'s poll queue, if the file has one (a file that never blocks has none). ENOMEM.
    Result<void> add(OpenFile& file);
    // Whether a queue announced something since the last sleep.
    bool woken();
    // Sleeps until a queue announces something, a signal arrives or the tick count reaches `deadline` (0: none).
    void sleep(u64 deadline);

private:
    struct Item {
        explicit Item(proc::Process& waiter)
            : entry(waiter)
        {
        }
        IntrusiveListNode table_node;
        WaitEntry entry;
        RefPtr<OpenFile> file;
        WaitQueue* queue { nullptr };
    };

    proc::Process& m_waiter;
    IntrusiveList<Item, &Item::table_node> m_items;
};

template<typename Ready> bool WaitQueue::wait_until(Ready ready, u64 deadline)
{
    if (ready())
        return true;
    WaitEntry entry(current_thread());
    add(entry);
    bool result = false;
    // The condition first, after every wake-up too: a signal or the deadline ends only a wait that must go on.
    for (;;) {
        if (ready()) {
            result = true;
            break;
        }
        if (!wait_once(entry, deadline))
            break;
    }
    remove(entry);
    return result;
}

} // namespace fs
