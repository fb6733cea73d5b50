// The one wait queue (proc/wait_queue.hpp), driven from simulated tasks: the "user program" of each task calls
// the queue directly, as a system call's kernel code would. Wakers are other tasks, the idle loop's timer
// interrupt (sim::set_idle_hook) and the tick hook's SIGALRM.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "proc/scheduler.hpp"
#include "proc/signal.hpp"
#include "proc/wait_queue.hpp"
#include "process_machine.hpp"
#include "sim/sim.hpp"

using namespace proc_test;
using proc::Interruptible;
using proc::WaitOutcome;

namespace {

constexpr u32 kFork = sys::nr("fork"), kKill = sys::nr("kill"), kSchedYield = sys::nr("sched_yield"),
              kRtSigreturn = sys::nr("rt_sigreturn"), kRtSigaction = sys::nr("rt_sigaction");
constexpr i32 kSigUsr1 = 10;
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;

bool is_asleep(i32 pid)
{
    proc::Thread* process = proc::find_thread(pid);
    return process && process->state == proc::Thread::State::Blocked;
}

// A SIGUSR1 handler, so that a signal ends a wait instead of the process (the sim records the frame).
void handle_sigusr1()
{
    u32 box = scratch(kPage);
    poke(box, proc::SignalAction { kHandler, proc::kSaRestorer, kRestorer, 0 });
    REQUIRE(call(kRtSigaction, kSigUsr1, box, 0, 8) == 0);
}

// After a wait that SIGUSR1 accompanied: its handler frame was set up on the way out of the last call.
void finish_sigusr1()
{
    REQUIRE(sim::signal_deliveries().size() == 1);
    CHECK(sim::signal_deliveries()[0].signal == kSigUsr1);
    call(kRtSigreturn);
}

void wait_until_asleep(i32 pid)
{
    yield_until([pid] { return is_asleep(pid); });
}

// The interrupt-context waker: the idle loop's timer interrupt makes the condition true and wakes the queue.
proc::WaitQueue* g_irq_queue;
bool g_irq_flag;
bool g_irq_in_task;
int g_irq_calls;
void on_idle_interrupt()
{
    ++g_irq_calls;
    g_irq_in_task = proc::running() != nullptr;
    g_irq_flag = true;
    g_irq_queue->wake_all();
}

} // namespace

// Deadlines are nanoseconds; the sim's clock moves a millisecond a tick.
constexpr u64 kTickNs = 1000000;

TEST_CASE("wake_all wakes every waiter, and each tests its condition again before returning", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue queue;
    int level = 0;
    std::vector<int> tests(3, 0);
    std::vector<WaitOutcome> outcomes(3, WaitOutcome::TimedOut);
    for (int i = 1; i <= 2; ++i) {
        children.programs.push_back([&, i] {
            outcomes[i] = queue.wait_until([&] {
                ++tests[i];
                return level >= i;
            });
            exit_group(0);
        });
    }
    children.install();
    run_program(m, [&] {
        i32 first = call(kFork), second = call(kFork);
        wait_until_asleep(first);
        wait_until_asleep(second);
        CHECK(queue.waiter_count() == 2);
        level = 1;
        CHECK(queue.wake_all() == 2);
        CHECK_FALSE(queue.has_waiters()); // a wake-up takes the entries off
        yield_until([&] { return proc::find_process(first)->is_dead(); });
        // The second looked again, found its condition false, and sleeps on, queued again.
        yield_until([&] { return is_asleep(second); });
        CHECK(tests[2] == 2);
        CHECK(queue.waiter_count() == 1);
        level = 2;
        CHECK(queue.wake_all() == 1);
        yield_until([&] { return proc::find_process(second)->is_dead(); });
        CHECK(outcomes[1] == WaitOutcome::Ready);
        CHECK(outcomes[2] == WaitOutcome::Ready);
        CHECK(tests[1] == 2);
        CHECK(tests[2] == 3);
        CHECK(call(sys::nr("wait4"), static_cast<u32>(-1), 0, 0, 0) > 0);
        CHECK(call(sys::nr("wait4"), static_cast<u32>(-1), 0, 0, 0) > 0);
    });
}

TEST_CASE("wake_one wakes every non-exclusive waiter and one exclusive waiter, oldest first", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue queue;
    int tokens = 0;
    std::string order;
    // Two exclusive waiters that each take a token, and one that only watches.
    for (char name : { 'a', 'b' }) {
        children.programs.push_back([&, name] {
            CHECK(queue.wait_exclusive_until([&] { return tokens > 0; }) == WaitOutcome::Ready);
            --tokens;
            order += name;
            exit_group(0);
        });
    }
    children.programs.push_back([&] {
        CHECK(queue.wait_until([&] { return tokens > 0; }) == WaitOutcome::Ready);
        order += 'w';
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        i32 a = call(kFork);
        wait_until_asleep(a);
        i32 b = call(kFork);
        wait_until_asleep(b);
        i32 watcher = call(kFork);
        wait_until_asleep(watcher);
        tokens = 1;
        CHECK(queue.wake_one() == 2); // the watcher and `a`
        CHECK(queue.waiter_count() == 1);
        yield_until([&] { return proc::find_process(a)->is_dead() && proc::find_process(watcher)->is_dead(); });
        CHECK(is_asleep(b)); // not woken: the one token went to `a`
        CHECK(order.find('a') != std::string::npos);
        CHECK(order.find('b') == std::string::npos);
        tokens = 1;
        CHECK(queue.wake_one() == 1);
        yield_until([&] { return proc::find_process(b)->is_dead(); });
        CHECK(order.size() == 3);
        CHECK(order.back() == 'b');
        CHECK(tokens == 0);
        for (int i = 0; i < 3; ++i)
            CHECK(call(sys::nr("wait4"), static_cast<u32>(-1), 0, 0, 0) > 0);
    });
}

