// The block-device registry (block/registry.hpp): Linux's names and numbers, the devices' place in the one
// device registry (a block special file in devtmpfs, a line in /proc/devices' "Block devices:"), and reads and
// writes of the /dev node itself, through the system calls.
#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "block/partitions.hpp"
#include "block/registry.hpp"
#include "fs/devfs/devfs.hpp"
#include "fs/devices.hpp"
#include "fs/procfs/text.hpp"
#include "fs/vfs.hpp"
#include "proc/process.hpp"
#include "sim/block_device.hpp"
#include "syscall/files.hpp"

using namespace proc_test;

namespace {

constexpr usize kSector = block::kSectorBytes;
const u32 kSysPread64 = sys::nr("pread64"), kSysPwrite64 = sys::nr("pwrite64"), kSysClose = sys::nr("close");

std::string proc_devices()
{
    char text[2048];
    usize length = fs::format_proc_devices(text, sizeof(text));
    REQUIRE(length < sizeof(text));
    return std::string(text, length);
}

// What a test registers is taken away again: the registries outlive a machine.
struct Registered {
    std::vector<block::BlockDevice*> devices;
    ~Registered()
    {
        for (block::BlockDevice* device : devices)
            block::unregister_block_device(*device);
        fs::unregister_filesystem(fs::devfs::filesystem_type());
    }
    void add(block::BlockDevice& device, block::DeviceNumber number, const char* driver)
    {
        REQUIRE_FALSE(block::register_block_device(device, number, driver).is_error());
        devices.push_back(&device);
    }
};

i32 open_dev(const char* path, u32 flags)
{
    fs::Caller caller = sys::file_caller();
    auto fd = fs::openat(caller, fs::kAtFdCwd, path, flags, 0);
    if (fd.is_error())
        return -static_cast<i32>(fd.error());
    return fd.value();
}

i32 pread(i32 fd, u32 buffer, u32 count, u32 offset)
{
    return call(kSysPread64, static_cast<u32>(fd), buffer, count, offset, 0);
}
i32 pwrite(i32 fd, u32 buffer, u32 count, u32 offset)
{
    return call(kSysPwrite64, static_cast<u32>(fd), buffer, count, offset, 0);
}

} // namespace

TEST_CASE("block: disks take Linux's numbers and names, and appear in /proc/devices' block section", "[block]")
{
    CHECK(block::ide_disk_number(0).major == 3);
    CHECK(block::ide_disk_number(0).minor == 0);
    CHECK(block::ide_disk_number(1).minor == 64);
    CHECK(block::ide_disk_number(2).major == 22);
    CHECK(block::ide_disk_number(2).minor == 0);
    CHECK(block::ide_disk_number(3).minor == 64);
    CHECK(block::ram_disk_number(1).major == 1);
    CHECK(block::ram_disk_number(1).minor == 1);

    ProcessMachine m;
    sim::RamBlockDevice hda("hda", 16), hdb("hdb", 16), hdc("hdc", 16), ram0("ram0", 8), again("hda", 4);
    std::string before = proc_devices();
    {
        Registered registered;
        registered.add(hda, block::ide_disk_number(0), "ide0");
        registered.add(hdc, block::ide_disk_number(2), "ide1");
        registered.add(hdb, block::ide_disk_number(1), "ide0");
        registered.add(ram0, block::ram_disk_number(0), "ramdisk");
        CHECK(block::register_block_device(again, block::ide_disk_number(3), "ide1").error() == Errno::BUSY); // name
        CHECK(block::register_block_device(again, block::ide_disk_number(0), "ide0").error() == Errno::BUSY); // number
        CHECK(block::register_block_device(again, { 0x1000, 0 }, "x").error() == Errno::INVAL);
        CHECK(block::find_block_device("hdc") == &hdc);
        CHECK(block::find_block_device(block::DeviceNumber { 3, 64 }) == &hdb);
        CHECK(block::find_block_device("hdd") == nullptr);
        const fs::DeviceInfo* info = fs::find_device(fs::DeviceKind::Block, 22, 0);
        REQUIRE(info);
        CHECK(std::string(info->node) == "hdc");
        CHECK(info->permissions == 0660);
        // One line per major, in order of major, the driver named once (fs/proc/devices.c).
        std::string text = proc_devices();
        usize block_section = text.find("\nBlock devices:\n");
        REQUIRE(block_section != std::string::npos);
        CHECK(text.substr(block_section) == "\nBlock devices:\n  1 ramdisk\n  3 ide0\n 22 ide1\n");
        CHECK(fs::find_device(fs::DeviceKind::Char, 3, 0) == nullptr); // block numbers are their own space
    }
    CHECK(block::find_block_device("hda") == nullptr);
    CHECK(proc_devices() == before);
}

