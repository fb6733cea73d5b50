// Signals on the simulated machine: the system calls' validation, masks and pending sets, default actions,
// handler frames (recorded by the sim, which cannot run a handler), sigreturn, and the EINTR/SA_RESTART rules.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "proc/signal.hpp"
#include "process_machine.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysKill = sys::nr("kill"), kSysRtSigreturn = sys::nr("rt_sigreturn"),
              kSysRtSigaction = sys::nr("rt_sigaction"), kSysRtSigprocmask = sys::nr("rt_sigprocmask"),
              kSysRtSigpending = sys::nr("rt_sigpending"), kSysWait4 = sys::nr("wait4"),
              kSysSchedYield = sys::nr("sched_yield"), kSysTgkill = sys::nr("tgkill");
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;
constexpr i32 kSigUsr1 = 10, kSigTerm = 15, kSigStop = 19, kSigCont = 18, kSigKill = 9;

// struct k_sigaction for rt_sigaction.
void set_action(u32 scratch_address, i32 signal, u32 handler, u32 flags, u64 mask = 0)
{
    poke(scratch_address, proc::SignalAction { handler, flags | proc::kSaRestorer, kRestorer, mask });
    REQUIRE(call(kSysRtSigaction, static_cast<u32>(signal), scratch_address, 0, 8) == 0);
}

} // namespace

TEST_CASE("rt_sigaction, rt_sigprocmask and rt_sigpending check their arguments as Linux does")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        CHECK(call(kSysRtSigaction, 0, box, 0, 8) == err(Errno::INVAL));
        CHECK(call(kSysRtSigaction, 65, box, 0, 8) == err(Errno::INVAL));
        CHECK(call(kSysRtSigaction, kSigUsr1, box, 0, 4) == err(Errno::INVAL)); // sigsetsize must be 8
        CHECK(call(kSysRtSigaction, kSigKill, box, 0, 8) == err(Errno::INVAL));
        CHECK(call(kSysRtSigaction, kSigKill, 0, box, 8) == 0); // reading SIGKILL's is fine
        CHECK(call(kSysRtSigaction, kSigUsr1, 0xC0000000, 0, 8) == err(Errno::FAULT));
        CHECK(call(kSysRtSigprocmask, 7, box, 0, 8) == err(Errno::INVAL));
        CHECK(call(kSysRtSigprocmask, 7, 0, box, 8) == 0); // no set: `how` is not looked at
        CHECK(call(kSysRtSigpending, box, 9) == err(Errno::INVAL));
        CHECK(call(kSysKill, 1, 65) == err(Errno::INVAL));
        CHECK(call(kSysKill, 4242, 0) == err(Errno::SRCH));
        CHECK(call(kSysTgkill, 1, 2, kSigUsr1) == err(Errno::SRCH)); // thread 2 is not in group 1
        // SIGKILL and SIGSTOP cannot be blocked.
        poke<u64>(box, ~u64 { 0 });
        CHECK(call(kSysRtSigprocmask, 2, box, 0, 8) == 0);
        CHECK(call(kSysRtSigprocmask, 0, 0, box + 8, 8) == 0);
        CHECK(peek<u64>(box + 8) == ~(proc::signal_bit(kSigKill) | proc::signal_bit(kSigStop)));
    });
}

TEST_CASE("A handled signal gets a frame with the caller's mask, and sigreturn puts the mask back")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        set_action(box, kSigUsr1, kHandler, proc::kSaSigInfo, proc::signal_bit(12));
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        const auto& deliveries = sim::signal_deliveries();
        REQUIRE(deliveries.size() == 1);
        CHECK(deliveries[0].signal == kSigUsr1);
        CHECK(deliveries[0].handler == kHandler);
        CHECK(deliveries[0].restorer == kRestorer);
        CHECK(deliveries[0].saved_mask == 0);
        i32 info[4];
        std::memcpy(info, deliveries[0].siginfo, sizeof(info));
        CHECK(info[0] == kSigUsr1);
        CHECK(info[2] == proc::kSiUser);
        CHECK(info[3] == 1); // si_pid
        // In the handler the signal itself and sa_mask are blocked.
        CHECK(call(kSysRtSigprocmask, 0, 0, box + 64, 8) == 0);
        CHECK(peek<u64>(box + 64) == (proc::signal_bit(kSigUsr1) | proc::signal_bit(12)));
        call(kSysRtSigreturn);
        CHECK(call(kSysRtSigprocmask, 0, 0, box + 64, 8) == 0);
        CHECK(peek<u64>(box + 64) == 0);
        CHECK(sim::signal_deliveries().empty());
    });
}