TEST_CASE(
    "A condition that holds never sleeps or queues, even with a signal pending or the deadline gone", "[wait_queue]")
{
    ProcessMachine m;
    run_program(m, [&] {
        proc::WaitQueue queue;
        handle_sigusr1();
        proc::send_thread_signal(*proc::current(), kSigUsr1, { proc::kSiUser, 1, 0, 0, 0 });
        REQUIRE(proc::has_deliverable_signal(*proc::current()));
        bool interrupts_on_in_condition = true;
        CHECK(queue.wait_until(
                  [&] {
                      interrupts_on_in_condition = arch::interrupts_enabled();
                      return !queue.has_waiters();
                  },
                  arch::clock_ns())
            == WaitOutcome::Ready);
        CHECK_FALSE(interrupts_on_in_condition); // tested with interrupts off
        CHECK_FALSE(queue.has_waiters());
        // The same condition false: the deadline (already here) comes before the signal, then the signal.
        CHECK(queue.wait_until([] { return false; }, arch::clock_ns()) == WaitOutcome::TimedOut);
        CHECK(queue.wait_until([] { return false; }) == WaitOutcome::Interrupted);
        CHECK_FALSE(queue.has_waiters());
        call(kSchedYield); // the way back delivers SIGUSR1
        finish_sigusr1();
    });
}

TEST_CASE("A deadline ends a wait once the clock reaches it, and not before", "[wait_queue]")
{
    ProcessMachine m;
    run_program(m, [&] {
        proc::WaitQueue queue;
        u64 start = sim::elapsed_ticks();
        int tests = 0;
        // Nothing else runs: the idle loop's timer interrupts move the clock on until the deadline.
        CHECK(queue.wait_until(
                  [&] {
                      ++tests;
                      return false;
                  },
                  (start + 5) * kTickNs)
            == WaitOutcome::TimedOut);
        CHECK(sim::elapsed_ticks() >= start + 5);
        CHECK(sim::elapsed_ticks() <= start + 6);
        CHECK(tests == 2); // before the sleep, and once when the tick hook woke it
        CHECK_FALSE(queue.has_waiters());
        CHECK(proc::sleep_until([] { return false; }, proc::deadline_after(3 * kTickNs)) == WaitOutcome::TimedOut);
    });
}

TEST_CASE("A signal ends an interruptible wait; a killable or uninterruptible one sleeps on", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue queue;
    bool ready = false;
    std::vector<WaitOutcome> outcomes;
    children.programs.push_back([&] {
        handle_sigusr1();
        outcomes.push_back(queue.wait_until([&] { return ready; }));
        call(kSchedYield);
        finish_sigusr1();
        for (auto mode : { Interruptible::Killable, Interruptible::No }) {
            proc::send_thread_signal(*proc::current(), kSigUsr1, { proc::kSiUser, 1, 0, 0, 0 });
            outcomes.push_back(queue.wait_until([&] { return ready; }, proc::kNoDeadline, mode));
            ready = false;
            call(kSchedYield);
            finish_sigusr1();
        }
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        i32 child = call(kFork);
        wait_until_asleep(child);
        CHECK(call(kKill, static_cast<u32>(child), kSigUsr1) == 0);
        yield_until([&] { return outcomes.size() == 1; });
        CHECK(outcomes[0] == WaitOutcome::Interrupted);
        for (int round = 0; round < 2; ++round) {
            wait_until_asleep(child);
            // The signal pending since before the wait did not end it, nor does another kill.
            CHECK(call(kKill, static_cast<u32>(child), kSigUsr1) == 0);
            call(kSchedYield);
            CHECK(is_asleep(child));
            ready = true;
            queue.wake_all();
            yield_until([&] { return outcomes.size() == static_cast<usize>(2 + round); });
            CHECK(outcomes.back() == WaitOutcome::Ready);
        }
        CHECK(call(sys::nr("wait4"), static_cast<u32>(child), 0, 0, 0) == child);
    });
}

TEST_CASE("SIGKILL ends a killable wait", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue queue;
    children.programs.push_back([&] {
        CHECK(queue.wait_until([] { return false; }, proc::kNoDeadline, Interruptible::Killable)
            == WaitOutcome::Interrupted);
        call(kSchedYield); // SIGKILL ends the process on the way back
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch(kPage);
        i32 child = call(kFork);
        wait_until_asleep(child);
        CHECK(call(kKill, static_cast<u32>(child), proc::kSigKill) == 0);
        CHECK(call(sys::nr("wait4"), static_cast<u32>(child), box, 0, 0) == child);
        CHECK(peek<u32>(box) == static_cast<u32>(proc::kSigKill));
        CHECK_FALSE(queue.has_waiters());
    });
}

