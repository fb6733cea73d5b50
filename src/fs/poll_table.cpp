// Poll tables: entries made as a poll scans its files, queued on each file's poll queue before it sleeps.
#include "fs/poll_table.hpp"

#include "fs/open_file.hpp"
#include "lib/own_ptr.hpp"

namespace fs {

PollTable::~PollTable()
{
    while (Item* item = m_items.pop_front())
        OwnPtr<Item> owner(item); // the entry leaves its queue, then the file goes
}

Result<void> PollTable::add(OpenFile& file)
{
    proc::WaitQueue* queue = file.operations().poll_queue(file);
    if (!queue)
        return {};
    auto item = TRY(make_own<Item>(*queue));
    item->file = RefPtr<OpenFile>(&file);
    m_items.push_back(*item.leak());
    return {};
}

void PollTable::prepare()
{
    for (Item& item : m_items)
        item.entry.prepare();
}

bool PollTable::woken()
{
    for (Item& item : m_items)
        if (item.entry.woken())
            return true;
    return false;
}

} // namespace fs
