// MBR and GPT parsing. Every field is bounded before it is used as a sector number, a count or a size; a
// chain of extended boot records is walked a bounded number of steps, so a loop in it ends.
#include "block/partitions.hpp"

#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "lib/format.hpp"
#include "lib/own_ptr.hpp"
#include "lib/string.hpp"

namespace block {

namespace {

constexpr usize kSector = 512;
constexpr u8 kTypeEmpty = 0x00, kTypeGptProtective = 0xEE;
constexpr u32 kMaxExtendedSteps = 128; // more boot records than any disk has; a loop stops here
constexpr u32 kGptEntryBytes = 128;    // Linux accepts no other entry size
constexpr u32 kMaxGptEntries = 4096;   // a 512 KiB array; the standard one is 128 entries

u32 le32(const u8* p) { return u32 { p[0] } | (u32 { p[1] } << 8) | (u32 { p[2] } << 16) | (u32 { p[3] } << 24); }
u64 le64(const u8* p) { return u64 { le32(p) } | (u64 { le32(p + 4) } << 32); }

bool is_extended(u8 type) { return type == 0x05 || type == 0x0F || type == 0x85; }

struct MbrEntry {
    u8 status;
    u8 type;
    u32 first; // relative to the table's base
    u32 count;
};
MbrEntry mbr_entry(const u8* sector, unsigned slot)
{
    const u8* p = sector + 446 + 16 * slot;
    return { p[0], p[4], le32(p + 8), le32(p + 12) };
}
bool has_signature(const u8* sector) { return sector[510] == 0x55 && sector[511] == 0xAA; }

// Adds a partition, cut to the disk or skipped when it starts past its end (Linux's blk_add_partitions).
void add(PartitionTable& table, const char* name, u64 disk_sectors, Partition partition)
{
    if (table.count == PartitionTable::kMaxPartitions)
        return;
    if (partition.first_sector >= disk_sectors) {
        log_warning("%s: partition %u starts past the end of the disk, skipped", name, partition.number);
        return;
    }
    if (partition.sector_count > disk_sectors - partition.first_sector) {
        log_warning("%s: partition %u reaches past the end of the disk, cut to it", name, partition.number);
        partition.sector_count = disk_sectors - partition.first_sector;
    }
    table.partitions[table.count++] = partition;
}

Partition mbr_partition(u32 number, u64 first, u64 count, const MbrEntry& entry)
{
    Partition partition {};
    partition.number = number;
    partition.first_sector = first;
    partition.sector_count = count;
    partition.mbr_type = entry.type;
    partition.bootable = entry.status == 0x80;
    return partition;
}

// The logical partitions of the extended partition at [base, base + size): a chain of boot records, each
// holding one logical partition (relative to itself) and a link to the next (relative to `base`).
Result<void> read_logical(SectorReader& disk, PartitionTable& table, const char* name, u64 base, u64 size,
    u32& next_number)
{
    u8 sector[kSector];
    u64 record = base;
    for (u32 step = 0; step < kMaxExtendedSteps && table.count < PartitionTable::kMaxPartitions; ++step) {
        if (record >= disk.sector_count() || record - base >= size) {
            log_warning("%s: an extended boot record lies outside its partition; logical partitions end there", name);
            return {};
        }
        TRY(disk.read(record, 1, sector));
        if (!has_signature(sector)) {
            log_warning("%s: an extended boot record has no signature; logical partitions end there", name);
            return {};
        }
        MbrEntry logical = mbr_entry(sector, 0), link = mbr_entry(sector, 1);
        if (logical.type != kTypeEmpty && logical.count)
            add(table, name, disk.sector_count(), mbr_partition(next_number++, record + logical.first, logical.count, logical));
        if (!is_extended(link.type) || link.count == 0)
            return {};
        record = base + link.first;
    }
    log_warning("%s: the extended boot records do not end; logical partitions stop at %u", name, next_number - 1);
    return {};
}

bool guid_is_zero(const u8* bytes)
{
    for (usize i = 0; i < 16; ++i)
        if (bytes[i])
            return false;
    return true;
}

// Reads and checks the GPT header at `lba` and its entry array, filling `table` with its partitions; false
// (and `why` set) when either is not valid. `table` is left empty then.
Result<bool> read_gpt(SectorReader& disk, PartitionTable& table, u64 lba, const char*& why)
{
    u64 sectors = disk.sector_count();
    if (lba == 0 || lba >= sectors) {
        why = "no sector for it on a disk this small";
        return false;
    }
    u8 header[kSector];
    TRY(disk.read(lba, 1, header));
    if (compare_bytes(header, "EFI PART", 8) != 0) {
        why = "no signature";
        return false;
    }
    u32 header_size = le32(header + 12);
    if (header_size < 92 || header_size > kSector) {
        why = "a bad header size";
        return false;
    }
    u32 stored_crc = le32(header + 16);
    u8 zeroed[kSector];
    copy_bytes(zeroed, header, kSector);
    fill_bytes(zeroed + 16, 0, 4);
    if (crc32(zeroed, header_size) != stored_crc) {
        why = "a bad header CRC";
        return false;
    }
    u64 my_lba = le64(header + 24), first_usable = le64(header + 40), last_usable = le64(header + 48);
    u64 entries_lba = le64(header + 72);
    u32 entry_count = le32(header + 80), entry_size = le32(header + 84), entries_crc = le32(header + 88);
    if (my_lba != lba) {
        why = "a header that names another sector as its own";
        return false;
    }
    if (first_usable > last_usable || last_usable >= sectors) {
        why = "a usable range outside the disk";
        return false;
    }
    if (entry_size != kGptEntryBytes || entry_count > kMaxGptEntries) {
        why = "an entry size or count this kernel does not take";
        return false;
    }
    u64 array_bytes = u64 { entry_count } * entry_size;
    u64 array_sectors = (array_bytes + kSector - 1) / kSector;
    if (entries_lba < 2 || entries_lba >= sectors || array_sectors > sectors - entries_lba) {
        why = "an entry array outside the disk";
        return false;
    }

    // One pass: the CRC over the whole array and the partitions, kept only if the CRC matches.
    table.count = 0;
    u32 crc = 0;
    u8 sector[kSector];
    for (u64 done = 0; done < array_bytes;) {
        TRY(disk.read(entries_lba + done / kSector, 1, sector));
        usize length = array_bytes - done < kSector ? static_cast<usize>(array_bytes - done) : kSector;
        crc = crc32(sector, length, crc);
        for (usize at = 0; at + kGptEntryBytes <= length; at += kGptEntryBytes) {
            const u8* entry = sector + at;
            u32 index = static_cast<u32>((done + at) / kGptEntryBytes);
            u64 first = le64(entry + 32), last = le64(entry + 40);
            // Linux's is_pte_valid: a used entry inside the disk; others are skipped.
            if (guid_is_zero(entry) || first > last || last >= sectors)
                continue;
            Partition partition {};
            partition.number = index + 1;
            partition.first_sector = first;
            partition.sector_count = last - first + 1;
            copy_bytes(partition.type.bytes, entry, 16);
            copy_bytes(partition.unique.bytes, entry + 16, 16);
            if (table.count < PartitionTable::kMaxPartitions)
                table.partitions[table.count++] = partition;
        }
        done += length;
    }
    if (crc != entries_crc) {
        table.count = 0;
        why = "a bad entry array CRC";
        return false;
    }
    copy_bytes(table.disk_guid.bytes, header + 56, 16);
    table.kind = TableKind::Gpt;
    return true;
}

} // namespace

bool Guid::is_zero() const { return guid_is_zero(bytes); }
bool Guid::operator==(const Guid& other) const { return compare_bytes(bytes, other.bytes, 16) == 0; }

u32 crc32(const void* data, usize length, u32 crc)
{
    static const auto table = [] {
        struct Table {
            u32 entries[256];
        } t {};
        for (u32 i = 0; i < 256; ++i) {
            u32 value = i;
            for (int bit = 0; bit < 8; ++bit)
                value = (value & 1) ? (value >> 1) ^ 0xEDB88320u : value >> 1;
            t.entries[i] = value;
        }
        return t;
    }();
    const u8* bytes = static_cast<const u8*>(data);
    crc = ~crc;
    for (usize i = 0; i < length; ++i)
        crc = table.entries[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

Result<void> read_partitions(SectorReader& disk, PartitionTable& table, const char* name)
{
    table.kind = TableKind::None;
    table.count = 0;
    table.from_backup = false;
    u64 sectors = disk.sector_count();
    if (sectors == 0)
        return {};
    u8 mbr[kSector];
    TRY(disk.read(0, 1, mbr));
    if (!has_signature(mbr))
        return {}; // no table: nothing to say
    bool protective = false;
    for (unsigned slot = 0; slot < 4; ++slot) {
        MbrEntry entry = mbr_entry(mbr, slot);
        if (entry.status != 0 && entry.status != 0x80) {
            log_info("%s: sector 0 is no partition table (bad status in entry %u)", name, slot + 1);
            return {};
        }
        protective = protective || entry.type == kTypeGptProtective;
    }
    table.mbr_signature = le32(mbr + 440);

    if (protective) {
        const char* why = nullptr;
        if (TRY(read_gpt(disk, table, 1, why)))
            return {};
        const char* backup_why = nullptr;
        if (sectors > 1 && TRY(read_gpt(disk, table, sectors - 1, backup_why))) {
            log_warning("%s: the primary GPT has %s; using the backup at the end of the disk", name, why);
            table.from_backup = true;
            return {};
        }
        log_warning("%s: a protective MBR, but the primary GPT has %s and the backup %s; no partitions", name,
            why, backup_why ? backup_why : "is missing");
        table.kind = TableKind::None;
        return {};
    }

    table.kind = TableKind::Mbr;
    u32 next_logical = 5;
    for (unsigned slot = 0; slot < 4; ++slot) {
        MbrEntry entry = mbr_entry(mbr, slot);
        if (entry.type == kTypeEmpty || entry.count == 0)
            continue;
        if (!is_extended(entry.type)) {
            add(table, name, sectors, mbr_partition(slot + 1, entry.first, entry.count, entry));
            continue;
        }
        // The extended partition itself is a two-sector device in Linux (it covers its first boot record).
        Partition extended = mbr_partition(slot + 1, entry.first, entry.count < 2 ? entry.count : 2, entry);
        extended.extended = true;
        add(table, name, sectors, extended);
        TRY(read_logical(disk, table, name, entry.first, entry.count, next_logical));
    }
    return {};
}

namespace {

// A partition as a block device: its own name, size and number; its requests go to the whole disk.
class PartitionDevice final : public BlockDevice {
public:
    PartitionDevice(BlockDevice& whole, const Partition& partition)
        : BlockDevice(m_name_buffer, whole, partition.first_sector, partition.sector_count)
    {
        format(m_name_buffer, sizeof(m_name_buffer), "%s%u", whole.name(), partition.number);
    }

private:
    void start(Request&) override { panic("block: %s: a partition starts no transfer", name()); }
    char m_name_buffer[24];
};

constexpr usize kMaxPartitionDevices = 64;
PartitionDevice* g_partition_devices[kMaxPartitionDevices];

// The disk read through the block layer, for read_partitions.
class DiskReader final : public SectorReader {
public:
    explicit DiskReader(BlockDevice& disk) : m_disk(disk) {}
    u64 sector_count() const override { return m_disk.sector_count(); }
    Result<void> read(u64 sector, u32 count, void* buffer) override
    {
        return read_sectors(m_disk, sector, count, buffer);
    }

private:
    BlockDevice& m_disk;
};

} // namespace

Result<u32> add_partitions(BlockDevice& disk, DeviceNumber number, const char* driver)
{
    auto table = TRY(make_own<PartitionTable>()); // 8 KiB: off the kernel stack
    DiskReader reader(disk);
    TRY(read_partitions(reader, *table, disk.name()));
    char line[256];
    usize used = format(line, sizeof(line), "%s:", disk.name());
    u32 added = 0;
    bool in_extended = false;
    for (u32 i = 0; i < table->count; ++i) {
        const Partition& partition = table->partitions[i];
        if (partition.number >= kIdeMinorsPerDisk) {
            log_warning("%s: partition %u has no minor number left; ignored", disk.name(), partition.number);
            continue;
        }
        usize slot = 0;
        while (slot < kMaxPartitionDevices && g_partition_devices[slot])
            ++slot;
        if (slot == kMaxPartitionDevices)
            return Errno::NOMEM;
        auto device = make_own<PartitionDevice>(disk, partition);
        if (device.is_error())
            return Errno::NOMEM;
        if (auto registered = register_block_device(*device.value(), { number.major, number.minor + partition.number }, driver);
            registered.is_error()) {
            log_warning("%s: partition %u could not be registered (%s)", disk.name(), partition.number,
                errno_name(registered.error()));
            continue;
        }
        g_partition_devices[slot] = device.value().leak();
        ++added;
        if (partition.number >= 5 && !in_extended && used < sizeof(line))
            used += format(line + used, sizeof(line) - used, " <"), in_extended = true;
        if (used < sizeof(line))
            used += format(line + used, sizeof(line) - used, " %s", g_partition_devices[slot]->name());
    }
    if (in_extended && used < sizeof(line))
        format(line + used, sizeof(line) - used, " >");
    if (table->kind != TableKind::None)
        log_info("%s", line);
    return added;
}

void remove_partitions(BlockDevice& disk)
{
    for (PartitionDevice*& device : g_partition_devices) {
        if (!device || device->whole() != &disk)
            continue;
        unregister_block_device(*device);
        delete device;
        device = nullptr;
    }
}

} // namespace block
