// The vDSO's clock page (arch/user_clock.hpp): the fixed-point scaling and the division-free split the vDSO
// does, the sequence counter's retry, and the kernel keeping the sim's page in step with its wall clock.
#include <catch2/catch_test_macros.hpp>

#include "arch/user_clock.hpp"
#include "kernel/clock.hpp"
#include "sim/sim.hpp"

TEST_CASE("user clock: scale_cycles is the exact 64.32 product, shifted, over the range of uptimes")
{
    const u64 rates[]
        = { u64 { 1 } << 32, (1000000000ull << 32) / 2400000000ull, (1000000000ull << 32) / 1193182, 0x1234567890ull };
    const u64 cycles[]
        = { 0, 1, 0xFFFFFFFFull, 0x100000000ull, 0x123456789ABCull, 3ull * 3600 * 24 * 365 * 4000000000ull };
    for (u64 rate : rates)
        for (u64 count : cycles) {
            auto exact = static_cast<unsigned __int128>(count) * rate >> 32;
            CHECK(arch::scale_cycles(count, rate) == static_cast<u64>(exact));
        }
}

TEST_CASE("user clock: split_seconds gives the quotient and remainder of a division by 10^9")
{
    for (u64 ns : { 0ull, 999999999ull, 1000000000ull, 1700000000123456789ull, 0x7FFFFFFFFFFFFFFFull, ~0ull }) {
        u32 nanoseconds = 12345;
        CHECK(arch::split_seconds(ns, nanoseconds) == ns / 1000000000ull);
        CHECK(nanoseconds == ns % 1000000000ull);
    }
}

TEST_CASE("user clock: a reader retries while a write is under way or lands during its read")
{
    arch::UserClockData data { 0, arch::kUserClockTsc, 100, u64 { 2 } << 32, 5000 };
    int reads = 0;
    arch::UserClockReading reading;
    // The first read sees a write begin and end in between (sequence moves by two), the second none.
    auto changing = [&] {
        if (reads++ == 0) {
            arch::begin_user_clock_write(data);
            data.realtime_at_zero = 7000;
            arch::end_user_clock_write(data);
        }
        return u64 { 150 };
    };
    REQUIRE(arch::read_user_clock(data, changing, reading));
    CHECK(reads == 2);
    CHECK(reading.monotonic_ns == 100);
    CHECK(reading.realtime_ns == 7100);

    // A finished write leaves the sequence even, and a quiet page is read once.
    reads = 0;
    auto finishing = [&] {
        ++reads;
        return u64 { 110 };
    };
    arch::begin_user_clock_write(data);
    CHECK(data.sequence % 2 == 1);
    arch::end_user_clock_write(data);
    REQUIRE(arch::read_user_clock(data, finishing, reading));
    CHECK(reads == 1);
    CHECK(reading.monotonic_ns == 20);

    data.mode = arch::kUserClockSyscall;
    CHECK_FALSE(arch::read_user_clock(data, finishing, reading));
}

TEST_CASE("user clock: the page the kernel keeps gives its monotonic and wall clocks at once after a set")
{
    sim::reset();
    sim::advance_ticks(1234);
    set_realtime_ns(1'700'000'000'000'000'000);
    sim::advance_ticks(10);
    arch::UserClockReading reading;
    REQUIRE(arch::read_user_clock(
        sim::user_clock(), [] { return arch::clock_ns(); }, reading));
    CHECK(reading.monotonic_ns == monotonic_ns());
    CHECK(reading.realtime_ns == realtime_ns());
    CHECK(sim::user_clock().sequence % 2 == 0);
}
