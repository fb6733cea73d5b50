// The sleeping mutex (proc/mutex.hpp): contention between tasks in the sim, and its ownership rules.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "proc/mutex.hpp"
#include "proc/scheduler.hpp"
#include "process_machine.hpp"

using namespace proc_test;

namespace {

constexpr u32 kFork = sys::nr("fork"), kWait4 = sys::nr("wait4");

} // namespace

TEST_CASE("A mutex makes a second task sleep until its owner unlocks, then hands it over", "[mutex]")
{
    ProcessMachine m;
    Children children;
    proc::Mutex mutex;
    std::vector<int> steps;
    children.programs.push_back([&] {
        CHECK_FALSE(mutex.try_lock()); // the parent holds it
        mutex.lock(); // sleeps
        CHECK(mutex.is_held());
        steps.push_back(2);
        mutex.unlock();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        mutex.lock();
        CHECK(mutex.is_held());
        i32 child = call(kFork);
        yield_until([&] { return mutex.waiter_count() == 1; });
        proc::Thread* sleeper = proc::find_thread(child);
        REQUIRE(sleeper);
        CHECK(sleeper->state == proc::Thread::State::Blocked);
        steps.push_back(1);
        mutex.unlock();
        CHECK_FALSE(mutex.is_held());
        CHECK(call(kWait4, static_cast<u32>(child), 0, 0, 0) == child);
        CHECK(steps == std::vector<int> { 1, 2 });
        CHECK_FALSE(mutex.is_locked());
        CHECK(mutex.try_lock());
        mutex.unlock();
    });
}

TEST_CASE("Boot code outside any task takes a free mutex", "[mutex]")
{
    proc::Mutex mutex;
    {
        proc::MutexGuard guard(mutex);
        CHECK(mutex.is_held());
        CHECK_FALSE(mutex.try_lock());
    }
    CHECK_FALSE(mutex.is_locked());
}
