// MBR and GPT tables made by Debian's sfdisk and sgdisk parse into the partitions `sfdisk --dump` lists (its
// start, size, type and uuid are the truth); a GPT whose primary header or entry array is destroyed parses from
// the backup; damaged and hostile tables (a loop of extended boot records, partitions past the end, a bad
// status byte) give what Linux gives, never a crash.
#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "block/partitions.hpp"

namespace {

constexpr usize kSector = 512;

struct ImageDisk final : block::SectorReader {
    std::vector<u8> bytes;
    u64 sector_count() const override { return bytes.size() / kSector; }
    Result<void> read(u64 sector, u32 count, void* buffer) override
    {
        REQUIRE(sector + count <= sector_count()); // the parser asks only for sectors of the disk
        std::memcpy(buffer, bytes.data() + sector * kSector, count * kSector);
        return {};
    }
};

struct Scratch {
    std::string dir;
    Scratch()
    {
        char name[] = "/tmp/cadenza-partitions-XXXXXX";
        REQUIRE(mkdtemp(name));
        dir = name;
    }
    ~Scratch() { std::system(("rm -rf " + dir).c_str()); }
    std::string path(const std::string& name) const { return dir + "/" + name; }
};

void run(const std::string& command) { REQUIRE(std::system((command + " >/dev/null 2>&1").c_str()) == 0); }

ImageDisk load(const std::string& path)
{
    ImageDisk disk;
    FILE* file = std::fopen(path.c_str(), "rb");
    REQUIRE(file);
    std::fseek(file, 0, SEEK_END);
    disk.bytes.resize(static_cast<usize>(std::ftell(file)));
    std::rewind(file);
    REQUIRE(std::fread(disk.bytes.data(), 1, disk.bytes.size(), file) == disk.bytes.size());
    std::fclose(file);
    REQUIRE(disk.bytes.size() % kSector == 0);
    return disk;
}

// One line of `sfdisk --dump`: "<image>N : start=S, size=Z, type=T[, uuid=U][, bootable]".
struct Dumped {
    u32 number;
    u64 start, size;
    std::string type, uuid;
    bool bootable;
};
std::vector<Dumped> sfdisk_dump(const std::string& image)
{
    std::string command = "sfdisk --dump " + image;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe);
    std::vector<Dumped> out;
    char line[512];
    while (fgets(line, sizeof(line), pipe)) {
        std::string text(line);
        if (text.rfind(image, 0) != 0)
            continue;
        Dumped d {};
        d.number = static_cast<u32>(std::stoul(text.substr(image.size())));
        auto field = [&](const std::string& key) {
            auto at = text.find(key + "=");
            if (at == std::string::npos)
                return std::string();
            auto end = text.find_first_of(",\n", at);
            std::string value = text.substr(at + key.size() + 1, end - at - key.size() - 1);
            value.erase(0, value.find_first_not_of(' '));
            return value;
        };
        d.start = std::stoull(field("start"));
        d.size = std::stoull(field("size"));
        d.type = field("type");
        d.uuid = field("uuid");
        d.bootable = text.find("bootable") != std::string::npos;
        out.push_back(d);
    }
    REQUIRE(pclose(pipe) == 0);
    return out;
}