TEST_CASE("A blocked signal waits in the pending set and is delivered when unblocked")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        set_action(box, kSigUsr1, kHandler, 0);
        poke<u64>(box + 32, proc::signal_bit(kSigUsr1));
        CHECK(call(kSysRtSigprocmask, 0, box + 32, 0, 8) == 0); // SIG_BLOCK
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        CHECK(sim::signal_deliveries().empty());
        CHECK(call(kSysRtSigpending, box + 40, 8) == 0);
        CHECK(peek<u64>(box + 40) == proc::signal_bit(kSigUsr1));
        CHECK(call(kSysRtSigprocmask, 1, box + 32, 0, 8) == 0); // SIG_UNBLOCK: delivered on the way out
        CHECK(sim::signal_deliveries().size() == 1);
        call(kSysRtSigreturn);
    });
}

TEST_CASE("Default actions: SIGTERM ends the process, ignored signals and SIGCHLD do nothing")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        call(kSysKill, 0, 17); // SIGCHLD to our group: ignored by default, and init (in the group) has no handler
        i32 me = call(sys::nr("getpid"));
        call(kSysKill, static_cast<u32>(me), 28); // SIGWINCH: ignored by default
        call(kSysKill, static_cast<u32>(me), kSigTerm);
        exit_group(0); // not reached
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        i32 child = call(kSysFork);
        CHECK(call(kSysWait4, static_cast<u32>(child), box, 0, 0) == child);
        CHECK(peek<u32>(box) == static_cast<u32>(kSigTerm));
    });
}

// Linux's SIGNAL_UNKILLABLE: init receives from user space only the signals it has a handler for.
TEST_CASE("init ignores SIGKILL, SIGSTOP and signals it has no handler for, and takes those it handles")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        for (i32 signal : { kSigKill, kSigStop, kSigTerm, 2 /* SIGINT */, 11 /* SIGSEGV */, 13 /* SIGPIPE */ })
            CHECK(call(kSysKill, 1, static_cast<u32>(signal)) == 0); // permitted, and dropped
        CHECK(call(kSysTgkill, 1, 1, kSigKill) == 0);
        CHECK(call(kSysKill, 1, kSigUsr1) == 0); // handled
        CHECK(call(kSysKill, 1, kSigTerm) == 0); // blocked: pending until unblocked, then dropped
        exit_group(7);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        set_action(box, kSigUsr1, kHandler, 0);
        poke<u64>(box + 32, proc::signal_bit(kSigTerm));
        CHECK(call(kSysRtSigprocmask, 0, box + 32, 0, 8) == 0); // SIG_BLOCK SIGTERM
        i32 child = call(kSysFork);
        i32 waited;
        do
            waited = call(kSysWait4, static_cast<u32>(child), box + 64, 0, 0);
        while (waited == err(Errno::INTR)); // the SIGUSR1 handler ran
        CHECK(waited == child);
        CHECK(peek<u32>(box + 64) == 7u << 8);
        CHECK(call(kSysRtSigpending, box + 40, 8) == 0);
        CHECK((peek<u64>(box + 40) & proc::signal_bit(kSigTerm)) != 0);
        CHECK(call(kSysRtSigprocmask, 1, box + 32, 0, 8) == 0); // SIG_UNBLOCK: not the end of init
        CHECK(call(kSysRtSigpending, box + 40, 8) == 0);
        CHECK(peek<u64>(box + 40) == 0);
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries()[0].signal == kSigUsr1);
    });
}

