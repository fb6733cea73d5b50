// PollTable: one poll(2)/select(2) caller's entries on the wait queues of every file it watches (Linux's
// poll_table), so that it sleeps on them all at once through proc::wait_event.
#pragma once

#include "lib/intrusive_list.hpp"
#include "lib/ref_ptr.hpp"
#include "lib/result.hpp"
#include "proc/wait_queue.hpp"

namespace fs {

class OpenFile;

// Each file is held until the table goes, so that a descriptor closed meanwhile by another thread cannot free
// a queue under us; every entry leaves its queue when the table goes.
class PollTable {
public:
    PollTable() = default;
    PollTable(const PollTable&) = delete;
    PollTable& operator=(const PollTable&) = delete;
    ~PollTable();

    // Watches `file`'s poll queue, if the file has one (a file that never blocks has none). ENOMEM.
    Result<void> add(OpenFile& file);

    // For proc::wait_event: every entry a wake-up took off goes back on its queue, and whether a queue
    // announced something since.
    void prepare();
    bool woken();

private:
    struct Item {
        explicit Item(proc::WaitQueue& queue)
            : entry(queue)
        {
        }
        IntrusiveListNode table_node;
        RefPtr<OpenFile> file; // declared first, so that it goes after the entry has left the file's queue
        proc::WaitEntry entry;
    };

    IntrusiveList<Item, &Item::table_node> m_items;
};

} // namespace fs