TEST_CASE("block: a disk is a block special file in devtmpfs, and its node reads and writes the disk", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice hda("hda", 4), rom("ram0", 2, true);
    for (usize i = 0; i < hda.contents().size(); ++i)
        hda.contents()[i] = static_cast<u8>(i * 3 + i / kSector);
    std::vector<u8> original = hda.contents();
    Registered registered;
    registered.add(hda, block::ide_disk_number(0), "ide0");
    registered.add(rom, block::ram_disk_number(0), "ramdisk");
    run_program(m, [&] {
        REQUIRE_FALSE(fs::devfs::mount_on_dev().is_error());
        fs::Caller caller = sys::file_caller();
        fs::Stat st {};
        REQUIRE_FALSE(fs::fstatat(caller, fs::kAtFdCwd, "/dev/hda", st, 0).is_error());
        CHECK(fs::is_blk(st.mode));
        CHECK((st.mode & 07777) == 0660);
        CHECK(st.rdev == fs::make_dev(3, 0));
        REQUIRE_FALSE(fs::fstatat(caller, fs::kAtFdCwd, "/dev/ram0", st, 0).is_error());
        CHECK(st.rdev == fs::make_dev(1, 0));

        i32 fd = open_dev("/dev/hda", 2 /* O_RDWR */);
        REQUIRE(fd >= 0);
        u32 buffer = scratch(2 * kPage);
        // Any offset and length: the node reads across sector edges.
        REQUIRE(pread(fd, buffer, 700, 300) == 700);
        std::vector<u8> seen(700);
        REQUIRE_FALSE(mm::raw::copy_from_user(seen.data(), buffer, seen.size()).is_error());
        CHECK(std::memcmp(seen.data(), original.data() + 300, 700) == 0);
        // A write across an edge changes those bytes and keeps the rest of both sectors.
        poke(buffer, "0123456789", 10);
        REQUIRE(pwrite(fd, buffer, 10, 505) == 10);
        std::vector<u8> expected = original;
        std::memcpy(expected.data() + 505, "0123456789", 10);
        CHECK(hda.contents() == expected);
        // The end of the disk: a read there is 0 bytes, a read across it is short, a write there ENOSPC.
        CHECK(pread(fd, buffer, 100, 4 * kSector) == 0);
        CHECK(pread(fd, buffer, 100, 4 * kSector - 30) == 30);
        CHECK(pwrite(fd, buffer, 10, 4 * kSector) == err(Errno::NOSPC));
        // A fault in the caller's memory ends the transfer there: short, or EFAULT when nothing moved, and a
        // write that faults within a sector leaves that sector as it was.
        u32 edge = scratch(2 * kPage);
        REQUIRE(call(kSysMunmap, edge + kPage, kPage) == 0);
        CHECK(pread(fd, edge + kPage - 200, 700, 0) == 200);
        CHECK(pread(fd, edge + kPage, 10, 0) == err(Errno::FAULT));
        std::vector<u8> before_fault = hda.contents();
        CHECK(pwrite(fd, edge + kPage - 5, 10, 0) == err(Errno::FAULT));
        CHECK(hda.contents() == before_fault);
        // A device error is EIO to the reader.
        hda.fail_sector(1);
        CHECK(pread(fd, buffer, 10, kSector + 4) == err(Errno::IO));
        hda.clear_faults();
        // What tools ask of a disk: its size in sectors and bytes, its sector size, whether it is read-only.
        u32 kSysIoctl = sys::nr("ioctl");
        REQUIRE(call(kSysIoctl, static_cast<u32>(fd), 0x1260 /* BLKGETSIZE */, buffer) == 0);
        CHECK(peek<u32>(buffer) == 4);
        REQUIRE(call(kSysIoctl, static_cast<u32>(fd), 0x80041272 /* BLKGETSIZE64 */, buffer) == 0);
        CHECK(peek<u64>(buffer) == 4 * kSector);
        REQUIRE(call(kSysIoctl, static_cast<u32>(fd), 0x1268 /* BLKSSZGET */, buffer) == 0);
        CHECK(peek<i32>(buffer) == 512);
        REQUIRE(call(kSysIoctl, static_cast<u32>(fd), 0x125e /* BLKROGET */, buffer) == 0);
        CHECK(peek<i32>(buffer) == 0);
        CHECK(call(kSysIoctl, static_cast<u32>(fd), 0x1260, 0) == err(Errno::FAULT));
        CHECK(call(kSysIoctl, static_cast<u32>(fd), 0x5401 /* TCGETS */, buffer) == err(Errno::NOTTY));
        CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);

        i32 rom_fd = open_dev("/dev/ram0", 2);
        REQUIRE(rom_fd >= 0);
        CHECK(pwrite(rom_fd, buffer, 10, 0) == err(Errno::PERM)); // blkdev_write_iter on a read-only disk
        CHECK(pread(rom_fd, buffer, 10, 0) == 10);
        REQUIRE(call(sys::nr("ioctl"), static_cast<u32>(rom_fd), 0x125e /* BLKROGET */, buffer) == 0);
        CHECK(peek<i32>(buffer) == 1);
        CHECK(call(kSysClose, static_cast<u32>(rom_fd)) == 0);

        // The disk's devtmpfs node goes with it (Linux's devtmpfs_delete_node); a node made by hand for its
        // number opens ENXIO, as an unserved number does.
        block::unregister_block_device(rom);
        CHECK(open_dev("/dev/ram0", 0) == err(Errno::NOENT));
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/dev/ram0", fs::kIfBlk | 0600, fs::make_dev(1, 0)).is_error());
        CHECK(open_dev("/dev/ram0", 0) == err(Errno::NXIO));
        CHECK_FALSE(fs::umount(caller, "/dev", 0).is_error());
    });
}