TEST_CASE("init's own fault still ends it")
{
    ProcessMachine m;
    auto status = m.run([&](uptr, uptr) {
        sim::user_trap({ 11, 0x1234, 0x08048000, false, false });
        exit_group(0); // not reached
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 11u);
}

TEST_CASE("A signal interrupts wait4 with EINTR, or restarts it under SA_RESTART")
{
    for (bool restart : { false, true }) {
        ProcessMachine m;
        Children children;
        children.programs.push_back([&] {
            call(kSysKill, 1, kSigUsr1); // interrupts the parent's wait
            call(kSysSchedYield);
            exit_group(3);
        });
        children.install();
        i32 waited = 0;
        auto status = m.run([&](uptr, uptr) {
            u32 box = scratch();
            set_action(box, kSigUsr1, kHandler, restart ? proc::kSaRestart : 0);
            i32 child = call(kSysFork);
            waited = call(kSysWait4, static_cast<u32>(child), box + 64, 0, 0);
            if (restart) {
                CHECK(waited == child);
                CHECK(peek<u32>(box + 64) == 3u << 8);
            } else {
                CHECK(waited == err(Errno::INTR));
                CHECK(call(kSysWait4, static_cast<u32>(child), box + 64, 0, 0) == child);
            }
            CHECK(sim::signal_deliveries().size() == 1);
            exit_group(0);
        });
        REQUIRE_FALSE(status.is_error());
        CHECK(status.value() == 0);
    }
}

TEST_CASE("SIGSTOP and SIGCONT are reported by WUNTRACED and WCONTINUED; SIGKILL ends a stopped process")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        for (;;)
            call(kSysSchedYield);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        i32 child = call(kSysFork);
        call(kSysSchedYield); // let it start
        CHECK(call(kSysKill, static_cast<u32>(child), kSigStop) == 0);
        CHECK(call(kSysWait4, static_cast<u32>(child), box, 2 /* WUNTRACED */, 0) == child);
        CHECK(peek<u32>(box) == (0x7Fu | static_cast<u32>(kSigStop) << 8));
        CHECK(call(kSysKill, static_cast<u32>(child), kSigCont) == 0);
        CHECK(call(kSysWait4, static_cast<u32>(child), box, 8 /* WCONTINUED */, 0) == child);
        CHECK(peek<u32>(box) == 0xFFFFu);
        CHECK(call(kSysKill, static_cast<u32>(child), kSigStop) == 0);
        CHECK(call(kSysWait4, static_cast<u32>(child), box, 2, 0) == child);
        CHECK(call(kSysKill, static_cast<u32>(child), kSigKill) == 0);
        CHECK(call(kSysWait4, static_cast<u32>(child), box, 0, 0) == child);
        CHECK(peek<u32>(box) == static_cast<u32>(kSigKill));
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("signal(2) installs a one-shot handler and returns the previous one")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        CHECK(call(sys::nr("signal"), kSigUsr1, kHandler) == 0); // the old disposition: SIG_DFL
        CHECK(call(sys::nr("signal"), kSigUsr1, kHandler + 4) == static_cast<i32>(kHandler));
        CHECK(call(sys::nr("signal"), kSigKill, kHandler) == err(Errno::INVAL));
        CHECK(call(sys::nr("signal"), 0, kHandler) == err(Errno::INVAL));
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries().back().handler == kHandler + 4);
        CHECK(sim::signal_deliveries().back().restorer == 0); // no SA_RESTORER: the frame's own trampoline
        // SA_RESETHAND: back to the default once delivered; SA_NODEFER: not blocked while it runs.
        REQUIRE(call(kSysRtSigaction, kSigUsr1, 0, box, 8) == 0);
        auto action = peek<proc::SignalAction>(box);
        CHECK(action.handler == proc::kSigDefault);
        CHECK(call(kSysRtSigprocmask, 0, 0, box, 8) == 0);
        CHECK(peek<u64>(box) == 0);
        call(kSysRtSigreturn);
    });
}

