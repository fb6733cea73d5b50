// The scheduler and the process family on the simulated machine: each process a task on a host stack of its
// own, so fork really has two programs running in turn. Round-robin order, time slices, blocking in wait4
// and nanosleep, the tick (skipped periods, stopped while idle), zombies, orphans handed to init, and
// teardown when init ends.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "process_machine.hpp"
#include "proc/scheduler.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysWaitpid = sys::nr("waitpid"), kSysSchedYield = sys::nr("sched_yield"),
              kSysNanosleep = sys::nr("nanosleep"), kSysWait4 = sys::nr("wait4");
constexpr u32 kWNoHang = 1;

i32 wait_for(i32 pid, u32 status_address, u32 options = 0)
{
    return call(kSysWait4, static_cast<u32>(pid), status_address, options, 0);
}

} // namespace

TEST_CASE("fork: the child gets 0, the parent its pid, and wait4 its exit status")
{
    ProcessMachine m;
    Children children;
    i32 child_pid = 0, seen_parent = 0;
    children.programs.push_back([&] {
        seen_parent = call(kSysGetppid);
        exit_group(7);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        child_pid = call(kSysFork);
        CHECK(child_pid == 2);
        CHECK(wait_for(child_pid, box) == child_pid);
        CHECK(peek<u32>(box) == 7u << 8);
        CHECK(wait_for(-1, box) == err(Errno::CHILD)); // reaped: no child left
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(seen_parent == 1);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("sched_yield takes turns round-robin")
{
    ProcessMachine m;
    Children children;
    std::vector<char> order;
    for (char name : { 'b', 'c' }) {
        children.programs.push_back([&order, name] {
            for (int i = 0; i < 3; ++i) {
                order.push_back(name);
                call(kSysSchedYield);
            }
            exit_group(0);
        });
    }
    children.install();
    auto status = m.run([&](uptr, uptr) {
        call(kSysFork);
        call(kSysFork);
        for (int i = 0; i < 3; ++i) {
            order.push_back('a');
            call(kSysSchedYield);
        }
        u32 box = scratch();
        while (wait_for(-1, box) > 0) { }
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(std::string(order.begin(), order.end()) == "abcabcabc");
}

TEST_CASE("A used-up time slice hands the CPU over on the way back to user mode")
{
    ProcessMachine m;
    Children children;
    std::vector<char> order;
    children.programs.push_back([&] {
        order.push_back('b');
        exit_group(0);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        call(kSysFork);
        // Nine ticks leave the slice unfinished: the child does not run yet.
        for (u32 i = 0; i + 1 < proc::kTimeSliceTicks; ++i)
            sim::advance_tick();
        call(kSysGetpid);
        order.push_back('a');
        sim::advance_tick(); // the tenth: the next return to user mode switches
        call(kSysGetpid);
        order.push_back('a');
        u32 box = scratch();
        wait_for(-1, box);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(std::string(order.begin(), order.end()) == "aba");
}

TEST_CASE("wait4 blocks until a child exits; WNOHANG does not")
{
    ProcessMachine m;
    Children children;
    std::vector<std::string> events;
    children.programs.push_back([&] {
        events.push_back("child runs");
        call(kSysSchedYield);
        events.push_back("child exits");
        exit_group(3);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        i32 child = call(kSysFork);
        CHECK(wait_for(child, box, kWNoHang) == 0);
        events.push_back("parent waits");
        CHECK(wait_for(child, box) == child);
        events.push_back("parent woken");
        CHECK(peek<u32>(box) == 3u << 8);
        CHECK(call(kSysWaitpid, static_cast<u32>(-1), box, 0x100) == err(Errno::INVAL)); // unknown option bits
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(events == std::vector<std::string> { "parent waits", "child runs", "child exits", "parent woken" });
}

TEST_CASE("An orphan goes to init, which reaps it")
{
    ProcessMachine m;
    Children children;
    i32 grandchild_parent_before = 0, grandchild_parent_after = 0;
    children.programs.push_back([&] { // the middle child: forks, lets the grandchild run once, exits
        call(kSysFork);
        call(kSysSchedYield);
        exit_group(0);
    });
    children.programs.push_back([&] { // the grandchild
        grandchild_parent_before = call(kSysGetppid);
        call(kSysSchedYield);
        call(kSysSchedYield);
        grandchild_parent_after = call(kSysGetppid);
        exit_group(9);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        i32 middle = call(kSysFork);
        CHECK(wait_for(middle, box) == middle);
        i32 orphan = wait_for(-1, box);
        CHECK(orphan == 3);
        CHECK(peek<u32>(box) == 9u << 8);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(grandchild_parent_before == 2);
    CHECK(grandchild_parent_after == 1);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("nanosleep blocks the sleeper while others run, and wakes it on time")
{
    ProcessMachine m;
    Children children;
    u64 woke_at = 0;
    children.programs.push_back([&] {
        u32 request = scratch();
        poke(request, sys::Timespec32 { 0, 5 * 1000 * 1000 }); // 5 ms
        CHECK(call(kSysNanosleep, request, 0) == 0);
        woke_at = sim::elapsed_ticks();
        exit_group(0);
    });
    children.install();
    u64 started = 0;
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        started = sim::elapsed_ticks();
        i32 child = call(kSysFork);
        CHECK(wait_for(child, box) == child); // everyone blocked: the idle task lets time pass
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(woke_at >= started + 5);
    CHECK(woke_at <= started + 7);
}

TEST_CASE("A short nanosleep wakes at its deadline, not at the next tick, and the idle clock jumps to it")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 request = scratch();
        sim::advance_tick(); // off the boot's first tick
        u64 before = arch::clock_ns();
        poke(request, sys::Timespec32 { 0, 300 * 1000 }); // 0.3 ms
        CHECK(call(kSysNanosleep, request, 0) == 0);
        CHECK(arch::clock_ns() == before + 300 * 1000);
    });
}

namespace {
int g_idle_interrupts;
} // namespace

TEST_CASE("The tick stops while the CPU idles: a long sleep takes two timer interrupts, its idle time counted")
{
    ProcessMachine m;
    g_idle_interrupts = 0;
    run_program(m, [&] {
        u32 request = scratch();
        u64 idle_before = proc::scheduler_stats().idle;
        sim::set_idle_hook([] { ++g_idle_interrupts; });
        poke(request, sys::Timespec32 { 2, 0 });
        CHECK(call(kSysNanosleep, request, 0) == 0);
        sim::set_idle_hook(nullptr);
        // The stopped tick's last programmed interrupt, then the sleep's deadline (with the tick: 2000).
        CHECK(g_idle_interrupts == 2);
        CHECK(proc::scheduler_stats().idle - idle_before == 2000);
    });
}

TEST_CASE("Tick periods that went by unseen are skipped, not charged in a burst")
{
    constexpr u32 kSysGetrusage = sys::nr("getrusage");
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        REQUIRE(call(kSysGetrusage, 0, box) == 0);
        i32 user_before = peek<sys::Rusage>(box).user_microseconds;
        sim::advance_ticks(40); // no interrupt came
        sim::advance_tick();
        REQUIRE(call(kSysGetrusage, 0, box) == 0);
        CHECK(peek<sys::Rusage>(box).user_microseconds == user_before + 1000); // one tick, not 41
    });
}

TEST_CASE("When init ends, processes still alive are torn down with all their memory")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        scratch(64 * kPage);
        for (;;)
            call(kSysSchedYield); // never exits on its own
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        call(kSysFork);
        call(kSysSchedYield);
        exit_group(4);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 4u << 8);
    CHECK(proc::thread_count() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("fork without memory for the child is ENOMEM at whatever point it runs out, leaving nothing behind")
{
    ProcessMachine m;
    Children children;
    for (int i = 0; i < 32; ++i)
        children.programs.push_back([&] { exit_group(0); });
    children.install();
    int failures = 0, successes = 0;
    auto status = m.run([&](uptr, uptr) {
        u32 data = scratch(8 * kPage);
        for (u32 i = 0; i < 8; ++i)
            poke<u32>(data + i * kPage, i); // pages and tables the child must share and copy
        u32 box = scratch();
        struct Block {
            PhysAddr address;
            unsigned order;
        };
        std::vector<Block> hoard;
        auto take_everything = [&] {
            mm::kmalloc_shrink();
            for (unsigned order : { 2u, 0u }) {
                for (;;) {
                    auto block = mm::page_allocator().allocate(order);
                    if (block.is_error())
                        break;
                    hoard.push_back({ block.value(), order });
                }
            }
        };
        // Give fork a kernel stack's worth and then a few pages more each round, so that it runs out at
        // every point in turn: its process, its stack, the address space, its tables, its areas.
        for (int extra = 0; extra <= 12; ++extra) {
            take_everything();
            usize given = 0;
            for (usize i = hoard.size(); i-- > 0 && given < 1 + static_cast<usize>(extra);) {
                if ((given == 0) != (hoard[i].order == 2))
                    continue;
                mm::page_allocator().free(hoard[i].address, hoard[i].order);
                hoard.erase(hoard.begin() + static_cast<long>(i));
                ++given;
            }
            usize before = proc::thread_count();
            i32 child = call(kSysFork);
            if (child > 0) {
                ++successes;
                CHECK(wait_for(child, box) == child);
            } else {
                ++failures;
                CHECK((child == err(Errno::NOMEM) || child == err(Errno::AGAIN)));
            }
            CHECK(proc::thread_count() == before);
        }
        for (const Block& block : hoard)
            mm::page_allocator().free(block.address, block.order);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(failures > 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("user and system time are counted apart, and ITIMER_VIRTUAL and ITIMER_PROF count them down")
{
    constexpr u32 kSysSetitimer = sys::nr("setitimer"), kSysGetitimer = sys::nr("getitimer"),
                  kSysGetrusage = sys::nr("getrusage"), kSysRtSigprocmask = sys::nr("rt_sigprocmask"),
                  kSysRtSigpending = sys::nr("rt_sigpending");
    constexpr int kSigVtalrm = 26, kSigProf = 27;
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        poke<u64>(box, proc::signal_bit(kSigVtalrm) | proc::signal_bit(kSigProf));
        REQUIRE(call(kSysRtSigprocmask, 0, box, 0, 8) == 0); // blocked, so they stay pending to be seen
        poke(box, sys::Itimerval { { 0, 0 }, { 0, 5000 } });      // 5 ms of user time, once
        REQUIRE(call(kSysSetitimer, 1, box, 0) == 0);
        poke(box, sys::Itimerval { { 0, 8000 }, { 0, 8000 } });   // every 8 ms of CPU time
        REQUIRE(call(kSysSetitimer, 2, box, 0) == 0);
        CHECK(call(kSysSetitimer, 3, box, 0) == err(Errno::INVAL));
        for (int i = 0; i < 3; ++i)
            sim::advance_tick(false);
        for (int i = 0; i < 4; ++i)
            sim::advance_tick(true);
        REQUIRE(call(kSysRtSigpending, box, 8) == 0);
        CHECK(peek<u64>(box) == 0);
        sim::advance_tick(true); // the fifth user tick and the eighth in all
        REQUIRE(call(kSysRtSigpending, box, 8) == 0);
        CHECK(peek<u64>(box) == (proc::signal_bit(kSigVtalrm) | proc::signal_bit(kSigProf)));
        REQUIRE(call(kSysGetitimer, 1, box) == 0);
        CHECK(peek<sys::Itimerval>(box).value.microseconds == 0); // a one-shot: disarmed
        REQUIRE(call(kSysGetitimer, 2, box) == 0);
        CHECK(peek<sys::Itimerval>(box).value.microseconds == 8000); // reloaded from its interval
        REQUIRE(call(kSysGetrusage, 0, box) == 0);
        auto usage = peek<sys::Rusage>(box);
        CHECK(usage.user_microseconds == 5000);
        CHECK(usage.system_microseconds == 3000);
    });
}
