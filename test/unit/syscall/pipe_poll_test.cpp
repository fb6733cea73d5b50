// poll, ppoll, select, the old select and pselect6 on the simulated machine: readiness of pipe ends (POLLIN,
// POLLOUT, POLLHUP, POLLERR, POLLNVAL), sleeping until another process writes or the timeout passes (the
// idle task lets simulated time run while everyone is blocked), the time left written back, EBADF and EINVAL,
// and ppoll/pselect6's temporary signal mask.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "../proc/process_machine.hpp"
#include "fs/types.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;
using sys::PollFd;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysClose = sys::nr("close"), kSysKill = sys::nr("kill"), kSysOldSelect = 82,
              kSysWait4 = sys::nr("wait4"), kSysSelect = 142, kSysSchedYield = sys::nr("sched_yield"),
              kSysPoll = sys::nr("poll"), kSysRtSigaction = sys::nr("rt_sigaction"),
              kSysRtSigprocmask = sys::nr("rt_sigprocmask"), kSysPselect6 = sys::nr("pselect6"),
              kSysPpoll = sys::nr("ppoll"), kSysPipe2 = sys::nr("pipe2"),
              kSysPselect6Time64 = sys::nr("pselect6_time64"), kSysPpollTime64 = sys::nr("ppoll_time64");
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;
constexpr i32 kSigUsr1 = 10;
constexpr i16 kIn = 0x1, kOut = 0x4, kErr = 0x8, kHup = 0x10, kNval = 0x20, kRdNorm = 0x40, kWrNorm = 0x100;


i16 revents(u32 fds, u32 index) { return peek<PollFd>(fds + index * sizeof(PollFd)).revents; }

void set_action(u32 box, i32 signal, u32 handler, u32 flags)
{
    poke(box, proc::SignalAction { handler, flags | proc::kSaRestorer, kRestorer, 0 });
    REQUIRE(call(kSysRtSigaction, static_cast<u32>(signal), box, 0, 8) == 0);
}

u32 fd_bit(i32 fd) { return u32 { 1 } << fd; }

} // namespace

TEST_CASE("poll reports pipe readiness: POLLOUT, POLLIN, POLLHUP, POLLERR, POLLNVAL", "[poll]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 fds = box + 256;
        PipeEnds ends = open_pipe(box);
        poke(fds, PollFd { ends.read, kIn, 0x7777 });
        poke(fds + 8, PollFd { ends.write, kOut, 0 });
        poke(fds + 16, PollFd { -1, kIn, 0x7777 }); // ignored, revents cleared
        poke(fds + 24, PollFd { 99, kIn, 0 }); // not open
        CHECK(call(kSysPoll, fds, 4, 0) == 2);
        CHECK(revents(fds, 0) == 0);
        CHECK(revents(fds, 1) == kOut);
        CHECK(revents(fds, 2) == 0);
        CHECK(revents(fds, 3) == kNval);

        poke_string(box + 64, "x");
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 1) == 1);
        poke(fds, PollFd { ends.read, kIn | kRdNorm, 0 });
        CHECK(call(kSysPoll, fds, 2, 0) == 2);
        CHECK(revents(fds, 0) == (kIn | kRdNorm));

        // Only what was asked for, but hang-ups and errors always.
        poke(fds, PollFd { ends.read, kOut, 0 });
        CHECK(call(kSysPoll, fds, 1, 0) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
        CHECK(call(kSysPoll, fds, 1, 0) == 1);
        CHECK(revents(fds, 0) == kHup);
        poke(fds, PollFd { ends.read, kIn, 0 });
        CHECK(call(kSysPoll, fds, 1, 0) == 1);
        CHECK(revents(fds, 0) == (kIn | kHup)); // data left, and no writer

        PipeEnds other = open_pipe(box);
        CHECK(call(kSysClose, static_cast<u32>(other.read)) == 0);
        poke(fds, PollFd { other.write, kOut, 0 });
        CHECK(call(kSysPoll, fds, 1, 0) == 1);
        CHECK(revents(fds, 0) == (kOut | kErr));
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(other.write)) == 0);

        // The standard descriptors (the console) never block.
        poke(fds, PollFd { 1, kOut, 0 });
        CHECK(call(kSysPoll, fds, 1, -1) == 1);
        CHECK(call(kSysPoll, fds, 1025, 0) == err(Errno::INVAL)); // over RLIMIT_NOFILE
        CHECK(call(kSysPoll, 0xC0000000, 1, 0) == err(Errno::FAULT));
    });
}

