// BlockDevice: a disk as the portable kernel sees it, a run of 512-byte sectors read and written by
// asynchronous requests (Linux's struct block_device and request queue, much reduced). A request names a run
// of sectors and a kernel buffer; the block layer checks it, queues it behind the device's other requests and
// hands the driver one at a time, merged with the queued requests that continue it on the disk (Linux's back
// merge), so that sequential I/O becomes one transfer; the driver signals its end with complete(), from a task
// or an interrupt handler. read_sectors and write_sectors submit one request and sleep until it is done, for task
// context.
#pragma once

#include "arch/interrupts.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/result.hpp"
#include "proc/wait_queue.hpp"

namespace block {

// The logical sector size every device has: Linux's fixed 512-byte unit for sector numbers (SECTOR_SIZE).
inline constexpr u32 kSectorBytes = 512;

enum class Operation : u8 { Read, Write };

// One transfer. The submitter owns it and must keep it, and its buffer, alive until it is done; the block
// layer links it into the device's queue meanwhile.
class Request {
public:
    // Called once, at completion, with interrupts off and possibly from an interrupt handler: it may wake a
    // queue, never sleep. The request is the caller's again when it runs.
    using Callback = void (*)(Request& request, void* context);

    Request(Operation operation, u64 sector, u32 count, void* buffer)
        : m_operation(operation)
        , m_sector(sector)
        , m_count(count)
        , m_buffer(static_cast<u8*>(buffer))
    {
    }
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    Operation operation() const { return m_operation; }
    u64 sector() const { return m_sector; }
    u32 count() const { return m_count; }
    u8* buffer() const { return m_buffer; }
    usize bytes() const { return static_cast<usize>(m_count) * kSectorBytes; }

    void set_callback(Callback callback, void* context)
    {
        m_callback = callback;
        m_context = context;
    }

    // The next request merged behind this one into one transfer (its sectors follow on), or nullptr. The
    // driver moves each one's data to or from its own buffer.
    Request* next_merged() const { return m_next_merged; }

    bool is_done() const { return m_done; }
    // The outcome once done: nothing, or the error (EIO for a device error).
    Result<void> result() const
    {
        if (m_error != Errno {})
            return m_error;
        return {};
    }

private:
    friend class BlockDevice;
    Operation m_operation;
    u64 m_sector;
    u32 m_count;
    u8* m_buffer;
    Callback m_callback { nullptr };
    void* m_context { nullptr };
    IntrusiveListNode m_node;
    Request* m_next_merged { nullptr };
    Errno m_error {};
    bool m_done { false };
    bool m_in_flight { false }; // submitted and not yet done: queued, merged or in the driver's hands
};

class BlockDevice {
public:
    BlockDevice(const BlockDevice&) = delete;
    BlockDevice& operator=(const BlockDevice&) = delete;

    const char* name() const { return m_name; }
    u32 sector_size() const { return kSectorBytes; }
    u64 sector_count() const { return m_sector_count; }
    u64 size_bytes() const { return m_sector_count * kSectorBytes; }
    bool read_only() const { return m_read_only; }

    // Checks and queues `request`; an error here means it was never queued and its callback never runs.
    // EINVAL for no sectors or no buffer, EROFS for a write to a read-only device. A run past the end of the
    // device is EIO and one log line, as Linux's bio_check_eod fails a bio with BLK_STS_IOERR. Callable from
    // an interrupt handler.
    [[nodiscard]] Result<void> submit(Request& request);

    // Requests queued or in the driver's hands, for tests and statistics.
    usize queued() const;
    bool busy() const { return m_active != nullptr; }

    // A partition's whole disk, whose queue takes its requests start_sector() further on; nullptr for a disk.
    BlockDevice* whole() const { return m_whole; }
    u64 start_sector() const { return m_start; }

protected:
    BlockDevice(const char* name, u64 sector_count, bool read_only)
        : m_name(name)
        , m_sector_count(sector_count)
        , m_read_only(read_only)
    {
    }
    // A partition of `whole` (Linux's bdev_add_partition): its requests are checked against its own size and
    // remapped onto the whole disk's queue; it never starts a transfer itself.
    BlockDevice(const char* name, BlockDevice& whole, u64 start, u64 sector_count)
        : m_name(name)
        , m_sector_count(sector_count)
        , m_read_only(whole.read_only())
        , m_whole(&whole)
        , m_start(start)
    {
    }
    // Requests must have drained: they point at nothing of ours, but their submitters wait for an end.
    ~BlockDevice();

    void set_sector_count(u64 count) { m_sector_count = count; }

    // The most sectors merging makes one transfer carry; 256 by default, an LBA28 command's. A single request
    // larger than that still comes whole: the driver does it in pieces.
    void set_max_transfer(u32 sectors) { m_max_transfer = sectors; }

    // The driver's half: start the transfer `request` and those merged behind it describe (next_merged(),
    // sectors request.sector() onwards, transfer_sectors() of them, all in range and one direction) and call
    // complete() when it ends, now or later, from any context. One transfer is in the driver's hands at a
    // time; start() runs with no block-layer lock held, possibly from the completion of the one before.
    virtual void start(Request& request) = 0;
    // Sectors in the transfer that `first` begins.
    static u64 transfer_sectors(const Request& first);
    // Ends the transfer the driver was given (`request` as start() had it, with every request merged behind
    // it): `error` is Errno {} for success, anything else a device error, which every request of it gets as
    // EIO, with one log line for the transfer. Wakes the submitters and gives the driver the next transfer.
    // Safe from an interrupt handler; must not be called twice for one transfer.
    void complete(Request& request, Errno error);

private:
    void dispatch();

    const char* m_name;
    u64 m_sector_count;
    bool m_read_only;
    BlockDevice* m_whole { nullptr };
    u64 m_start { 0 };
    u32 m_max_transfer { 256 };
    // The queue and the request in the driver's hands: completion runs in interrupt handlers.
    mutable arch::IrqSpinLock m_lock;
    IntrusiveList<Request, &Request::m_node> m_pending;
    Request* m_active { nullptr };
    // Woken at every completion; synchronous submitters wait here for their own request to be done.
    proc::WaitQueue m_completions;

    friend Result<void> wait_for_request(BlockDevice& device, Request& request);
};

// Submits one request and sleeps, uninterruptibly as Linux's waits for disk I/O do (TASK_UNINTERRUPTIBLE),
// until it is done; returns its outcome. Task context only. `buffer` holds count * kSectorBytes bytes.
Result<void> read_sectors(BlockDevice& device, u64 sector, u32 count, void* buffer);
Result<void> write_sectors(BlockDevice& device, u64 sector, u32 count, const void* buffer);
// Sleeps (uninterruptibly) until `request`, submitted to `device`, is done; returns its outcome. With
// submit(), for a caller that has several requests in flight at once.
Result<void> wait_for_request(BlockDevice& device, Request& request);
// submit() then wait_for_request().
Result<void> submit_and_wait(BlockDevice& device, Request& request);

} // namespace block
