// Partition tables: MBR (primary, extended and logical partitions, Linux's numbering: primaries 1-4, logicals
// from 5) and GPT (UEFI 2.x chapter 5: the header and entry array CRC32-checked, the backup header at the end of
// the disk used when the primary is damaged, the protective MBR recognised). Portable: the disk is read
// through a SectorReader, so the host tests parse images made by sfdisk and sgdisk and the fuzzer parses
// anything. A malformed table is one log line and no partitions, never a crash.
#pragma once

#include "block/registry.hpp"
#include "lib/result.hpp"
#include "lib/types.hpp"

namespace block {

class SectorReader {
public:
    virtual u64 sector_count() const = 0;
    // `count` 512-byte sectors from `sector` (within sector_count()); EIO.
    virtual Result<void> read(u64 sector, u32 count, void* buffer) = 0;

protected:
    ~SectorReader() = default;
};

struct Guid {
    u8 bytes[16]; // as stored on disk (the first three fields little-endian)
    bool is_zero() const;
    bool operator==(const Guid& other) const;
};

struct Partition {
    u32 number;       // 1-4 primary, 5... logical (MBR); the entry's index + 1 (GPT)
    u64 first_sector; // 512-byte sectors from the start of the disk
    u64 sector_count;
    u8 mbr_type;      // the MBR system id (0x83 Linux, 0x05/0x0F/0x85 extended), 0 for GPT
    bool bootable;    // MBR status 0x80
    bool extended;    // the MBR extended partition itself (Linux shows it as a 1 KiB device)
    Guid type;        // GPT type GUID, zero for MBR
    Guid unique;      // GPT partition GUID (root=PARTUUID=), zero for MBR
};

enum class TableKind : u8 { None, Mbr, Gpt };

struct PartitionTable {
    static constexpr u32 kMaxPartitions = 128; // a standard GPT entry array; MBR logicals stop there too
    TableKind kind { TableKind::None };
    u32 count { 0 };
    Partition partitions[kMaxPartitions];
    u32 mbr_signature { 0 }; // the disk signature at offset 440 (Linux's MBR PARTUUID is "%08x-%02x")
    Guid disk_guid {};
    bool from_backup { false }; // GPT: the primary header or its entries were damaged
};

// Reads the disk's partition table into `table`. No table, or a damaged one, is success with kind None (one
// log line naming what is wrong, prefixed by `name`); partitions reaching past the end of the disk are cut to
// it and ones starting past it skipped, as Linux does. EIO only when the disk cannot be read at all.
Result<void> read_partitions(SectorReader& disk, PartitionTable& table, const char* name = "disk");

// Reads the partition table of `disk`, registered as `number`, and registers each partition as a block device
// of its own with Linux's names and numbers (hda1 at minor 1 of hda's 0; IDE disks have minors for 63), its
// requests going to the disk's queue. Logs the partitions found as Linux does ("hda: hda1 hda2 < hda5 >").
// Returns how many were registered; EIO when the disk cannot be read.
Result<u32> add_partitions(BlockDevice& disk, DeviceNumber number, const char* driver);
// Unregisters and frees the partitions add_partitions made of `disk` (before it goes, or to read them again).
void remove_partitions(BlockDevice& disk);

// CRC-32 (IEEE 802.3, reflected, as GPT and zlib use it) of `length` bytes, continuing from `crc` (0 to start).
u32 crc32(const void* data, usize length, u32 crc = 0);

} // namespace block
