// The block-device table and the operations of a block special file. A PC has a handful of disks, so the
// table is small and searched linearly; the fs registry holds the same devices by number for the VFS.
#include "block/registry.hpp"

#include "fs/devices.hpp"
#include "fs/inode.hpp"
#include "fs/procfs/text.hpp"
#include "fs/open_file.hpp"
#include "lib/string.hpp"
#include "mm/io_buffer.hpp"
#include "mm/uaccess.hpp"
#include "proc/mutex.hpp"

namespace block {

namespace {

struct Entry {
    BlockDevice* device;
    DeviceNumber number;
};

constexpr usize kMaxBlockDevices = 32;
Entry g_entries[kMaxBlockDevices];
usize g_entry_count;

Entry* find_entry(DeviceNumber number)
{
    for (usize i = 0; i < g_entry_count; ++i)
        if (g_entries[i].number.major == number.major && g_entries[i].number.minor == number.minor)
            return &g_entries[i];
    return nullptr;
}

// A block special file: byte-addressed reads and writes over whole sectors, read-modify-write at the edges.
// Reads at or past the end give 0 bytes and writes there ENOSPC, as on Linux (blkdev_read_iter,
// blkdev_write_iter). No page cache yet: each call goes to the device (the storage issue adds the cache).
// Writers take one mutex across their read-modify-write, which sleeps: two writers into one sector would
// otherwise each write back the sector as it was before the other (Linux's page lock does this job).
proc::Mutex g_node_writes;

class BlockNode final : public fs::FileOperations {
public:
    Result<void> open(fs::OpenFile& file) override
    {
        if (!device_of(file))
            return Errno::NXIO;
        return {};
    }

    Result<usize> read(fs::OpenFile& file, u64 offset, mm::OutBuffer& to) override
    {
        BlockDevice* device = device_of(file);
        if (!device)
            return Errno::NXIO;
        return transfer(*device, offset, &to, nullptr);
    }

    Result<usize> write(fs::OpenFile& file, u64 offset, mm::InBuffer& from) override
    {
        BlockDevice* device = device_of(file);
        if (!device)
            return Errno::NXIO;
        if (device->read_only())
            return Errno::PERM; // Linux's blkdev_write_iter on a read-only disk
        if (from.remaining() && offset >= device->size_bytes())
            return Errno::NOSPC;
        proc::MutexGuard guard(g_node_writes);
        return transfer(*device, offset, nullptr, &from);
    }

    // The size and sector-size queries tools ask of a disk (linux/fs.h); anything else is ENOTTY.
    Result<i32> ioctl(fs::OpenFile& file, u32 request, uptr argument) override
    {
        BlockDevice* device = device_of(file);
        if (!device)
            return Errno::NXIO;
        switch (request) {
        case kBlkRoGet:
            TRY(mm::copy_to_user(mm::UserOut<i32>(argument), i32 { device->read_only() }));
            return 0;
        case kBlkGetSize: // sectors in an unsigned long: 32 bits here, EFBIG beyond (blkdev_common_ioctl)
            if (device->sector_count() > ~u32 { 0 })
                return Errno::FBIG;
            TRY(mm::copy_to_user(mm::UserOut<u32>(argument), static_cast<u32>(device->sector_count())));
            return 0;
        case kBlkSszGet:
            TRY(mm::copy_to_user(mm::UserOut<i32>(argument), static_cast<i32>(device->sector_size())));
            return 0;
        case kBlkGetSize64: // a u64 of bytes, although the number's size field says size_t
            TRY(mm::copy_to_user(mm::UserOut<u64>(argument), device->size_bytes()));
            return 0;
        default:
            return Errno::NOTTY;
        }
    }

private:
    // _IO(0x12, 94), _IO(0x12, 96), _IO(0x12, 104) and _IOR(0x12, 114, size_t) on i386.
    static constexpr u32 kBlkRoGet = 0x125e, kBlkGetSize = 0x1260, kBlkSszGet = 0x1268, kBlkGetSize64 = 0x80041272;

