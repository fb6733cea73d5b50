// Setting the wall clock through the system-call table (clock_settime, clock_settime64, settimeofday): Linux's
// errors in Linux's order, and the clock (and the vDSO's page of it) moving at once; the CPU-time clocks.
#include <catch2/catch_test_macros.hpp>

#include "../proc/process_machine.hpp"
#include "kernel/clock.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysClockSettime = sys::nr("clock_settime"), kSysClockSettime64 = sys::nr("clock_settime64"),
              kSysSettimeofday = sys::nr("settimeofday"), kSysClockGettime64 = sys::nr("clock_gettime64"),
              kSysSetuid32 = sys::nr("setuid32");
constexpr i64 kSecond = 1000000000;

i64 vdso_realtime()
{
    arch::UserClockReading reading;
    REQUIRE(arch::read_user_clock(
        sim::user_clock(), [] { return arch::clock_ns(); }, reading));
    return reading.realtime_ns;
}

} // namespace

TEST_CASE("clock_settime: only CLOCK_REALTIME, a valid time, by root; the clock and its vDSO page follow")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        poke(at, sys::Timespec32 { 1600000000, 5 });
        CHECK(call(kSysClockSettime, 1, at) == err(Errno::INVAL)); // CLOCK_MONOTONIC cannot be set
        CHECK(call(kSysClockSettime, 0, 0x10) == err(Errno::FAULT));
        poke(at, sys::Timespec32 { 1600000000, 1000000000 });
        CHECK(call(kSysClockSettime, 0, at) == err(Errno::INVAL));
        poke(at, sys::Timespec32 { 1600000000, 5 });
        CHECK(call(kSysClockSettime, 0, at) == 0);
        CHECK(realtime_ns() - 1600000000 * kSecond < kSecond);
        CHECK(vdso_realtime() == realtime_ns());

        poke(at, sys::Timespec64 { 5000000000, 0 }); // past 2038
        CHECK(call(kSysClockSettime64, 0, at) == 0);
        CHECK(realtime_ns() / kSecond == 5000000000);
        CHECK(vdso_realtime() == realtime_ns());
        u32 out = at + 64;
        CHECK(call(kSysClockGettime64, 0, out) == 0);
        CHECK(peek<sys::Timespec64>(out).seconds == 5000000000);

        poke(at, sys::Timeval32 { 1700000000, 1000000 });
        CHECK(call(kSysSettimeofday, at, 0) == err(Errno::INVAL));
        poke(at, sys::Timeval32 { 1700000000, 250000 });
        poke(at + 8, sys::Timezone { 16 * 60, 0 });
        CHECK(call(kSysSettimeofday, at, at + 8) == err(Errno::INVAL));
        poke(at + 8, sys::Timezone { -60, 0 });
        CHECK(call(kSysSettimeofday, at, at + 8) == 0);
        CHECK(realtime_ns() / 1000000 == 1700000000250);
        CHECK(vdso_realtime() == realtime_ns());

        CHECK(call(kSysSetuid32, 1000) == 0);
        CHECK(call(kSysClockSettime, 0, at) == err(Errno::PERM));
        CHECK(call(kSysSettimeofday, at, 0) == err(Errno::PERM));
    });
}

TEST_CASE("clock_gettime: the CPU-time clocks count the ticks charged to the process and the thread")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        for (int i = 0; i < 5; ++i)
            sim::advance_tick();
        CHECK(call(kSysClockGettime64, 2, at) == 0);
        auto process = peek<sys::Timespec64>(at);
        CHECK(process.seconds == 0);
        CHECK(process.nanoseconds >= 5 * 1000000);
        CHECK(call(kSysClockGettime64, 3, at) == 0);
        CHECK(peek<sys::Timespec64>(at).nanoseconds >= 5 * 1000000);
    });
}