TEST_CASE("block: two tasks writing parts of one sector through the node both land", "[block]")
{
    ProcessMachine m;
    Children children;
    sim::RamBlockDevice hda("hda", 4);
    hda.set_latency_ns(2000000); // each sector read and write sleeps, so the two writers overlap
    Registered registered;
    registered.add(hda, block::ide_disk_number(0), "ide0");
    i32 fd = -1;
    u32 buffer = 0;
    children.programs.push_back([&] {
        poke(buffer, "AAAAAAAAAA", 10);
        CHECK(pwrite(fd, buffer, 10, 0) == 10);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        REQUIRE_FALSE(fs::devfs::mount_on_dev().is_error());
        fd = open_dev("/dev/hda", 2);
        REQUIRE(fd >= 0);
        buffer = scratch(kPage);
        i32 child = call(sys::nr("fork"));
        REQUIRE(child > 0);
        yield_until([&] {
            proc::Thread* p = proc::find_thread(child);
            return p && p->state == proc::Thread::State::Blocked;
        });
        poke(buffer + 100, "BBBBBBBBBB", 10);
        CHECK(pwrite(fd, buffer + 100, 10, 100) == 10);
        CHECK(call(sys::nr("wait4"), static_cast<u32>(child), 0, 0, 0) == child);
        CHECK(std::string(reinterpret_cast<char*>(hda.contents().data()), 10) == "AAAAAAAAAA");
        CHECK(std::string(reinterpret_cast<char*>(hda.contents().data()) + 100, 10) == "BBBBBBBBBB");
        CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
        fs::Caller caller = sys::file_caller();
        CHECK_FALSE(fs::umount(caller, "/dev", 0).is_error());
    });
}