TEST_CASE("poll sleeps until another process writes, or until its timeout", "[poll]")
{
    ProcessMachine m;
    Children children;
    PipeEnds ends {};
    u32 box = 0;
    children.programs.push_back([&] {
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 1) == 1);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        box = scratch();
        u32 fds = box + 256;
        ends = open_pipe(box);
        poke(fds, PollFd { ends.read, kIn, 0 });
        u64 before = sim::elapsed_ticks();
        CHECK(call(kSysPoll, fds, 1, 20) == 0); // everyone asleep: time passes
        u64 slept = sim::elapsed_ticks() - before;
        CHECK(slept >= 20);
        CHECK(slept <= 22);
        CHECK(call(kSysPoll, 0, 0, 5) == 0); // no descriptors: a plain sleep

        i32 child = call(kSysFork);
        CHECK(call(kSysPoll, fds, 1, -1) == 1); // woken by the child's write
        CHECK(revents(fds, 0) == kIn);
        CHECK(call(kSysWait4, static_cast<u32>(child), box + 128, 0, 0) == child);
        close_pipe(ends);
    });
}

TEST_CASE("select and the old select: sets in and out, the time left, EBADF and EINVAL", "[poll][select]")
{
    ProcessMachine m;
    Children children;
    PipeEnds ends {};
    u32 box = 0;
    children.programs.push_back([&] {
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 1) == 1);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        box = scratch();
        u32 in = box + 256, out = box + 512, ex = box + 768, tv = box + 1024;
        ends = open_pipe(box);
        i32 n = ends.write + 1;
        poke<u32>(in, fd_bit(ends.read));
        poke<u32>(out, fd_bit(ends.read) | fd_bit(ends.write));
        poke<u32>(ex, fd_bit(ends.read));
        poke(tv, sys::Timeval32 { 0, 0 });
        CHECK(call(kSysSelect, static_cast<u32>(n), in, out, ex, tv) == 1);
        CHECK(peek<u32>(in) == 0);
        CHECK(peek<u32>(out) == fd_bit(ends.write));
        CHECK(peek<u32>(ex) == 0);

        // A timeout: zero sets come back, and the time left (none).
        poke<u32>(in, fd_bit(ends.read));
        poke(tv, sys::Timeval32 { 0, 15000 });
        u64 before = sim::elapsed_ticks();
        CHECK(call(kSysSelect, static_cast<u32>(n), in, 0, 0, tv) == 0);
        CHECK(sim::elapsed_ticks() - before >= 15);
        CHECK(peek<u32>(in) == 0);
        CHECK(peek<sys::Timeval32>(tv).seconds == 0);
        CHECK(peek<sys::Timeval32>(tv).microseconds == 0);

        // Woken by a write, with most of a long timeout left; microseconds past a second carry over.
        i32 child = call(kSysFork);
        poke<u32>(in, fd_bit(ends.read));
        poke(tv, sys::Timeval32 { 4, 1500000 });
        CHECK(call(kSysSelect, static_cast<u32>(n), in, 0, 0, tv) == 1);
        CHECK(peek<u32>(in) == fd_bit(ends.read));
        auto left = peek<sys::Timeval32>(tv);
        CHECK(left.seconds == 5);
        CHECK(left.microseconds > 400000);
        CHECK(call(kSysWait4, static_cast<u32>(child), box + 128, 0, 0) == child);

        // The old select reads its arguments from a block.
        poke<u32>(in, fd_bit(ends.read));
        poke(box + 1100, sys::SelectArgs { static_cast<u32>(n), in, 0, 0, 0 });
        CHECK(call(kSysOldSelect, box + 1100) == 1);

        // Errors: a closed descriptor in a set, a negative count, a negative time.
        poke<u32>(in, fd_bit(9));
        CHECK(call(kSysSelect, 10, in, 0, 0, 0) == err(Errno::BADF));
        CHECK(call(kSysSelect, static_cast<u32>(-1), 0, 0, 0, 0) == err(Errno::INVAL));
        poke(tv, sys::Timeval32 { -1, 0 });
        CHECK(call(kSysSelect, 0, 0, 0, 0, tv) == err(Errno::INVAL));
        poke<u32>(in, fd_bit(9));
        poke(tv, sys::Timeval32 { 0, 0 });
        CHECK(call(kSysSelect, 9, in, 0, 0, tv) == 0); // bit 9 is past nfds: not looked at
        close_pipe(ends);
    });
}