// A GUID in its text form (the first three fields are little-endian on disk).
std::string text_of(const block::Guid& guid)
{
    const u8* b = guid.bytes;
    char text[40];
    std::snprintf(text, sizeof(text), "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", b[3], b[2],
        b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return text;
}

void check_against_dump(const block::PartitionTable& table, const std::vector<Dumped>& dump)
{
    REQUIRE(table.count == dump.size());
    for (usize i = 0; i < dump.size(); ++i) {
        const block::Partition& p = table.partitions[i];
        const Dumped& d = dump[i];
        INFO("partition " << d.number);
        CHECK(p.number == d.number);
        CHECK(p.first_sector == d.start);
        if (table.kind == block::TableKind::Gpt) {
            CHECK(p.sector_count == d.size);
            CHECK(text_of(p.type) == d.type);
            CHECK(text_of(p.unique) == d.uuid);
        } else {
            CHECK(p.sector_count == (p.extended ? 2 : d.size)); // an extended partition is a 1 KiB device
            CHECK(p.mbr_type == std::stoul(d.type, nullptr, 16));
            CHECK(p.bootable == d.bootable);
        }
    }
}

block::PartitionTable parse(ImageDisk& disk)
{
    block::PartitionTable table;
    REQUIRE_FALSE(block::read_partitions(disk, table, "test").is_error());
    return table;
}

void put32(std::vector<u8>& bytes, usize at, u32 value)
{
    for (int i = 0; i < 4; ++i)
        bytes[at + i] = static_cast<u8>(value >> (8 * i));
}
void mbr_entry(std::vector<u8>& bytes, usize sector, unsigned slot, u8 type, u32 first, u32 count, u8 status = 0)
{
    usize at = sector * kSector + 446 + 16 * slot;
    bytes[at] = status;
    bytes[at + 4] = type;
    put32(bytes, at + 8, first);
    put32(bytes, at + 12, count);
    bytes[sector * kSector + 510] = 0x55;
    bytes[sector * kSector + 511] = 0xAA;
}

} // namespace

TEST_CASE("partitions: CRC-32 is the IEEE one GPT uses", "[block][partitions]")
{
    CHECK(block::crc32("123456789", 9) == 0xCBF43926u);
    CHECK(block::crc32("", 0) == 0);
    CHECK(block::crc32("56789", 5, block::crc32("1234", 4)) == 0xCBF43926u); // continues
}

TEST_CASE("partitions: an MBR made by sfdisk, with primary, extended and logical partitions", "[block][partitions]")
{
    Scratch scratch;
    std::string image = scratch.path("mbr.img");
    run("truncate -s 16M " + image);
    run("printf 'label: dos\\nlabel-id: 0x12345678\\nstart=2048, size=8192, type=83, bootable\\n"
        "start=10240, size=4096, type=82\\nstart=16384, type=5\\nstart=18432, size=4096, type=83\\n"
        "start=24576, size=2048, type=c\\nstart=28672, size=2048, type=83\\n' | sfdisk -q "
        + image);
    ImageDisk disk = load(image);
    block::PartitionTable table = parse(disk);
    CHECK(table.kind == block::TableKind::Mbr);
    CHECK(table.mbr_signature == 0x12345678u);
    check_against_dump(table, sfdisk_dump(image));
    CHECK(table.partitions[2].extended);
    CHECK(table.partitions[5].number == 7);
}

TEST_CASE("partitions: a GPT made by sgdisk, and its backup when the primary is destroyed", "[block][partitions]")
{
    // Made once: each section runs the case again, and sgdisk syncs the host's disks.
    static Scratch scratch;
    static std::string image;
    static std::vector<Dumped> dump;
    if (image.empty()) {
        image = scratch.path("gpt.img");
        run("truncate -s 8M " + image);
        run("sgdisk -n 1:2048:+2M -t 1:8300 -n 2:0:+1M -t 2:8200 -n 3:0:+512K -t 3:ef02 -n 5:0:0 -t 5:8300 " + image);
        dump = sfdisk_dump(image);
    }
    REQUIRE(dump.size() == 4);
    ImageDisk disk = load(image);
    block::PartitionTable table = parse(disk);
    CHECK(table.kind == block::TableKind::Gpt);
    CHECK_FALSE(table.from_backup);
    check_against_dump(table, dump);
    CHECK(table.partitions[3].number == 5); // entry 4 is unused
    block::Guid disk_guid = table.disk_guid;
    CHECK_FALSE(disk_guid.is_zero());

    SECTION("the primary header destroyed")
    {
        std::memset(disk.bytes.data() + kSector, 0, kSector);
        block::PartitionTable backup = parse(disk);
        CHECK(backup.kind == block::TableKind::Gpt);
        CHECK(backup.from_backup);
        check_against_dump(backup, dump);
        CHECK(backup.disk_guid == disk_guid);
    }
    SECTION("the primary entry array damaged: its CRC fails")
    {
        disk.bytes[2 * kSector + 40] ^= 1; // the first entry's last sector
        block::PartitionTable backup = parse(disk);
        CHECK(backup.from_backup);
        check_against_dump(backup, dump);
    }
    SECTION("a bit flipped in the primary header")
    {
        disk.bytes[kSector + 80] ^= 0x80; // the entry count: the header CRC catches it
        block::PartitionTable backup = parse(disk);
        CHECK(backup.from_backup);
        check_against_dump(backup, dump);
    }
    SECTION("both headers destroyed: no partitions, as Linux")
    {
        std::memset(disk.bytes.data() + kSector, 0, kSector);
        std::memset(disk.bytes.data() + disk.bytes.size() - kSector, 0, kSector);
        block::PartitionTable none = parse(disk);
        CHECK(none.kind == block::TableKind::None);
        CHECK(none.count == 0);
    }
    SECTION("without its protective MBR it is no GPT")
    {
        std::memset(disk.bytes.data(), 0, kSector);
        CHECK(parse(disk).kind == block::TableKind::None);
    }
}

