// The one transfer path (mm/io_buffer.hpp) as programs see it: read and write copy straight between a file's
// storage and user memory, so a fault part-way is a short count that keeps the bytes not delivered (a pipe's
// stay in the ring); readv and writev are one transfer over the whole vector, checked and fetched once.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "drivers/memory_devices.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kRead = sys::nr("read"), kOpen = sys::nr("open"), kClose = sys::nr("close"), kLseek = sys::nr("lseek"),
              kReadv = sys::nr("readv"), kPread64 = sys::nr("pread64"), kPwrite64 = sys::nr("pwrite64"),
              kFstat64 = sys::nr("fstat64");
constexpr u32 kORdWr = 2, kOCreat = 0100;
constexpr u32 kFionread = 0x541B;

// Four pages of scratch memory with the third unmapped: a buffer starting at page 1 faults one page in.
struct HoledScratch {
    u32 base;
    u32 page(u32 n) const { return base + n * kPage; }
};
HoledScratch holed_scratch()
{
    u32 base = scratch(4 * kPage);
    REQUIRE(call(kSysMunmap, base + 2 * kPage, kPage) == 0);
    return { base };
}

void fill_pattern(u32 address, usize length, u8 seed)
{
    std::string bytes(length, '\0');
    for (usize i = 0; i < length; ++i)
        bytes[i] = static_cast<char>(seed + i * 7);
    poke(address, bytes.data(), length);
}

bool has_pattern(u32 address, usize length, u8 seed, usize offset = 0)
{
    std::string bytes(length, '\0');
    REQUIRE_FALSE(mm::raw::copy_from_user(bytes.data(), address, length).is_error());
    for (usize i = 0; i < length; ++i)
        if (bytes[i] != static_cast<char>(seed + (offset + i) * 7))
            return false;
    return true;
}

i32 waiting_in(i32 fd, u32 box)
{
    REQUIRE(call(kSysIoctl, static_cast<u32>(fd), kFionread, box) == 0);
    return peek<i32>(box);
}

i32 open_path(u32 name, const std::string& path, u32 flags)
{
    poke_string(name, path);
    return call(kOpen, name, flags, 0644);
}

} // namespace

TEST_CASE("transfer: a fault part-way through a regular file's read or write is a short count", "[syscall][transfer]")
{
    ProcessMachine m;
    run_and_remove(m, { "/data" }, [&] {
        HoledScratch s = holed_scratch();
        u32 name = s.page(3);
        i32 fd = open_path(name, "/data", kOCreat | kORdWr);
        REQUIRE(fd >= 0);
        fill_pattern(s.page(0), 2 * kPage, 3);
        REQUIRE(call(kSysWrite, static_cast<u32>(fd), s.page(0), 2 * kPage) == static_cast<i32>(2 * kPage));

        // 8 KiB into a buffer whose second page is unmapped: the first page's worth arrives, the position
        // moves by that much, and the next read carries on from there.
        REQUIRE(call(kLseek, static_cast<u32>(fd), 0, 0) == 0);
        CHECK(call(kRead, static_cast<u32>(fd), s.page(1), 2 * kPage) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(1), kPage, 3));
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == static_cast<i32>(kPage));
        CHECK(call(kRead, static_cast<u32>(fd), s.page(1), kPage) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(1), kPage, 3, kPage));
        // Nothing at all: EFAULT, and the position stays. (At end of file nothing is copied, so no fault: 0.)
        CHECK(call(kRead, static_cast<u32>(fd), s.page(2), 16) == 0);
        REQUIRE(call(kLseek, static_cast<u32>(fd), 100, 0) == 100);
        CHECK(call(kRead, static_cast<u32>(fd), s.page(2), 16) == err(Errno::FAULT));
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == 100);
        CHECK(call(kPread64, static_cast<u32>(fd), s.page(2) + 100, 16, 0, 0) == err(Errno::FAULT));

        // Writing from the same buffer: what precedes the hole goes in, the file grows by that much.
        fill_pattern(s.page(1), kPage, 9);
        CHECK(call(kPwrite64, static_cast<u32>(fd), s.page(1), 3 * kPage, 2 * kPage, 0) == static_cast<i32>(kPage));
        REQUIRE(call(kFstat64, static_cast<u32>(fd), s.page(3)) == 0);
        CHECK(peek<sys::Stat64>(s.page(3)).size == 3 * kPage);
        CHECK(call(kPread64, static_cast<u32>(fd), s.page(0), kPage, 2 * kPage, 0) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(0), kPage, 9));
        CHECK(call(kSysWrite, static_cast<u32>(fd), s.page(2), 1) == err(Errno::FAULT));
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
    });
}