TEST_CASE("pselect6 and ppoll with both time widths; select with nfds 0 is a sleep", "[poll][select]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 in = box + 256, ts = box + 512, fds = box + 768, pack = box + 1024;
        PipeEnds ends = open_pipe(box);
        poke_string(box + 64, "x");
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 1) == 1);
        i32 n = ends.write + 1;

        poke<u32>(in, fd_bit(ends.read));
        poke(ts, sys::Timespec32 { 1, 0 });
        CHECK(call(kSysPselect6, static_cast<u32>(n), in, 0, 0, ts, 0) == 1);
        poke<u32>(in, fd_bit(ends.read));
        poke(ts, sys::Timespec64 { 1, 0 });
        CHECK(call(kSysPselect6Time64, static_cast<u32>(n), in, 0, 0, ts, 0) == 1);
        poke(ts, sys::Timespec32 { 0, 1000000000 });
        CHECK(call(kSysPselect6, static_cast<u32>(n), in, 0, 0, ts, 0) == err(Errno::INVAL));
        poke(pack, sys::SigsetArgPack { box + 1100, 4 });
        CHECK(call(kSysPselect6, static_cast<u32>(n), in, 0, 0, 0, pack) == err(Errno::INVAL)); // sigset size

        poke(fds, PollFd { ends.read, kIn, 0 });
        poke(ts, sys::Timespec32 { 1, 0 });
        CHECK(call(kSysPpoll, fds, 1, ts, 0, 8) == 1);
        poke(ts, sys::Timespec64 { 1, 0 });
        CHECK(call(kSysPpollTime64, fds, 1, ts, 0, 8) == 1);
        CHECK(call(kSysPpoll, fds, 1, 0, box + 1100, 4) == err(Errno::INVAL));

        u64 before = sim::elapsed_ticks();
        poke(ts, sys::Timeval32 { 0, 7000 });
        CHECK(call(kSysSelect, 0, 0, 0, 0, ts) == 0);
        CHECK(sim::elapsed_ticks() - before >= 7);
        close_pipe(ends);
    });
}

TEST_CASE("ppoll and pselect6 wait with a temporary mask, kept for the handler and restored after", "[poll][signal]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 fds = box + 256, mask = box + 512, pack = box + 768;
        PipeEnds ends = open_pipe(box);
        set_action(box + 64, kSigUsr1, kHandler, proc::kSaRestart);
        // SIGUSR1 blocked and pending.
        poke<u64>(mask, proc::signal_bit(kSigUsr1));
        REQUIRE(call(kSysRtSigprocmask, 0 /* SIG_BLOCK */, mask, 0, 8) == 0);
        REQUIRE(call(kSysKill, 1, kSigUsr1) == 0);
        CHECK(sim::signal_deliveries().empty());

        // A ready descriptor with a mask that keeps it blocked: the call returns and the old mask is back.
        poke(fds, PollFd { ends.write, kOut, 0 });
        poke<u64>(mask + 8, proc::signal_bit(kSigUsr1) | proc::signal_bit(12));
        CHECK(call(kSysPpoll, fds, 1, 0, mask + 8, 8) == 1);
        CHECK(proc::current()->signal_blocked == proc::signal_bit(kSigUsr1));
        CHECK(sim::signal_deliveries().empty());

        // A mask that lets it in: EINTR even under SA_RESTART, the handler's frame saves the caller's mask.
        poke(fds, PollFd { ends.read, kIn, 0 });
        poke<u64>(mask + 8, 0);
        CHECK(call(kSysPpoll, fds, 1, 0, mask + 8, 8) == err(Errno::INTR));
        REQUIRE(sim::signal_deliveries().size() == 1);
        CHECK(sim::signal_deliveries().back().saved_mask == proc::signal_bit(kSigUsr1));
        CHECK((proc::current()->signal_blocked & proc::signal_bit(kSigUsr1)) != 0); // blocked while the handler runs

        // pselect6 the same way, its mask behind a (pointer, size) pair.
        REQUIRE(call(kSysKill, 1, kSigUsr1) == 0);
        poke(pack, sys::SigsetArgPack { mask + 8, 8 });
        poke<u32>(box + 900, fd_bit(ends.read));
        CHECK(call(kSysPselect6, static_cast<u32>(ends.write + 1), box + 900, 0, 0, 0, pack) == err(Errno::INTR));
        REQUIRE(sim::signal_deliveries().size() == 2);
        CHECK(sim::signal_deliveries().back().saved_mask == proc::signal_bit(kSigUsr1));

        // A signal the mask lets in beats a zero timeout: EINTR (Linux checks signals first).
        REQUIRE(call(kSysKill, 1, kSigUsr1) == 0);
        poke(box + 1000, sys::Timespec32 { 0, 0 });
        CHECK(call(kSysPpoll, fds, 1, box + 1000, mask + 8, 8) == err(Errno::INTR));
        CHECK(sim::signal_deliveries().size() == 3);
        close_pipe(ends);
    });
}
