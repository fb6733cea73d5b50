// The block devices the kernel knows, by name and by Linux's device number (Documentation/admin-guide/
// devices.txt): RAM disks ram0... on major 1, the first IDE channel's disks hda and hdb on major 3 (minors 0
// and 64), the second's hdc and hdd on major 22. Registering one also registers it in the one device registry
// (fs/devices.hpp), so devtmpfs makes its block special file and /proc/devices lists its driver. The /dev
// node reads and writes the device through a bounce sector, as Linux's buffered block-device file does.
#pragma once

#include "block/block_device.hpp"

namespace fs::procfs {
class Text;
}

namespace block {

struct DeviceNumber {
    u32 major, minor;
};

inline constexpr u32 kRamDiskMajor = 1, kIde0Major = 3, kIde1Major = 22;
// The whole-disk minors of an IDE channel's master and slave; their partitions follow, 63 at most.
inline constexpr u32 kIdeMinorsPerDisk = 64;

// hda, hdb, hdc, hdd for disks 0..3 (channel = index / 2, slave = index % 2).
inline constexpr DeviceNumber ide_disk_number(u32 index)
{
    return { index < 2 ? kIde0Major : kIde1Major, (index % 2) * kIdeMinorsPerDisk };
}
// ram0, ram1...
inline constexpr DeviceNumber ram_disk_number(u32 index) { return { kRamDiskMajor, index }; }

// Registers `device` under `number`, with a node /dev/<its name> (0660, as Linux's disk nodes) and `driver` as
// its /proc/devices line ("ide0", "ramdisk"). EBUSY when the number or the name is taken, ENOMEM when the
// table is full, EINVAL for a number dev_t cannot hold. The device must outlive its registration.
Result<void> register_block_device(BlockDevice& device, DeviceNumber number, const char* driver);
// Forgets it (a device that is not registered is left alone); its /dev node, if made, stays and opens ENXIO.
void unregister_block_device(BlockDevice& device);

BlockDevice* find_block_device(DeviceNumber number);
BlockDevice* find_block_device(const char* name);

// /proc/partitions as Linux writes it (fs::procfs::provide_file): a header, then "major minor #blocks name" for
// each disk and partition in the order they were registered (sizes in 1 KiB blocks).
void write_proc_partitions(fs::procfs::Text& out);

} // namespace block
