// The block layer's request path: checking a request against its device, the per-device FIFO that gives the
// driver one transfer at a time (a request and the queued ones that continue it), completion (from any
// context) and the synchronous wait over it.
#include "block/block_device.hpp"

#include "kernel/log.hpp"
#include "kernel/panic.hpp"

namespace block {

namespace {

const char* operation_name(Operation operation) { return operation == Operation::Read ? "read" : "write"; }

} // namespace

BlockDevice::~BlockDevice()
{
    if (m_active || !m_pending.is_empty())
        panic("block: %s destroyed with requests in flight", m_name);
}

Result<void> BlockDevice::submit(Request& request)
{
    if (request.m_count == 0 || !request.m_buffer)
        return Errno::INVAL;
    if (request.m_operation == Operation::Write && m_read_only)
        return Errno::ROFS;
    // Written so that no sum can wrap: sector + count may not fit in 64 bits.
    if (request.m_sector > m_sector_count || request.m_count > m_sector_count - request.m_sector) {
        log_warning("block: %s: attempt to access beyond end of device (%s, sector %llu, %u sectors, limit %llu)",
            m_name, operation_name(request.m_operation), static_cast<unsigned long long>(request.m_sector),
            request.m_count, static_cast<unsigned long long>(m_sector_count));
        return Errno::IO;
    }
    if (m_whole) {
        request.m_sector += m_start;
        return m_whole->submit(request);
    }
    {
        arch::SpinLockGuard guard(m_lock);
        if (request.m_in_flight)
            panic("block: %s: request %p submitted while in flight", m_name, static_cast<void*>(&request));
        request.m_in_flight = true;
        request.m_done = false;
        request.m_error = Errno {};
        request.m_next_merged = nullptr;
        m_pending.push_back(request);
    }
    dispatch();
    return {};
}

usize BlockDevice::queued() const
{
    arch::SpinLockGuard guard(m_lock);
    usize count = m_pending.size();
    for (const Request* request = m_active; request; request = request->m_next_merged)
        ++count;
    return count;
}

u64 BlockDevice::transfer_sectors(const Request& first)
{
    u64 sectors = 0;
    for (const Request* request = &first; request; request = request->m_next_merged)
        sectors += request->m_count;
    return sectors;
}

// Hands the oldest pending request to the driver if it has none, with the pending requests right behind it
// that continue it on the disk in the same direction, up to the largest transfer. Only the front of the queue
// merges, so requests still reach the disk in the order submitted (a later write never passes an earlier
// one to the same sector). start() runs outside the lock: a driver that finishes at once calls complete()
// from inside it.
void BlockDevice::dispatch()
{
    Request* first;
    {
        arch::SpinLockGuard guard(m_lock);
        if (m_active || m_pending.is_empty())
            return;
        first = m_pending.pop_front();
        u64 sectors = first->m_count;
        for (Request* last = first; Request* next = m_pending.front(); last = next) {
            if (next->m_operation != first->m_operation || next->m_sector != last->m_sector + last->m_count
                || sectors + next->m_count > m_max_transfer)
                break;
            m_pending.pop_front();
            last->m_next_merged = next;
            sectors += next->m_count;
        }
        m_active = first;
    }
    start(*first);
}

void BlockDevice::complete(Request& request, Errno error)
{
    {
        arch::SpinLockGuard guard(m_lock);
        if (&request != m_active)
            panic("block: %s: completion of request %p, which the driver was not given", m_name,
                static_cast<void*>(&request));
        m_active = nullptr;
    }
    if (error != Errno {}) {
        log_error("block: I/O error, dev %s, sector %llu, %llu sectors, %s", m_name,
            static_cast<unsigned long long>(request.m_sector),
            static_cast<unsigned long long>(transfer_sectors(request)), operation_name(request.m_operation));
        error = Errno::IO; // what a driver knows beyond "the device failed" is for its own log line
    }
    {
        // Done, the callbacks and the wake-up as one step for waiters that test is_done() with interrupts
        // off. Once done (and its callback run) a request may be its owner's to reuse: read it no more.
        arch::InterruptGuard off;
        for (Request* done = &request; done;) {
            Request* next = done->m_next_merged;
            Request::Callback callback = done->m_callback;
            void* context = done->m_context;
            done->m_next_merged = nullptr;
            done->m_error = error;
            done->m_in_flight = false;
            done->m_done = true;
            if (callback)
                callback(*done, context);
            done = next;
        }
        m_completions.wake_all();
    }
    dispatch();
}

Result<void> submit_and_wait(BlockDevice& device, Request& request)
{
    TRY(device.submit(request));
    return wait_for_request(device, request);
}

Result<void> wait_for_request(BlockDevice& device, Request& request)
{ // Uninterruptible: a signal must not leave a request whose buffer is on this stack in the driver's hands.
    BlockDevice& queue = device.m_whole ? *device.m_whole : device; // a partition's requests end on its disk's
    (void)queue.m_completions.wait_until(
        [&] { return request.is_done(); }, proc::kNoDeadline, proc::Interruptible::No);
    return request.result();
}

Result<void> read_sectors(BlockDevice& device, u64 sector, u32 count, void* buffer)
{
    Request request(Operation::Read, sector, count, buffer);
    return submit_and_wait(device, request);
}

Result<void> write_sectors(BlockDevice& device, u64 sector, u32 count, const void* buffer)
{
    // A write only reads the buffer; the request type carries one pointer for both directions.
    Request request(Operation::Write, sector, count, const_cast<void*>(buffer));
    return submit_and_wait(device, request);
}

} // namespace block