TEST_CASE(
    "After a wake-up the condition beats a signal that came with it, and a deadline beats a signal", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue queue;
    bool ready = false;
    std::vector<WaitOutcome> outcomes;
    u64 deadline = 0;
    children.programs.push_back([&] {
        handle_sigusr1();
        outcomes.push_back(queue.wait_until([&] { return ready; }));
        call(kSchedYield);
        finish_sigusr1();
        deadline = proc::deadline_after(20 * kTickNs);
        outcomes.push_back(queue.wait_until([] { return false; }, deadline));
        call(kSchedYield);
        finish_sigusr1();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        i32 child = call(kFork);
        wait_until_asleep(child);
        // Both before the sleeper runs again: the condition first.
        ready = true;
        queue.wake_all();
        CHECK(call(kKill, static_cast<u32>(child), kSigUsr1) == 0);
        yield_until([&] { return outcomes.size() == 1; });
        CHECK(outcomes[0] == WaitOutcome::Ready);
        wait_until_asleep(child);
        sim::advance_ticks(25); // the deadline has passed, but no tick hook looked yet
        CHECK(call(kKill, static_cast<u32>(child), kSigUsr1) == 0);
        yield_until([&] { return outcomes.size() == 2; });
        CHECK(outcomes[1] == WaitOutcome::TimedOut);
        CHECK(call(sys::nr("wait4"), static_cast<u32>(child), 0, 0, 0) == child);
    });
}

TEST_CASE("An interrupt handler wakes a queue, and the timer interrupt's SIGALRM ends a wait", "[wait_queue]")
{
    ProcessMachine m;
    proc::WaitQueue queue;
    g_irq_queue = &queue;
    g_irq_flag = false;
    g_irq_in_task = true;
    g_irq_calls = 0;
    run_program(m, [&] {
        // The only task sleeps; the idle loop's next timer interrupt runs the hook, which wakes it.
        sim::set_idle_hook(on_idle_interrupt);
        bool interrupts_off = true;
        CHECK(queue.wait_until([&] {
            interrupts_off = interrupts_off && !arch::interrupts_enabled();
            return g_irq_flag;
        }) == WaitOutcome::Ready);
        sim::set_idle_hook(nullptr);
        CHECK(g_irq_calls == 1);
        CHECK_FALSE(g_irq_in_task); // it ran in the idle context, as an interrupt does
        CHECK(interrupts_off);

        // SIGALRM from the tick hook (ITIMER_REAL) while asleep with no other waker.
        u32 box = scratch(kPage);
        poke(box, proc::SignalAction { kHandler, proc::kSaRestorer, kRestorer, 0 });
        REQUIRE(call(kRtSigaction, proc::kSigAlrm, box, 0, 8) == 0);
        u64 start = sim::elapsed_ticks();
        proc::arm_real_timer(proc::current()->process(), (start + 7) * kTickNs, 0);
        CHECK(queue.wait_until([] { return false; }) == WaitOutcome::Interrupted);
        CHECK(sim::elapsed_ticks() == start + 7);
        CHECK_FALSE(queue.has_waiters());
        call(kSchedYield);
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries()[0].signal == proc::kSigAlrm);
        call(kRtSigreturn);
    });
    g_irq_queue = nullptr;
}

TEST_CASE("One sleeper on two queues at once wakes from either, and leaves both", "[wait_queue]")
{
    ProcessMachine m;
    Children children;
    proc::WaitQueue first, second;
    bool ready = false;
    WaitOutcome outcome = WaitOutcome::TimedOut;
    // What a poll table does, with two entries.
    struct Both {
        proc::WaitEntry a, b;
        void prepare()
        {
            a.prepare();
            b.prepare();
        }
        bool woken() { return a.woken() || b.woken(); }
    };
    children.programs.push_back([&] {
        Both both { proc::WaitEntry(first), proc::WaitEntry(second) };
        outcome = proc::wait_event(
            both, [&] { return ready; }, proc::kNoDeadline, Interruptible::Yes);
        both.a.finish();
        both.b.finish();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        i32 child = call(kFork);
        wait_until_asleep(child);
        CHECK(first.waiter_count() == 1);
        CHECK(second.waiter_count() == 1);
        CHECK(second.wake_all() == 1); // woken without its condition: it goes back on the second queue
        call(kSchedYield);
        CHECK(is_asleep(child));
        CHECK(second.waiter_count() == 1);
        ready = true;
        CHECK(second.wake_all() == 1);
        yield_until([&] { return proc::find_process(child)->is_dead(); });
        CHECK(outcome == WaitOutcome::Ready);
        CHECK_FALSE(first.has_waiters());
        CHECK_FALSE(second.has_waiters());
        CHECK(call(sys::nr("wait4"), static_cast<u32>(child), 0, 0, 0) == child);
    });
}