TEST_CASE("transfer: a pipe keeps the bytes a faulting reader could not take", "[syscall][transfer][pipe]")
{
    ProcessMachine m;
    run_program(m, [&] {
        HoledScratch s = holed_scratch();
        u32 box = s.page(3);
        PipeEnds ends = open_pipe(box);
        fill_pattern(s.page(0), 2 * kPage, 5);
        REQUIRE(call(kSysWrite, static_cast<u32>(ends.write), s.page(0), 2 * kPage) == static_cast<i32>(2 * kPage));

        CHECK(call(kRead, static_cast<u32>(ends.read), s.page(1), 2 * kPage) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(1), kPage, 5));
        CHECK(waiting_in(ends.read, box + 64) == static_cast<i32>(kPage));
        CHECK(call(kRead, static_cast<u32>(ends.read), s.page(2), kPage) == err(Errno::FAULT));
        CHECK(waiting_in(ends.read, box + 64) == static_cast<i32>(kPage));
        CHECK(call(kRead, static_cast<u32>(ends.read), s.page(0), 2 * kPage) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(0), kPage, 5, kPage));

        // A writer whose buffer faults: what came before the fault is in the ring, nothing after.
        fill_pattern(s.page(1), kPage, 11);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), s.page(1), 2 * kPage) == static_cast<i32>(kPage));
        CHECK(waiting_in(ends.read, box + 64) == static_cast<i32>(kPage));
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), s.page(2), 10) == err(Errno::FAULT));
        CHECK(waiting_in(ends.read, box + 64) == static_cast<i32>(kPage));
        CHECK(call(kRead, static_cast<u32>(ends.read), s.page(0), 2 * kPage) == static_cast<i32>(kPage));
        CHECK(has_pattern(s.page(0), kPage, 11));
        close_pipe(ends);
    });
}

TEST_CASE("transfer: readv and writev move the whole vector in one transfer", "[syscall][transfer][pipe]")
{
    ProcessMachine m;
    run_program(m, [&] {
        HoledScratch s = holed_scratch();
        u32 buffer = s.page(0), vectors = s.page(1), box = s.page(3);
        PipeEnds ends = open_pipe(box);

        // Twenty one-byte segments: more than live inside the call, so the array is kmalloc'd.
        poke_string(buffer, "abcdefghijklmnopqrst");
        for (u32 i = 0; i < 20; ++i)
            poke(vectors + 8 * i, sys::IoVec { buffer + 19 - i, 1 });
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), vectors, 20) == 20);
        CHECK(waiting_in(ends.read, box + 64) == 20);

        // One read across segments of 4, 4 and 100 bytes takes all twenty.
        poke(vectors, sys::IoVec { buffer + 100, 4 });
        poke(vectors + 8, sys::IoVec { buffer + 200, 4 });
        poke(vectors + 16, sys::IoVec { buffer + 300, 100 });
        CHECK(call(kReadv, static_cast<u32>(ends.read), vectors, 3) == 20);
        CHECK(peek_string(buffer + 100).substr(0, 4) == "tsrq");
        CHECK(peek_string(buffer + 200).substr(0, 4) == "ponm");
        CHECK(peek_string(buffer + 300).substr(0, 12) == "lkjihgfedcba");

        // The vector is checked whole before anything moves: a bad segment anywhere and the pipe is untouched.
        poke(vectors, sys::IoVec { buffer, 5 });
        poke(vectors + 8, sys::IoVec { buffer, 0x80000000 });
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), vectors, 2) == err(Errno::INVAL));
        poke(vectors + 8, sys::IoVec { 0xBFFFFFF0, 0x20 });
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), vectors, 2) == err(Errno::FAULT));
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), vectors, 1025) == err(Errno::INVAL));
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), 0xBFFFFFFC, 2) == err(Errno::FAULT));
        CHECK(waiting_in(ends.read, box + 64) == 0);
        // A segment past the last mapped page: the segments before it still go.
        poke(vectors + 8, sys::IoVec { s.page(2), 8 });
        CHECK(call(kSysWritev, static_cast<u32>(ends.write), vectors, 2) == 5);
        close_pipe(ends);
    });
}

TEST_CASE("transfer: /dev/zero and /dev/urandom stop at a fault too", "[syscall][transfer][devices]")
{
    ProcessMachine m;
    REQUIRE_FALSE(drivers::register_memory_devices().is_error());
    run_and_remove(m, { "/zero", "/urandom" }, [&] {
        HoledScratch s = holed_scratch();
        u32 name = s.page(3);
        for (auto [path, minor] : { std::pair { "/zero", 5u }, std::pair { "/urandom", 9u } }) {
            INFO(path);
            poke_string(name, path);
            REQUIRE(call(sys::nr("mknod"), name, 020000 | 0666, (1u << 8) | minor) == 0);
            i32 fd = open_path(name, path, kORdWr);
            REQUIRE(fd >= 0);
            fill_pattern(s.page(1), kPage, 1);
            CHECK(call(kRead, static_cast<u32>(fd), s.page(1) + kPage - 10, 100) == 10);
            if (minor == 5)
                CHECK(peek<u64>(s.page(1) + kPage - 8) == 0);
            CHECK(call(kRead, static_cast<u32>(fd), s.page(2), 100) == err(Errno::FAULT));
            // The writes of both take the whole buffer (urandom mixes it in), up to a fault.
            CHECK(call(kSysWrite, static_cast<u32>(fd), s.page(1), kPage) == static_cast<i32>(kPage));
            CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        }
    });
}