TEST_CASE("block: a disk's partitions become devices hda1..., listed in /proc/partitions, on the disk's queue",
    "[block][partitions]")
{
    char directory[] = "/tmp/cadenza-hda-XXXXXX";
    REQUIRE(mkdtemp(directory));
    std::string image = std::string(directory) + "/hda.img";
    REQUIRE(std::system(("truncate -s 8M " + image + " && printf 'label: dos\\nstart=2048, size=4096, type=83\\n"
                            "start=6144, size=2048, type=82\\nstart=8192, type=5\\nstart=10240, size=2048, type=83\\n"
                            "start=14336, size=1024, type=83\\n' | sfdisk -q " + image + " >/dev/null 2>&1")
                .c_str())
        == 0);
    ProcessMachine m;
    sim::RamBlockDevice hda("hda", 16384);
    FILE* file = std::fopen(image.c_str(), "rb");
    REQUIRE(file);
    REQUIRE(std::fread(hda.contents().data(), 1, hda.contents().size(), file) == hda.contents().size());
    std::fclose(file);
    std::system((std::string("rm -rf ") + directory).c_str());
    for (usize at = 2048 * kSector; at < 2049 * kSector; ++at)
        hda.contents()[at] = static_cast<u8>(at * 7);
    Registered registered;
    registered.add(hda, block::ide_disk_number(0), "ide0");
    run_program(m, [&] {
        auto added = block::add_partitions(hda, block::ide_disk_number(0), "ide0");
        REQUIRE(added.value() == 5); // 1, 2, the extended 3, the logical 5 and 6
        block::BlockDevice* hda1 = block::find_block_device("hda1");
        block::BlockDevice* hda6 = block::find_block_device(block::DeviceNumber { 3, 6 });
        REQUIRE(hda1);
        REQUIRE(hda6);
        CHECK(std::string(hda6->name()) == "hda6");
        CHECK(hda1->sector_count() == 4096);
        CHECK(hda6->start_sector() == 14336); // as sfdisk placed it, its boot record before it
        CHECK(hda6->whole() == &hda);

        // Reads and writes land on the disk, shifted by the partition's start; past its end is EIO.
        u8 sector[kSector];
        REQUIRE_FALSE(block::read_sectors(*hda1, 0, 1, sector).is_error());
        CHECK(std::memcmp(sector, hda.contents().data() + 2048 * kSector, kSector) == 0);
        std::memset(sector, 0x6B, kSector);
        REQUIRE_FALSE(block::write_sectors(*hda6, 1023, 1, sector).is_error());
        CHECK(hda.contents()[(hda6->start_sector() + 1023) * kSector] == 0x6B);
        CHECK(block::read_sectors(*hda6, 1024, 1, sector).error() == Errno::IO);
        CHECK(block::read_sectors(*hda1, 4095, 2, sector).error() == Errno::IO);

        fs::procfs::Text text;
        block::write_proc_partitions(text);
        CHECK(std::string(text.data(), text.size())
            == "major minor  #blocks  name\n\n"
               "   3        0       8192 hda\n"
               "   3        1       2048 hda1\n"
               "   3        2       1024 hda2\n"
               "   3        3          1 hda3\n"
               "   3        5       1024 hda5\n"
               "   3        6        512 hda6\n");
        block::remove_partitions(hda);
        CHECK(block::find_block_device("hda1") == nullptr);
        CHECK(block::find_block_device("hda") == &hda);
    });
}