TEST_CASE("partitions: hostile MBRs end in what Linux makes of them", "[block][partitions]")
{
    ImageDisk disk;
    disk.bytes.assign(4096 * kSector, 0);

    SECTION("no signature: no table")
    {
        CHECK(parse(disk).kind == block::TableKind::None);
    }
    SECTION("a bad status byte (a FAT boot sector, say): no table")
    {
        mbr_entry(disk.bytes, 0, 0, 0x83, 2048, 100, 0x12);
        CHECK(parse(disk).kind == block::TableKind::None);
    }
    SECTION("past the end: skipped; reaching past it: cut")
    {
        mbr_entry(disk.bytes, 0, 0, 0x83, 5000, 100);
        mbr_entry(disk.bytes, 0, 1, 0x83, 4000, 1000);
        mbr_entry(disk.bytes, 0, 2, 0x83, 63, 0); // empty: no partition
        block::PartitionTable table = parse(disk);
        REQUIRE(table.count == 1);
        CHECK(table.partitions[0].number == 2);
        CHECK(table.partitions[0].sector_count == 96);
    }
    SECTION("a boot record that links to itself ends, with a bounded number of logical partitions")
    {
        mbr_entry(disk.bytes, 0, 0, 0x05, 100, 3000);
        mbr_entry(disk.bytes, 100, 0, 0x83, 1, 10);
        mbr_entry(disk.bytes, 100, 1, 0x05, 0, 3000); // the next record is this one
        block::PartitionTable table = parse(disk);
        CHECK(table.count == block::PartitionTable::kMaxPartitions);
        CHECK(table.partitions[1].number == 5);
        CHECK(table.partitions[1].first_sector == 101);
    }
    SECTION("a link outside the extended partition ends the chain")
    {
        mbr_entry(disk.bytes, 0, 0, 0x0F, 100, 200);
        mbr_entry(disk.bytes, 100, 0, 0x83, 1, 10);
        mbr_entry(disk.bytes, 100, 1, 0x05, 3000, 10);
        block::PartitionTable table = parse(disk);
        CHECK(table.count == 2);
    }
    SECTION("a GPT header that lies about its entry array")
    {
        mbr_entry(disk.bytes, 0, 0, 0xEE, 1, 4095);
        u8* header = disk.bytes.data() + kSector;
        std::memcpy(header, "EFI PART", 8);
        put32(disk.bytes, kSector + 12, 92);
        put32(disk.bytes, kSector + 24, 1);
        put32(disk.bytes, kSector + 48, 4000);
        put32(disk.bytes, kSector + 72, 0xFFFFFF00u); // the array's LBA, past the end
        put32(disk.bytes, kSector + 80, 128);
        put32(disk.bytes, kSector + 84, 128);
        put32(disk.bytes, kSector + 16, 0);
        put32(disk.bytes, kSector + 16, block::crc32(header, 92));
        CHECK(parse(disk).kind == block::TableKind::None);
    }
}
