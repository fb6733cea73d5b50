// Self-test of the block layer on the booted machine: the 32-bit kernel's request checks, queue, merging and
// completion over a disk in kernel memory whose "interrupt" the test plays by completing by hand, so nothing
// sleeps (self-tests run before any task).
#include "kernel/selftest.hpp"
#include "block/block_device.hpp"
#include "lib/string.hpp"

namespace {

constexpr u32 kSectors = 16;

// Keeps the transfer it was given until finish(), as a disk waits for its interrupt.
class HeldDisk final : public block::BlockDevice {
public:
    HeldDisk()
        : BlockDevice("selftest0", kSectors, false)
    {
    }
    // A test that fails midway leaves requests held: end them, as the base insists.
    ~HeldDisk()
    {
        while (finish()) { }
    }

    u8 data[kSectors * block::kSectorBytes] {};
    block::Request* held { nullptr };
    u32 transfers { 0 };
    bool fail_next { false };

    // Ends the held transfer: moves every merged request's data, then completes it.
    bool finish()
    {
        block::Request* first = held;
        if (!first)
            return false;
        held = nullptr;
        bool fail = fail_next;
        fail_next = false;
        for (block::Request* part = first; part && !fail; part = part->next_merged()) {
            u8* disk = data + part->sector() * block::kSectorBytes;
            if (part->operation() == block::Operation::Read)
                copy_bytes(part->buffer(), disk, part->bytes());
            else
                copy_bytes(disk, part->buffer(), part->bytes());
        }
        complete(*first, fail ? Errno::IO : Errno {});
        return true;
    }

private:
    void start(block::Request& request) override
    {
        held = &request;
        ++transfers;
    }
};

} // namespace

KERNEL_SELFTEST(block_requests)
{
    HeldDisk disk;
    u8 a[1024], b[512], c[512], d[512];
    fill_bytes(a, 0xA1, sizeof(a));
    fill_bytes(b, 0xB2, sizeof(b));
    block::Request write_a(block::Operation::Write, 4, 2, a), write_b(block::Operation::Write, 6, 1, b),
        read_c(block::Operation::Read, 5, 1, c), read_d(block::Operation::Read, 6, 1, d);
    block::Request beyond(block::Operation::Read, kSectors - 1, 2, c);
    if (disk.submit(beyond).error() != Errno::IO)
        return t.fail("a request across the end was not EIO");
    if (disk.submit(write_a).is_error() || disk.submit(write_b).is_error() || disk.submit(read_c).is_error()
        || disk.submit(read_d).is_error())
        return t.fail("a request in range was refused");
    if (disk.transfers != 1 || disk.queued() != 4)
        return t.fail("the disk did not get the first request alone with three queued");
    disk.finish(); // a alone, then b (it continues a, but a was already the disk's), then c and d merged
    if (!write_a.is_done() || write_a.result().is_error() || disk.transfers != 2)
        return t.fail("completing the first request did not start the next");
    disk.finish();
    if (disk.transfers != 3 || disk.queued() != 2)
        return t.fail("the two adjacent reads were not merged into one transfer");
    disk.fail_next = true;
    disk.finish();
    if (read_c.result().error() != Errno::IO || read_d.result().error() != Errno::IO)
        return t.fail("a device error did not reach both merged requests as EIO");
    if (disk.submit(read_c).is_error() || disk.submit(read_d).is_error())
        return t.fail("a done request could not be submitted again");
    disk.finish(); // c went to the disk alone, d behind it
    disk.finish();
    if (read_c.result().is_error() || c[0] != 0xA1 || c[511] != 0xA1 || d[0] != 0xB2 || disk.queued() != 0)
        return t.fail("reads did not return what was written");
    return t.pass("checked, queued, merged and completed requests; EIO for the end and a device error");
}
