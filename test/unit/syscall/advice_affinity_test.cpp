// posix_fadvise's calls and the CPU affinity calls through the system-call table: what glibc's programs ask
// (coreutils advises sequential reads; nproc and sort --parallel read the affinity mask), and the errors.
#include <catch2/catch_test_macros.hpp>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kOpen = sys::nr("open"), kClose = sys::nr("close"), kUnlink = sys::nr("unlink"),
              kFadvise64 = sys::nr("fadvise64"), kFadvise64_64 = sys::nr("fadvise64_64"),
              kGetaffinity = sys::nr("sched_getaffinity"), kSetaffinity = sys::nr("sched_setaffinity"),
              kSetresuid32 = sys::nr("setresuid32");
constexpr u32 kOCreat = 0100, kORdWr = 2, kSequential = 2, kDontNeed = 4, kNoReuse = 5;
constexpr u32 kBadAddress = 0xC0000000;

} // namespace

TEST_CASE("fadvise64 and fadvise64_64: checked, then taken as a hint", "[syscall][file]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        poke_string(box, "/advised");
        i32 fd = call(kOpen, box, kOCreat | kORdWr, 0644);
        REQUIRE(fd >= 0);
        u32 file = static_cast<u32>(fd);
        CHECK(call(kFadvise64_64, file, 0, 0, 0, 0, kSequential) == 0);
        CHECK(call(kFadvise64_64, file, 0xFFFFF000, 0x7FFFFFFF, 4096, 0, kDontNeed) == 0); // any offset
        CHECK(call(kFadvise64, file, 0, 0, 0xFFFFFFFF, kNoReuse) == 0); // fadvise64's length is unsigned
        CHECK(call(kFadvise64_64, file, 0, 0, 0, 0x80000000, kSequential) == err(Errno::INVAL)); // negative
        CHECK(call(kFadvise64_64, file, 0, 0, 0, 0, 6) == err(Errno::INVAL));
        CHECK(call(kFadvise64, file, 0, 0, 0, static_cast<u32>(-1)) == err(Errno::INVAL));
        CHECK(call(kFadvise64_64, 99, 0, 0, 0, 0, 6) == err(Errno::BADF)); // the file first
        PipeEnds ends = open_pipe(box + 0x100);
        CHECK(call(kFadvise64_64, static_cast<u32>(ends.read), 0, 0, 0, 0, 6) == err(Errno::SPIPE));
        close_pipe(ends);
        CHECK(call(kClose, file) == 0);
        CHECK(call(kUnlink, box) == 0);
    });
}

TEST_CASE("sched_getaffinity and sched_setaffinity: one CPU", "[syscall][process]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        poke<u32>(box, 0xFFFFFFFF);
        poke<u32>(box + 4, 0xFFFFFFFF);
        CHECK(call(kGetaffinity, 0, 128, box) == 4); // the kernel's mask size, not the caller's
        CHECK(peek<u32>(box) == 1);
        CHECK(peek<u32>(box + 4) == 0xFFFFFFFF); // nothing written past it
        CHECK(call(kGetaffinity, 1, 4, box) == 4); // by pid
        CHECK(call(kGetaffinity, 0, 0, box) == err(Errno::INVAL));
        CHECK(call(kGetaffinity, 0, 6, box) == err(Errno::INVAL)); // not whole longs
        CHECK(call(kGetaffinity, 4242, 4, box) == err(Errno::SRCH));
        CHECK(call(kGetaffinity, 0, 4, kBadAddress) == err(Errno::FAULT));

        poke<u32>(box, 0xFF);
        CHECK(call(kSetaffinity, 0, 4, box) == 0); // CPU 0 among others
        poke<u32>(box, 0x2);
        CHECK(call(kSetaffinity, 0, 4, box) == err(Errno::INVAL)); // only CPUs that do not exist
        CHECK(call(kSetaffinity, 0, 0, box) == err(Errno::INVAL));
        CHECK(call(kSetaffinity, 0, 4, kBadAddress) == err(Errno::FAULT));
        poke<u32>(box, 0x1);
        CHECK(call(kSetaffinity, 4242, 4, box) == err(Errno::SRCH));
        CHECK(call(kSetresuid32, 1000, 1000, 0) == 0);
        CHECK(call(kSetaffinity, 0, 4, box) == 0); // its own
        CHECK(call(kSetresuid32, 0, 0, 0) == 0);
    });
}
