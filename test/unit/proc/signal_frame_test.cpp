// Signal frames in user memory on the simulated machine: Linux's i386 layout written below the stack pointer
// (or on the alternate stack), read back by sigreturn, and SIGSEGV when the stack cannot take it.
#include <catch2/catch_test_macros.hpp>

#include "arch/signal_frame.hpp"
#include "proc/signal.hpp"
#include "process_machine.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;
namespace frame_abi = arch::signal_frame;

namespace {

constexpr u32 kSysKill = sys::nr("kill"), kSysRtSigreturn = sys::nr("rt_sigreturn"),
              kSysSigreturn = sys::nr("sigreturn"), kSysRtSigaction = sys::nr("rt_sigaction"),
              kSysRtSigprocmask = sys::nr("rt_sigprocmask"), kSysSigaltstack = sys::nr("sigaltstack");
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;
constexpr i32 kSigUsr1 = 10, kSigSegv = 11;

void set_action(u32 box, i32 signal, u32 flags, u64 mask = 0)
{
    poke(box, proc::SignalAction { kHandler, flags | proc::kSaRestorer, kRestorer, mask });
    REQUIRE(call(kSysRtSigaction, static_cast<u32>(signal), box, 0, 8) == 0);
}

u64 blocked(u32 box)
{
    REQUIRE(call(kSysRtSigprocmask, 0, 0, box, 8) == 0);
    return peek<u64>(box);
}

} // namespace

TEST_CASE("an rt frame is written below the stack pointer, and rt_sigreturn reads its mask back from memory")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        set_action(box, kSigUsr1, proc::kSaSigInfo);
        uptr sp = sim::user_stack_pointer();
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        REQUIRE(sim::signal_deliveries().size() == 1);
        uptr at = sim::user_stack_pointer();
        CHECK(at == sim::signal_deliveries().back().frame);
        CHECK(at < sp);
        CHECK((at + 4) % 16 == 0); // as after a call
        auto frame = peek<frame_abi::RtSigFrame>(at);
        CHECK(frame.return_address == kRestorer);
        CHECK(frame.signal == kSigUsr1);
        CHECK(frame.info_address == at + 16);
        CHECK(peek<i32>(frame.info_address) == kSigUsr1); // si_signo
        CHECK(frame.context.mcontext.esp == sp);
        CHECK(frame.context.mcontext.eax == 0); // kill's result, which the interrupted code resumes with
        CHECK(frame.context.sigmask == 0);
        CHECK(blocked(box) == proc::signal_bit(kSigUsr1));
        // What sigreturn restores comes from memory: a handler may change it.
        poke<u64>(at + __builtin_offsetof(frame_abi::RtSigFrame, context.sigmask), proc::signal_bit(12));
        poke<u32>(at + __builtin_offsetof(frame_abi::RtSigFrame, context.mcontext.eax), 77);
        CHECK(call(kSysRtSigreturn) == 77);
        CHECK(sim::user_stack_pointer() == sp);
        CHECK(sim::signal_deliveries().empty());
        CHECK(blocked(box) == proc::signal_bit(12));
    });
}

TEST_CASE("a plain handler gets the old sigframe with its trampoline, and sigreturn reads it back")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        poke(box, proc::SignalAction { kHandler, 0, 0, 0 }); // no SA_RESTORER: the frame's own trampoline
        REQUIRE(call(kSysRtSigaction, kSigUsr1, box, 0, 8) == 0);
        uptr sp = sim::user_stack_pointer();
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        uptr at = sim::user_stack_pointer();
        auto frame = peek<frame_abi::SigFrame>(at);
        CHECK(frame.signal == kSigUsr1);
        CHECK(frame.return_address == at + __builtin_offsetof(frame_abi::SigFrame, trampoline));
        CHECK(frame.trampoline[0] == 0x58); // popl %eax
        CHECK(frame.trampoline[2] == kSysSigreturn);
        CHECK(call(kSysSigreturn) == 0);
        CHECK(sim::user_stack_pointer() == sp);
        CHECK(blocked(box) == 0);
    });
}

TEST_CASE("a frame sigreturn cannot read kills with SIGSEGV")
{
    ProcessMachine m;
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        set_action(box, kSigUsr1, proc::kSaSigInfo);
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        sim::set_user_stack_pointer(0x1000); // the handler moved its stack into nothing
        call(kSysRtSigreturn);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == static_cast<u32>(kSigSegv));
    CHECK(m.no_pages_leaked());
}

TEST_CASE("a stack pointer at unmapped memory gets no frame: the process is killed by SIGSEGV")
{
    ProcessMachine m;
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        set_action(box, kSigUsr1, proc::kSaSigInfo);
        sim::set_user_stack_pointer(0x10000000);
        call(kSysKill, 1, kSigUsr1);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == static_cast<u32>(kSigSegv));
    CHECK(sim::signal_deliveries().empty());
    CHECK(m.no_pages_leaked());
}

TEST_CASE("sigaltstack at unmapped memory: an SA_ONSTACK handler's frame faults and SIGSEGV kills")
{
    ProcessMachine m;
    auto status = m.run([&](uptr, uptr) {
        u32 box = scratch();
        poke(box, sys::StackT { 0x20000000, 0, 4 * kPage });
        REQUIRE(call(kSysSigaltstack, box, 0) == 0); // Linux does not check the memory here either
        set_action(box + 64, kSigUsr1, proc::kSaOnStack | proc::kSaSigInfo);
        call(kSysKill, 1, kSigUsr1);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == static_cast<u32>(kSigSegv));
    CHECK(m.no_pages_leaked());
}

TEST_CASE("sigaltstack on mapped memory: the frame lands at its top")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch(8 * kPage);
        u32 stack = box + 4 * kPage;
        poke(box, sys::StackT { stack, 0, 4 * kPage });
        REQUIRE(call(kSysSigaltstack, box, 0) == 0);
        set_action(box + 64, kSigUsr1, proc::kSaOnStack | proc::kSaSigInfo);
        uptr sp = sim::user_stack_pointer();
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        uptr at = sim::user_stack_pointer();
        CHECK(at >= stack);
        CHECK(at < stack + 4 * kPage);
        CHECK(peek<frame_abi::RtSigFrame>(at).context.stack_pointer == stack);
        call(kSysRtSigreturn);
        CHECK(sim::user_stack_pointer() == sp); // back on the program's own stack
    });
}
