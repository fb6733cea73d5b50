// Kernel timers (proc/timer.hpp), the timer interrupt they ask for (arch::set_timer_deadline, as the sim
// records it), and the interrupt-safe spin lock (arch/interrupts.hpp).
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "arch/arch.hpp"
#include "proc/timer.hpp"
#include "sim/sim.hpp"

namespace {

struct Fired {
    std::vector<int> order;
};

struct Probe {
    proc::Timer timer;
    Fired* fired;
    int id;
    u64 rearm_by { 0 }; // arm again this far after the deadline, from the callback
    int times { 0 };
};

void on_expiry(proc::Timer& timer, void* context)
{
    auto& probe = *static_cast<Probe*>(context);
    CHECK(&timer == &probe.timer);
    CHECK_FALSE(timer.is_armed()); // disarmed before its callback runs
    CHECK_FALSE(arch::interrupts_enabled());
    probe.fired->order.push_back(probe.id);
    ++probe.times;
    if (probe.rearm_by)
        timer.arm(timer.deadline() + probe.rearm_by);
}

} // namespace

TEST_CASE("Timers fire in deadline order, ties in the order armed, and never before their deadline", "[timer]")
{
    Fired fired;
    Probe a { {}, &fired, 1 }, b { {}, &fired, 2 }, c { {}, &fired, 3 }, d { {}, &fired, 4 };
    for (Probe* p : { &a, &b, &c, &d })
        p->timer.set_callback(on_expiry, p);
    usize before = proc::armed_timer_count();
    c.timer.arm(3000);
    a.timer.arm(1000);
    b.timer.arm(2000);
    d.timer.arm(2000); // the same deadline as b, armed later
    CHECK(proc::armed_timer_count() == before + 4);
    CHECK(proc::next_timer_deadline() == 1000);
    CHECK(proc::run_timers(999) == 0);
    CHECK(fired.order.empty());
    CHECK(proc::run_timers(2000) == 3);
    CHECK(fired.order == std::vector<int> { 1, 2, 4 });
    CHECK(c.timer.is_armed());
    CHECK(proc::next_timer_deadline() == 3000);
    CHECK(proc::run_timers(~u64 { 0 } - 1) == 1);
    CHECK(fired.order.back() == 3);
    CHECK(proc::armed_timer_count() == before);
}

TEST_CASE("A cancelled timer does not fire; arming again moves it; destruction cancels", "[timer]")
{
    Fired fired;
    Probe a { {}, &fired, 1 };
    a.timer.set_callback(on_expiry, &a);
    usize before = proc::armed_timer_count();
    a.timer.arm(500);
    CHECK(a.timer.cancel());
    CHECK_FALSE(a.timer.cancel()); // no longer armed
    CHECK(proc::run_timers(1000) == 0);
    a.timer.arm(700);
    a.timer.arm(900); // moved, not doubled
    CHECK(proc::armed_timer_count() == before + 1);
    CHECK(proc::run_timers(800) == 0);
    CHECK(proc::run_timers(900) == 1);
    a.timer.arm(proc::kNoDeadline); // disarms
    CHECK_FALSE(a.timer.is_armed());
    {
        Probe gone { {}, &fired, 2 };
        gone.timer.set_callback(on_expiry, &gone);
        gone.timer.arm(100);
        CHECK(proc::armed_timer_count() == before + 1);
    }
    CHECK(proc::armed_timer_count() == before);
    CHECK(fired.order == std::vector<int> { 1 });
}

TEST_CASE("A callback may arm its own timer again, for a periodic one", "[timer]")
{
    Fired fired;
    Probe p { {}, &fired, 7, 100 };
    p.timer.set_callback(on_expiry, &p);
    p.timer.arm(100);
    CHECK(proc::run_timers(350) == 3); // 100, 200 and 300; 400 is still to come
    CHECK(p.times == 3);
    CHECK(p.timer.deadline() == 400);
    CHECK(p.timer.cancel());
}

TEST_CASE("deadline_after saturates below kNoDeadline", "[timer]")
{
    u64 now = arch::clock_ns();
    CHECK(proc::deadline_after(5) == now + 5);
    CHECK(proc::deadline_after(~u64 { 0 }) == proc::kNoDeadline - 1);
}

TEST_CASE("An IrqSpinLock turns interrupts off while held and restores what it found", "[timer]")
{
    arch::IrqSpinLock lock;
    arch::interrupts_enable();
    {
        arch::SpinLockGuard guard(lock);
        CHECK(lock.is_held());
        CHECK_FALSE(arch::interrupts_enabled());
    }
    CHECK_FALSE(lock.is_held());
    CHECK(arch::interrupts_enabled());
    arch::interrupts_disable();
    bool were_enabled = lock.lock();
    CHECK_FALSE(were_enabled);
    lock.unlock(were_enabled);
    CHECK_FALSE(arch::interrupts_enabled()); // off before, off after
}

TEST_CASE("The timer interrupt is asked for the earliest deadline: on arming it, and after each run", "[timer]")
{
    // A clean start: run everything stale, so that what is asked for next is ours.
    proc::run_timers(proc::kNoDeadline - 1);
    u64 now = arch::clock_ns();
    Fired fired;
    Probe a { {}, &fired, 1 }, b { {}, &fired, 2 };
    a.timer.set_callback(on_expiry, &a);
    b.timer.set_callback(on_expiry, &b);
    a.timer.arm(now + 5000);
    CHECK(sim::timer_deadline() == now + 5000);
    b.timer.arm(now + 9000); // later than what is asked for: nothing changes
    CHECK(sim::timer_deadline() == now + 5000);
    b.timer.arm(now + 2000); // moved first: asked for at once
    CHECK(sim::timer_deadline() == now + 2000);
    CHECK(proc::run_timers(now + 2000) == 1);
    CHECK(sim::timer_deadline() == now + 5000);
    CHECK(proc::run_timers(now + 5000) == 1);
    CHECK(sim::timer_deadline() == proc::kNoDeadline); // nothing left
    CHECK(fired.order == std::vector<int> { 2, 1 });
}
