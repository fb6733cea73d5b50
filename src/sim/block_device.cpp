// The simulated disks' request path: scripted faults are decided when a request starts, the data moves when
// its latency has passed (as a DMA transfer lands at its end), and the end is reported from the timer's
// callback, from the interrupt handler, or at once from inside start.
#include "sim/block_device.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/interrupts.hpp"
#include "sim/sim.hpp"

namespace sim {

SimBlockDevice::~SimBlockDevice()
{
    m_timer.cancel();
    if (m_irq != kNoIrq)
        arch::unregister_irq(m_irq);
}

void SimBlockDevice::fail_request(u64 n) { m_fail_at = n ? m_started + n : 0; }

void SimBlockDevice::fail_sector(u64 sector) { m_bad_sectors.push_back(sector); }

void SimBlockDevice::clear_faults()
{
    m_fail_at = 0;
    m_bad_sectors.clear();
}

Result<void> SimBlockDevice::complete_through_irq(u32 line)
{
    TRY(arch::register_irq(line, on_irq, this));
    m_irq = line;
    return {};
}

void SimBlockDevice::start(block::Request& request)
{
    m_current = &request;
    ++m_started;
    bool bad = m_started == m_fail_at;
    u64 sectors = transfer_sectors(request);
    for (u64 sector : m_bad_sectors)
        bad |= sector >= request.sector() && sector - request.sector() < sectors;
    m_outcome = bad ? Errno::IO : Errno {};
    if (m_latency_ns) {
        m_timer.set_callback(on_latency, this);
        m_timer.arm(proc::deadline_after(m_latency_ns));
        return;
    }
    finish();
}

void SimBlockDevice::finish()
{
    // A failed request moves no data: a read's buffer keeps what it held.
    for (block::Request* part = m_current; part && m_outcome == Errno {}; part = part->next_merged())
        if (!transfer(*part))
            m_outcome = Errno::IO;
    if (m_irq != kNoIrq) {
        sim::raise_irq(m_irq); // the handler runs now, or when interrupts and the line allow it
        return;
    }
    end();
}

void SimBlockDevice::end()
{
    block::Request* request = m_current;
    m_current = nullptr; // complete() may start the next request, which sets it again
    complete(*request, m_outcome);
}

void SimBlockDevice::on_latency(proc::Timer&, void* context) { static_cast<SimBlockDevice*>(context)->finish(); }

void SimBlockDevice::on_irq(u32, void* context)
{
    auto& device = *static_cast<SimBlockDevice*>(context);
    ++device.m_interrupts;
    if (device.m_current) // a stray interrupt with nothing in flight is ignored, as a driver would
        device.end();
}

RamBlockDevice::RamBlockDevice(const char* name, u64 sectors, bool read_only)
    : SimBlockDevice(name, sectors, read_only)
    , m_data(sectors * block::kSectorBytes, 0)
{
}

bool RamBlockDevice::transfer(block::Request& request)
{
    u8* disk = m_data.data() + request.sector() * block::kSectorBytes;
    if (request.operation() == block::Operation::Read)
        std::memcpy(request.buffer(), disk, request.bytes());
    else
        std::memcpy(disk, request.buffer(), request.bytes());
    return true;
}

std::unique_ptr<FileBlockDevice> FileBlockDevice::open(const char* name, const char* path, bool read_only)
{
    int fd = ::open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        return nullptr;
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return nullptr;
    }
    u64 sectors = static_cast<u64>(st.st_size) / block::kSectorBytes;
    return std::unique_ptr<FileBlockDevice>(new FileBlockDevice(name, fd, sectors, read_only));
}

FileBlockDevice::FileBlockDevice(const char* name, int fd, u64 sectors, bool read_only)
    : SimBlockDevice(name, sectors, read_only)
    , m_fd(fd)
{
}

FileBlockDevice::~FileBlockDevice() { ::close(m_fd); }

bool FileBlockDevice::transfer(block::Request& request)
{
    off_t at = static_cast<off_t>(request.sector() * block::kSectorBytes);
    usize done = 0;
    while (done < request.bytes()) {
        ssize_t n = request.operation() == block::Operation::Read
            ? ::pread(m_fd, request.buffer() + done, request.bytes() - done, at + static_cast<off_t>(done))
            : ::pwrite(m_fd, request.buffer() + done, request.bytes() - done, at + static_cast<off_t>(done));
        if (n <= 0)
            return false; // a host error, or the file shrank under the device: a device error to the caller
        done += static_cast<usize>(n);
    }
    return true;
}

} // namespace sim
