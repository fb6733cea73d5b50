// The sim's file-backed disk (sim/block_device.hpp) against a temporary host file: its size in whole sectors,
// reads of what the host wrote, writes the host sees, the end of the file as the end of the disk, and a
// read-only disk.
#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "../proc/process_machine.hpp"
#include "block/block_device.hpp"
#include "sim/block_device.hpp"

using namespace proc_test;

namespace {

constexpr usize kSector = block::kSectorBytes;

// A host file of `bytes` bytes of a pattern, removed when the test ends.
struct TempFile {
    std::string path;
    std::vector<u8> bytes;
    explicit TempFile(usize size)
    {
        char name[] = "/tmp/cadenza-disk-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        path = name;
        bytes.resize(size);
        for (usize i = 0; i < size; ++i)
            bytes[i] = static_cast<u8>(i * 13 + i / kSector);
        REQUIRE(write(fd, bytes.data(), size) == static_cast<ssize_t>(size));
        close(fd);
    }
    ~TempFile() { unlink(path.c_str()); }
    std::vector<u8> read_back(usize offset, usize length) const
    {
        std::vector<u8> out(length);
        FILE* f = std::fopen(path.c_str(), "rb");
        REQUIRE(f);
        std::fseek(f, static_cast<long>(offset), SEEK_SET);
        REQUIRE(std::fread(out.data(), 1, length, f) == length);
        std::fclose(f);
        return out;
    }
};

} // namespace

TEST_CASE("block: a file-backed disk reads the file's sectors and writes into the file", "[block]")
{
    ProcessMachine m;
    TempFile file(8 * kSector + 100); // a partial sector at the end is not part of the disk
    auto disk = sim::FileBlockDevice::open("hda", file.path.c_str());
    REQUIRE(disk);
    CHECK(disk->sector_count() == 8);
    CHECK_FALSE(disk->read_only());
    run_program(m, [&] {
        std::vector<u8> buffer(2 * kSector, 0);
        REQUIRE_FALSE(block::read_sectors(*disk, 3, 2, buffer.data()).is_error());
        CHECK(std::memcmp(buffer.data(), file.bytes.data() + 3 * kSector, 2 * kSector) == 0);
        std::vector<u8> data(kSector, 0xC3);
        REQUIRE_FALSE(block::write_sectors(*disk, 7, 1, data.data()).is_error());
        CHECK(file.read_back(7 * kSector, kSector) == data);
        CHECK(file.read_back(6 * kSector, kSector)
            == std::vector<u8>(file.bytes.begin() + 6 * kSector, file.bytes.begin() + 7 * kSector));
        CHECK(block::read_sectors(*disk, 8, 1, buffer.data()).error() == Errno::IO);
        CHECK(m.console.text().find("hda: attempt to access beyond end of device") != std::string::npos);
        // Latency applies to a file-backed disk as to any: the write lands when the timer fires.
        disk->set_latency_ns(2000000);
        std::vector<u8> more(kSector, 0x3C);
        u64 before = arch::clock_ns();
        REQUIRE_FALSE(block::write_sectors(*disk, 0, 1, more.data()).is_error());
        CHECK(arch::clock_ns() - before >= 2000000);
        CHECK(file.read_back(0, kSector) == more);
    });
    disk.reset();
    CHECK(file.read_back(8 * kSector, 100)
        == std::vector<u8>(file.bytes.begin() + 8 * kSector, file.bytes.end())); // the tail untouched
}

TEST_CASE("block: a read-only file-backed disk reads but refuses writes; a missing file gives no disk", "[block]")
{
    ProcessMachine m;
    TempFile file(4 * kSector);
    auto disk = sim::FileBlockDevice::open("hdb", file.path.c_str(), true);
    REQUIRE(disk);
    CHECK(disk->read_only());
    run_program(m, [&] {
        std::vector<u8> buffer(kSector, 0);
        REQUIRE_FALSE(block::read_sectors(*disk, 1, 1, buffer.data()).is_error());
        CHECK(std::memcmp(buffer.data(), file.bytes.data() + kSector, kSector) == 0);
        CHECK(block::write_sectors(*disk, 1, 1, buffer.data()).error() == Errno::ROFS);
        CHECK(disk->requests_started() == 1);
    });
    CHECK(file.read_back(0, 4 * kSector) == file.bytes);
    CHECK_FALSE(sim::FileBlockDevice::open("hdc", "/nonexistent/cadenza-disk"));
}