    static BlockDevice* device_of(fs::OpenFile& file)
    {
        u32 rdev = file.inode().attributes().rdev;
        return find_block_device(DeviceNumber { fs::dev_major(rdev), fs::dev_minor(rdev) });
    }

    // Moves bytes between the disk at `offset` and `to` (a read) or `from` (a write), a sector at a time through
    // one on the stack: the disk reads and writes whole sectors into kernel memory, and a transfer's buffer may
    // be user memory. A fault in the buffer ends the transfer short there (nothing of that sector is written).
    static Result<usize> transfer(BlockDevice& device, u64 offset, mm::OutBuffer* to, mm::InBuffer* from)
    {
        u64 size = device.size_bytes();
        usize count = to ? to->remaining() : from->remaining();
        if (offset >= size)
            return usize { 0 };
        if (count > size - offset)
            count = static_cast<usize>(size - offset);
        u8 sector[kSectorBytes];
        usize done = 0;
        while (done < count) {
            u64 at = offset + done;
            u64 number = at / kSectorBytes;
            usize within = static_cast<usize>(at % kSectorBytes);
            usize piece = kSectorBytes - within;
            if (piece > count - done)
                piece = count - done;
            // A partial sector is read first, also for a write, so the rest of it survives.
            Result<void> step;
            if (to || piece < kSectorBytes)
                step = read_sectors(device, number, 1, sector);
            usize moved = 0;
            if (!step.is_error() && from) {
                moved = from->take(sector + within, piece);
                if (moved < piece)
                    return done; // the caller makes nothing moved EFAULT
                step = write_sectors(device, number, 1, sector);
            } else if (!step.is_error()) {
                moved = to->put(sector + within, piece);
                if (moved < piece)
                    return done + moved;
            }
            if (step.is_error()) {
                if (done)
                    break; // a short transfer, as Linux reports what was done before the error
                return step.error();
            }
            done += piece;
        }
        return done;
    }
};

BlockNode g_block_node;

} // namespace

Result<void> register_block_device(BlockDevice& device, DeviceNumber number, const char* driver)
{
    if (number.major > 0xfff || number.minor > 0xfffff)
        return Errno::INVAL; // what dev_t holds, checked before anything else as fs::register_device does
    if (find_entry(number) || find_block_device(device.name()))
        return Errno::BUSY;
    if (g_entry_count == kMaxBlockDevices)
        return Errno::NOMEM;
    TRY(fs::register_device(
        { fs::DeviceKind::Block, number.major, number.minor, device.name(), 0660, driver }, g_block_node));
    g_entries[g_entry_count++] = { &device, number };
    return {};
}

void unregister_block_device(BlockDevice& device)
{
    for (usize i = 0; i < g_entry_count; ++i) {
        if (g_entries[i].device != &device)
            continue;
        fs::unregister_device(fs::DeviceKind::Block, g_entries[i].number.major, g_entries[i].number.minor);
        for (usize j = i + 1; j < g_entry_count; ++j)
            g_entries[j - 1] = g_entries[j];
        --g_entry_count;
        return;
    }
}

BlockDevice* find_block_device(DeviceNumber number)
{
    Entry* entry = find_entry(number);
    return entry ? entry->device : nullptr;
}

BlockDevice* find_block_device(const char* name)
{
    for (usize i = 0; i < g_entry_count; ++i)
        if (compare_strings(g_entries[i].device->name(), name) == 0)
            return g_entries[i].device;
    return nullptr;
}

void write_proc_partitions(fs::procfs::Text& out)
{
    out.add("major minor  #blocks  name\n\n");
    for (usize i = 0; i < g_entry_count; ++i)
        out.add("%4u  %7u %10llu %s\n", g_entries[i].number.major, g_entries[i].number.minor,
            static_cast<unsigned long long>(g_entries[i].device->sector_count() / 2), g_entries[i].device->name());
}

} // namespace block
