// What kernel::reset_boot_state() must put back between machines where a leftover would do harm: sleepers of a
// machine torn down mid-sleep (their entries lie in freed kernel stacks) and the wall clock a test set.
#include <catch2/catch_test_macros.hpp>

#include "kernel/clock.hpp"
#include "process_machine.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysFutex = sys::nr("futex"), kSysSchedYield = sys::nr("sched_yield");
constexpr u32 kFutexWait = 0, kFutexWake = 1;

} // namespace

TEST_CASE("a futex sleeper torn down with its machine is not left in the next machine's buckets", "[proc][boot]")
{
    {
        ProcessMachine m;
        Children children;
        children.programs.push_back([] {
            u32 word = scratch(kPage);
            for (;;) // asleep when init's end destroys the process; its kernel frames are never unwound
                call(kSysFutex, word, kFutexWait, 0, 0);
        });
        children.install();
        auto status = m.run([&](uptr, uptr) {
            REQUIRE(call(kSysFork) > 0);
            for (int i = 0; i < 3; ++i)
                call(kSysSchedYield);
            exit_group(0);
        });
        REQUIRE_FALSE(status.is_error());
    }
    // Without the reset a wake that hashes to the old sleeper's bucket reads its freed entry (ASan stops here).
    ProcessMachine m;
    run_program(m, [&] {
        u32 words = scratch(4 * kPage);
        for (u32 offset = 0; offset < 4 * kPage; offset += 4)
            CHECK(call(kSysFutex, words + offset, kFutexWake, 1) == 0);
    });
}

TEST_CASE("the wall clock one machine set is not the next machine's", "[proc][boot]")
{
    {
        SimRam ram(4);
        set_realtime_ns(1'700'000'000'000'000'000);
        CHECK(realtime_ns() >= 1'700'000'000'000'000'000);
    }
    SimRam ram(4);
    CHECK(realtime_ns() == static_cast<i64>(monotonic_ns())); // the epoch at clock zero, as with no RTC
}
