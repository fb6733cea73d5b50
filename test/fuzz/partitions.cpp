// libFuzzer target for the MBR and GPT parsers (block/partitions.hpp). An input is a sparse disk: its size in
// sectors (8 bytes, little-endian), how many sectors of data lie at its start (2 bytes), then those sectors'
// bytes, then the bytes of the sectors that end the disk (where GPT keeps its backup); every other sector
// reads as zeros. Traps when a read leaves the disk, the parser reads without bound, or a partition it
// returns is empty, outside the disk, numbered twice or numbered as its table's kind does not allow.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "block/partitions.hpp"

namespace {

constexpr size_t kSector = 512;

void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

struct SparseDisk final : block::SectorReader {
    u64 sectors;
    const u8* head;
    size_t head_bytes;
    const u8* tail;
    size_t tail_bytes;
    u64 reads = 0;

    u64 sector_count() const override { return sectors; }
    Result<void> read(u64 sector, u32 count, void* buffer) override
    {
        require(count > 0 && sector < sectors && count <= sectors - sector);
        reads += count;
        require(reads <= 8 + 2 * 1024 + 4 * 128); // headers, two entry arrays, four boot-record chains
        u8* out = static_cast<u8*>(buffer);
        memset(out, 0, count * kSector);
        u64 tail_sectors = (tail_bytes + kSector - 1) / kSector;
        for (u32 i = 0; i < count; ++i) {
            u64 at = sector + i;
            if (at * kSector < head_bytes) {
                size_t length = head_bytes - at * kSector < kSector ? head_bytes - at * kSector : kSector;
                memcpy(out + i * kSector, head + at * kSector, length);
            } else if (tail_sectors && at >= sectors - tail_sectors) {
                u64 offset = (at - (sectors - tail_sectors)) * kSector;
                if (offset < tail_bytes)
                    memcpy(out + i * kSector, tail + offset,
                        tail_bytes - offset < kSector ? tail_bytes - offset : kSector);
            }
        }
        return {};
    }
};

block::PartitionTable g_table;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 10)
        return 0;
    u64 sectors = 0;
    for (int i = 0; i < 8; ++i)
        sectors |= u64 { data[i] } << (8 * i);
    sectors = 1 + sectors % (u64 { 1 } << 40); // up to 512 TiB
    size_t head_bytes = (data[8] | (data[9] << 8)) * kSector;
    data += 10;
    size -= 10;
    if (head_bytes > size)
        head_bytes = size;
    SparseDisk disk;
    disk.sectors = sectors;
    disk.head = data;
    disk.head_bytes = head_bytes;
    disk.tail = data + head_bytes;
    disk.tail_bytes = size - head_bytes;
    if (disk.tail_bytes > sectors * kSector)
        disk.tail_bytes = static_cast<size_t>(sectors * kSector);

    require(!block::read_partitions(disk, g_table, "fuzz").is_error());
    const block::PartitionTable& t = g_table;
    require(t.count <= block::PartitionTable::kMaxPartitions);
    require(t.kind != block::TableKind::None || t.count == 0);
    for (u32 i = 0; i < t.count; ++i) {
        const block::Partition& p = t.partitions[i];
        require(p.sector_count > 0 && p.first_sector < sectors && p.sector_count <= sectors - p.first_sector);
        if (t.kind == block::TableKind::Mbr)
            require(p.number >= 1 && (p.number <= 4 || (p.number >= 5 && !p.extended)) && p.type.is_zero());
        else
            require(p.number >= 1 && p.number <= 4096 && !p.type.is_zero() && p.mbr_type == 0);
        for (u32 j = 0; j < i; ++j)
            require(t.partitions[j].number != p.number);
    }
    return 0;
}
