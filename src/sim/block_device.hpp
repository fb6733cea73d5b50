// Simulated disks for host tests: block devices of the portable block layer backed by host memory or by a
// host file, with faults and timing a test scripts. A request can complete at once, after a latency (a
// proc::Timer, which fires when the simulated clock passes it, as when every task sleeps and the CPU idles),
// and through an interrupt line the device registered with arch::register_irq, as a disk controller would.
#pragma once

#include <memory>
#include <vector>

#include "block/block_device.hpp"
#include "proc/timer.hpp"

namespace sim {

class SimBlockDevice : public block::BlockDevice {
public:
    virtual ~SimBlockDevice();

    // The `n`th transfer the device starts from now on (1: the next; requests merged into one transfer count
    // once) fails with a device error; 0 clears it.
    void fail_request(u64 n);
    // Every request whose run includes `sector` fails with a device error, until clear_faults().
    void fail_sector(u64 sector);
    void clear_faults();
    // Requests end `ns` nanoseconds after the device starts them (0: at once, inside start).
    void set_latency_ns(u64 ns) { m_latency_ns = ns; }
    // Requests end in the handler of interrupt `line`, raised when the transfer is done; EBUSY or EINVAL
    // as arch::register_irq gives them.
    Result<void> complete_through_irq(u32 line);
    // The most sectors one transfer carries, so tests can see merging stop.
    using BlockDevice::set_max_transfer;

    // What the device has seen, for tests: transfers started (merged requests are one) and interrupts.
    u64 requests_started() const { return m_started; }
    u64 interrupts_taken() const { return m_interrupts; }

protected:
    SimBlockDevice(const char* name, u64 sectors, bool read_only)
        : BlockDevice(name, sectors, read_only)
    {
    }
    // Moves the request's data between its buffer and the backing store; false for a host failure.
    virtual bool transfer(block::Request& request) = 0;

private:
    void start(block::Request& request) override;
    // The transfer is over (now, or when the latency passed): move the data, then end it or raise the line.
    void finish();
    void end();
    static void on_latency(proc::Timer& timer, void* context);
    static void on_irq(u32 line, void* context);

    block::Request* m_current { nullptr };
    Errno m_outcome {};
    proc::Timer m_timer;
    u64 m_latency_ns { 0 };
    u64 m_started { 0 };
    u64 m_interrupts { 0 };
    u64 m_fail_at { 0 }; // the value of m_started whose request fails; 0 none
    std::vector<u64> m_bad_sectors;
    static constexpr u32 kNoIrq = ~u32 { 0 };
    u32 m_irq { kNoIrq };
};

// A disk in host memory, zero-filled at first; contents() is its bytes, for tests to fill and check.
class RamBlockDevice final : public SimBlockDevice {
public:
    RamBlockDevice(const char* name, u64 sectors, bool read_only = false);
    std::vector<u8>& contents() { return m_data; }

private:
    bool transfer(block::Request& request) override;
    std::vector<u8> m_data;
};

// A disk whose sectors are a host file's (its size rounded down to whole sectors), read and written in place.
class FileBlockDevice final : public SimBlockDevice {
public:
    // nullptr when the file cannot be opened (read-only devices open it read-only).
    static std::unique_ptr<FileBlockDevice> open(const char* name, const char* path, bool read_only = false);
    ~FileBlockDevice() override;

private:
    FileBlockDevice(const char* name, int fd, u64 sectors, bool read_only);
    bool transfer(block::Request& request) override;
    int m_fd;
};

} // namespace sim