TEST_CASE("the pre-rt sigaction and sigprocmask calls use 32-bit masks and leave the upper signals alone")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        poke(box, sys::OldSigaction { kHandler, 0x4, proc::kSaRestart | proc::kSaRestorer, kRestorer });
        CHECK(call(sys::nr("sigaction"), kSigUsr1, box, box + 16) == 0);
        CHECK(peek<sys::OldSigaction>(box + 16).handler == proc::kSigDefault);
        REQUIRE(call(kSysRtSigaction, kSigUsr1, 0, box + 32, 8) == 0);
        auto action = peek<proc::SignalAction>(box + 32);
        CHECK(action.handler == kHandler);
        CHECK(action.mask == 0x4);
        CHECK(action.flags == (proc::kSaRestart | proc::kSaRestorer));
        CHECK(action.restorer == kRestorer);
        CHECK(call(sys::nr("sigaction"), kSigStop, box, 0) == err(Errno::INVAL));
        CHECK(call(sys::nr("sigaction"), kSigUsr1, 0xC0000000, 0) == err(Errno::FAULT));

        // Signal 40 blocked through the rt call survives the old calls' SIG_SETMASK.
        poke<u64>(box, proc::signal_bit(40) | 0x800);
        REQUIRE(call(kSysRtSigprocmask, 2, box, 0, 8) == 0);
        poke<u32>(box, 0x1);
        CHECK(call(sys::nr("sigprocmask"), 2, box, box + 4) == 0);
        CHECK(peek<u32>(box + 4) == 0x800);
        CHECK(call(sys::nr("sgetmask")) == 0x1); // sgetmask
        CHECK(call(sys::nr("sigprocmask"), 7, box, 0) == err(Errno::INVAL));
        REQUIRE(call(kSysRtSigprocmask, 0, 0, box + 8, 8) == 0);
        CHECK(peek<u64>(box + 8) == (proc::signal_bit(40) | 0x1));
        CHECK(call(sys::nr("ssetmask"), 0x2 | proc::signal_bit(kSigKill)) == 0x1); // ssetmask: the old mask back...
        REQUIRE(call(kSysRtSigprocmask, 0, 0, box + 8, 8) == 0);
        CHECK(peek<u64>(box + 8) == 0x2); // ...and the upper signals cleared, SIGKILL never blocked

        // sigpending: what is pending and blocked, in 32 bits.
        poke<u32>(box, proc::signal_bit(kSigUsr1));
        CHECK(call(sys::nr("sigprocmask"), 0, box, 0) == 0);
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        CHECK(call(sys::nr("sigpending"), box + 12) == 0);
        CHECK(peek<u32>(box + 12) == proc::signal_bit(kSigUsr1));
        // sigsuspend with a mask that lets it in: the handler runs, the call says EINTR, the old mask is saved.
        CHECK(call(sys::nr("sigsuspend"), 0, 0, 0) == err(Errno::INTR));
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries().back().saved_mask == (0x2 | proc::signal_bit(kSigUsr1)));
        call(kSysRtSigreturn);
    });
}

TEST_CASE("SS_AUTODISARM: the alternate stack is cleared while a handler runs on it and restored by rt_sigreturn")
{
    ProcessMachine m;
    constexpr u32 kSysSigaltstack = sys::nr("sigaltstack");
    run_program(m, [&] {
        u32 box = scratch(8 * kPage);
        u32 stack = box + 4 * kPage;
        poke(box, sys::StackT { stack, static_cast<i32>(proc::kSsAutoDisarm), 4 * kPage });
        REQUIRE(call(kSysSigaltstack, box, 0) == 0);
        CHECK(call(kSysSigaltstack, 0, box + 16) == 0);
        CHECK(peek<sys::StackT>(box + 16).flags == static_cast<i32>(proc::kSsAutoDisarm));
        set_action(box + 64, kSigUsr1, kHandler, proc::kSaOnStack | proc::kSaSigInfo);
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries().back().alt_stack_base == stack);
        CHECK(sim::signal_deliveries().back().alt_stack_flags == proc::kSsAutoDisarm);
        CHECK(call(kSysSigaltstack, 0, box + 16) == 0);
        CHECK(peek<sys::StackT>(box + 16).flags == static_cast<i32>(proc::kSsDisable)); // disarmed in the handler
        call(kSysRtSigreturn);
        CHECK(call(kSysSigaltstack, 0, box + 16) == 0);
        CHECK(peek<sys::StackT>(box + 16).base == stack);
        CHECK(peek<sys::StackT>(box + 16).size == 4 * kPage);
        CHECK(peek<sys::StackT>(box + 16).flags == static_cast<i32>(proc::kSsAutoDisarm));
        poke(box, sys::StackT { stack, 7, 4 * kPage });
        CHECK(call(kSysSigaltstack, box, 0) == err(Errno::INVAL));
        poke(box, sys::StackT { stack, 0, 1024 });
        CHECK(call(kSysSigaltstack, box, 0) == err(Errno::NOMEM));
    });
}
