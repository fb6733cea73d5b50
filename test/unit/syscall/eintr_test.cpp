// Blocking calls and signals: a call whose condition already holds returns its result even with a signal
// pending, and a call woken by a signal looks at its condition again before giving up; only a call that has to
// sleep ends with EINTR (or restarts, under SA_RESTART). One section per blocking call.
//
// Three situations per call:
//  - a signal pending as the call starts. On the machine it comes from an interrupt (a timer's SIGALRM) once
//    the call has begun. Here: SIGUSR1 and SIGUSR2 are blocked and sent, then both unblocked; the way back from
//    rt_sigprocmask sets up SIGUSR1's frame only (one per return to user mode), so SIGUSR2 is still pending,
//    and deliverable, when the next call (the one under test) starts;
//  - while the call sleeps, another process makes its condition true and then sends a signal, both before the
//    sleeper runs again (the kernel is not preemptible: the other process runs until it exits or yields);
//  - a signal alone while the call must go on sleeping: EINTR, at once when it was already pending.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "fs/devices.hpp"
#include "fs/pipe.hpp"
#include "fs/vfs.hpp"
#include "proc/futex.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"
#include "syscall/pipe_handlers.hpp"

using namespace proc_test;
using sys::PollFd;

namespace {

constexpr u32 kFork = sys::nr("fork"), kRead = sys::nr("read"), kOpen = sys::nr("open"), kClose = sys::nr("close"),
              kExecve = sys::nr("execve"), kPause = sys::nr("pause"), kKill = sys::nr("kill"),
              kWait4 = sys::nr("wait4"), kClone = sys::nr("clone"), kSelect = 142, kSchedYield = sys::nr("sched_yield"),
              kNanosleep = sys::nr("nanosleep"), kPoll = sys::nr("poll"), kRtSigreturn = sys::nr("rt_sigreturn"),
              kRtSigaction = sys::nr("rt_sigaction"), kRtSigprocmask = sys::nr("rt_sigprocmask"),
              kRtSigtimedwait = sys::nr("rt_sigtimedwait"), kRtSigsuspend = sys::nr("rt_sigsuspend"),
              kFcntl64 = sys::nr("fcntl64"), kFutex = sys::nr("futex"), kClockNanosleep = sys::nr("clock_nanosleep"),
              kTgkill = sys::nr("tgkill"), kWaitid = sys::nr("waitid"), kPipe2 = sys::nr("pipe2");
constexpr u32 kFutexWait = 0, kFutexWake = 1;
constexpr u32 kFSetLkW64 = 14, kFSetLk64 = 13;
constexpr i16 kWrLock = 1, kUnlock = 2;
constexpr u32 kORdOnly = 0, kOWrOnly = 1, kORdWr = 2, kOCreat = 0100;
constexpr u32 kSigBlock = 0, kSigUnblock = 1;
constexpr i32 kSigUsr1 = 10, kSigUsr2 = 12, kSigChld = 17, kSigRt = 40;
constexpr i16 kPollIn = 0x1, kPollOut = 0x4;
constexpr u32 kHandler = 0x0804A000, kSecondHandler = 0x0804A040, kRestorer = 0x0804A100;

void set_action(u32 box, i32 signal, u32 handler, u32 flags = 0)
{
    poke(box, proc::SignalAction { handler, flags | proc::kSaRestorer, kRestorer, 0 });
    REQUIRE(call(kRtSigaction, static_cast<u32>(signal), box, 0, 8) == 0);
}

// Handlers for SIGUSR1 and SIGUSR2, without SA_RESTART: an interrupted call says EINTR.
void install_handlers(u32 box)
{
    set_action(box, kSigUsr1, kHandler);
    set_action(box, kSigUsr2, kSecondHandler);
}

const std::vector<sim::SignalDelivery>& deliveries() { return sim::signal_deliveries(); }

// Leaves SIGUSR2 pending and deliverable for the next call (see the top of the file).
void leave_sigusr2_pending(u32 box)
{
    REQUIRE(deliveries().empty());
    poke<u64>(box, proc::signal_bit(kSigUsr1) | proc::signal_bit(kSigUsr2));
    REQUIRE(call(kRtSigprocmask, kSigBlock, box, 0, 8) == 0);
    REQUIRE(call(kKill, static_cast<u32>(call(kSysGetpid)), kSigUsr1) == 0);
    REQUIRE(call(kKill, static_cast<u32>(call(kSysGetpid)), kSigUsr2) == 0);
    REQUIRE(call(kRtSigprocmask, kSigUnblock, box, 0, 8) == 0);
    REQUIRE(deliveries().size() == 1);
    REQUIRE(deliveries()[0].signal == kSigUsr1);
    REQUIRE(proc::has_deliverable_signal(*proc::current()));
}

// Makes `blocking_call` with SIGUSR2 pending as it starts; returns its result, once SIGUSR2's handler has been
// set up on the way out of it and both handlers have returned.
template<typename Call> i32 with_signal_pending(u32 box, Call blocking_call)
{
    leave_sigusr2_pending(box);
    i32 result = blocking_call();
    REQUIRE(deliveries().size() == 2);
    CHECK(deliveries()[1].signal == kSigUsr2);
    call(kRtSigreturn);
    call(kRtSigreturn);
    CHECK(deliveries().empty());
    CHECK_FALSE(proc::has_deliverable_signal(*proc::current()));
    return result;
}

// After a call that a signal from another process accompanied: that signal's handler ran, once.
void check_sigusr1_handled()
{
    REQUIRE(deliveries().size() == 1);
    CHECK(deliveries()[0].signal == kSigUsr1);
    call(kRtSigreturn);
}

bool is_blocked(i32 pid)
{
    proc::Thread* process = proc::find_thread(pid);
    return process && process->state == proc::Thread::State::Blocked;
}

// In a child: lets the parent (pid 1) run until it sleeps.
void wait_for_parent_to_sleep()
{
    yield_until([] { return is_blocked(1); });
}

i32 reap(i32 pid, u32 box) { return call(kWait4, static_cast<u32>(pid), box, 0, 0); }

// A child that has exited and is not yet waited for.
i32 zombie_child(Children& children, i32 status)
{
    children.programs.push_back([status] { exit_group(status); });
    i32 pid = call(kFork);
    yield_until([pid] { return proc::find_process(pid) && proc::find_process(pid)->is_dead(); });
    return pid;
}

} // namespace

// --- wait4 and waitid ---

TEST_CASE("wait4 and waitid return a child that has already exited, even with a signal pending", "[signal][eintr]")
{
    ProcessMachine m;
    Children children;
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        i32 child = zombie_child(children, 5);
        CHECK(
            with_signal_pending(box, [&] { return call(kWait4, static_cast<u32>(child), box + 256, 0, 0); }) == child);
        CHECK(peek<u32>(box + 256) == 5u << 8);

        child = zombie_child(children, 6);
        poke<u32>(box + 512 + 12, 0);
        CHECK(with_signal_pending(box, [&] {
            return call(kWaitid, 1 /* P_PID */, static_cast<u32>(child), box + 512, 4 /* WEXITED */, 0);
        }) == 0);
        CHECK(peek<i32>(box + 512 + 12) == child); // si_pid
        CHECK(peek<i32>(box + 512 + 20) == 6); // si_status
        CHECK(proc::find_process(child) == nullptr); // reaped
    });
}

TEST_CASE("wait4 with a signal pending and no child waitable says EINTR at once and reaps nothing", "[signal][eintr]")
{
    ProcessMachine m;
    Children children;
    bool stop = false;
    children.programs.push_back([&] {
        for (int i = 0; i < 1000 && !stop; ++i) // bounded: a parent wrongly asleep must not hang the test
            call(kSchedYield);
        exit_group(3);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        i32 child = call(kFork);
        CHECK(with_signal_pending(box, [&] { return call(kWait4, static_cast<u32>(child), box + 256, 0, 0); })
            == err(Errno::INTR));
        REQUIRE(proc::find_process(child));
        CHECK_FALSE(proc::find_process(child)->is_dead()); // the parent did not sleep until the child ended
        stop = true;
        CHECK(reap(child, box + 256) == child);
        CHECK(peek<u32>(box + 256) == 3u << 8);
    });
}

// The report: a SIGCHLD handler without SA_RESTART, fork, execve in the child, waitpid. The child's exit wakes
// the parent and sends it SIGCHLD together; waitpid must return the child, and the handler runs after.
TEST_CASE(
    "waitpid returns an exec'd child whose exit also sent SIGCHLD to a handler without SA_RESTART", "[signal][eintr]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([] {
        u32 box = scratch();
        poke_string(box, "/sbin/init");
        poke<u32>(box + 64, box);
        poke<u32>(box + 68, 0);
        call(kExecve, box, box + 64, box + 68);
        exit_group(127);
    });
    children.install();
    i32 waited = 0, child = 0;
    u32 status_word = 0;
    usize handled = 0;
    int handled_signal = 0;
    auto status = m.run([&](uptr, uptr) {
        if (call(kSysGetpid) != 1)
            exit_group(0); // the exec'd child: ends at once
        u32 box = scratch();
        set_action(box, kSigChld, kHandler);
        child = call(kFork);
        waited = call(sys::nr("waitpid"), static_cast<u32>(child), box + 256, 0);
        status_word = peek<u32>(box + 256);
        handled = deliveries().size();
        if (handled)
            handled_signal = deliveries()[0].signal;
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(waited == child);
    CHECK(status_word == 0);
    CHECK(handled == 1);
    CHECK(handled_signal == kSigChld);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("wait4 and waitid woken by a child that signals and then exits return the child", "[signal][eintr]")
{
    ProcessMachine m;
    Children children;
    for (int i = 0; i < 2; ++i) {
        children.programs.push_back([] {
            wait_for_parent_to_sleep();
            CHECK(call(kKill, 1, kSigUsr1) == 0);
            exit_group(4);
        });
    }
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        i32 child = call(kFork);
        CHECK(call(kWait4, static_cast<u32>(child), box + 256, 0, 0) == child);
        CHECK(peek<u32>(box + 256) == 4u << 8);
        check_sigusr1_handled();

        child = call(kFork);
        CHECK(call(kWaitid, 1 /* P_PID */, static_cast<u32>(child), box + 512, 4 /* WEXITED */, 0) == 0);
        CHECK(peek<i32>(box + 512 + 12) == child);
        check_sigusr1_handled();
    });
}

// --- nanosleep and clock_nanosleep ---

TEST_CASE("nanosleep of zero or past a deadline returns 0 with a signal pending; a real sleep is EINTR at once",
    "[signal][eintr][time]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 request = box + 256, left = box + 272;
        install_handlers(box + 64);
        poke(request, sys::Timespec32 { 0, 0 });
        CHECK(with_signal_pending(box, [&] { return call(kNanosleep, request, left); }) == 0);
        poke(request, sys::Timespec32 { 0, 0 }); // TIMER_ABSTIME at 0: long past
        CHECK(with_signal_pending(box, [&] { return call(kClockNanosleep, 1 /* CLOCK_MONOTONIC */, 1, request, 0); })
            == 0);

        poke(request, sys::Timespec32 { 0, 30000000 });
        u64 before = sim::elapsed_ticks();
        CHECK(with_signal_pending(box, [&] { return call(kNanosleep, request, left); }) == err(Errno::INTR));
        CHECK(sim::elapsed_ticks() == before); // it never slept
        CHECK(peek<sys::Timespec32>(left).seconds == 0);
        CHECK(peek<sys::Timespec32>(left).nanoseconds == 30000000);
    });
}

TEST_CASE("nanosleep woken by a signal after its time has passed returns 0; before, EINTR with the time left",
    "[signal][eintr][time]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([] {
        wait_for_parent_to_sleep();
        sim::advance_ticks(40); // the parent's 30 ms have gone by (no timer tick has looked yet)
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.programs.push_back([] {
        wait_for_parent_to_sleep();
        sim::advance_ticks(10);
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        u32 request = box + 256, left = box + 272;
        install_handlers(box + 64);
        poke(request, sys::Timespec32 { 0, 30000000 });
        poke(left, sys::Timespec32 { 9, 9 });
        i32 child = call(kFork);
        CHECK(call(kNanosleep, request, left) == 0);
        check_sigusr1_handled();
        CHECK(reap(child, box + 512) == child);

        child = call(kFork);
        CHECK(call(kNanosleep, request, left) == err(Errno::INTR));
        check_sigusr1_handled();
        CHECK(peek<sys::Timespec32>(left).seconds == 0);
        CHECK(peek<sys::Timespec32>(left).nanoseconds == 20000000);
        CHECK(reap(child, box + 512) == child);
    });
}

// --- F_SETLKW ---

namespace {

i32 open_path(u32 at, const char* path, u32 flags)
{
    poke_string(at, path);
    return call(kOpen, at, flags, 0);
}

i32 lock(u32 at, i32 fd, u32 command, i16 type)
{
    poke(at, sys::Flock64 { type, 0 /* SEEK_SET */, 0, 10, 0 });
    return call(kFcntl64, static_cast<u32>(fd), command, at);
}

} // namespace

TEST_CASE(
    "F_SETLKW on a free lock succeeds with a signal pending; on a held one, EINTR at once", "[signal][eintr][lock]")
{
    ProcessMachine m;
    Children children;
    u32 box = 0;
    bool locked = false, release = false;
    children.programs.push_back([&] {
        i32 fd = open_path(box + 1024, "/locked", kORdWr);
        CHECK(lock(box + 1100, fd, kFSetLk64, kWrLock) == 0);
        locked = true;
        for (int i = 0; i < 1000 && !release; ++i)
            call(kSchedYield);
        exit_group(0);
    });
    children.install();
    run_and_remove(m, { "/locked" }, [&] {
        box = scratch();
        install_handlers(box + 64);
        i32 fd = open_path(box + 256, "/locked", kORdWr | kOCreat);
        REQUIRE(fd >= 0);
        CHECK(with_signal_pending(box, [&] { return lock(box + 300, fd, kFSetLkW64, kWrLock); }) == 0);
        CHECK(lock(box + 300, fd, kFSetLk64, kUnlock) == 0);

        i32 child = call(kFork);
        yield_until([&] { return locked; });
        CHECK(with_signal_pending(box, [&] { return lock(box + 300, fd, kFSetLkW64, kWrLock); }) == err(Errno::INTR));
        release = true;
        CHECK(reap(child, box + 400) == child);
        CHECK(lock(box + 300, fd, kFSetLkW64, kWrLock) == 0); // the child's lock went with it
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
    });
}

TEST_CASE("F_SETLKW woken by an unlock that came with a signal takes the lock", "[signal][eintr][lock]")
{
    ProcessMachine m;
    Children children;
    u32 box = 0;
    bool locked = false;
    children.programs.push_back([&] {
        i32 fd = open_path(box + 1024, "/locked", kORdWr);
        CHECK(lock(box + 1100, fd, kFSetLk64, kWrLock) == 0);
        locked = true;
        wait_for_parent_to_sleep();
        CHECK(lock(box + 1100, fd, kFSetLk64, kUnlock) == 0);
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        for (;;)
            call(kSchedYield); // keeps the file open: only the unlock let the parent in
    });
    children.install();
    run_and_remove(m, { "/locked" }, [&] {
        box = scratch();
        install_handlers(box + 64);
        i32 fd = open_path(box + 256, "/locked", kORdWr | kOCreat);
        REQUIRE(fd >= 0);
        i32 child = call(kFork);
        yield_until([&] { return locked; });
        CHECK(lock(box + 300, fd, kFSetLkW64, kWrLock) == 0);
        check_sigusr1_handled();
        CHECK(call(kKill, static_cast<u32>(child), 9) == 0);
        CHECK(reap(child, box + 400) == child);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
    });
}

// --- futex ---

namespace {

// A thread as musl's pthread_create makes one, with its stack in `memory`; `tid_word` is cleared when it ends.
constexpr u32 kThreadFlags = proc::kCloneVm | proc::kCloneFs | proc::kCloneFiles | proc::kCloneSighand
    | proc::kCloneThread | proc::kCloneSysvsem | proc::kCloneParentSettid | proc::kCloneChildCleartid;

i32 start_thread(u32 memory, u32 tid_word)
{
    return call(kClone, kThreadFlags, memory + 0x3000, tid_word, 0, tid_word);
}

void join(u32 tid_word)
{
    while (i32 tid = peek<i32>(tid_word)) {
        i32 result = call(kFutex, tid_word, kFutexWait, static_cast<u32>(tid), 0);
        REQUIRE((result == 0 || result == err(Errno::AGAIN)));
    }
}

} // namespace

TEST_CASE(
    "futex: a changed word is EAGAIN with a signal pending, an unchanged one EINTR at once", "[signal][eintr][futex]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        u32 word = box + 256;
        poke<u32>(word, 1);
        CHECK(with_signal_pending(box, [&] { return call(kFutex, word, kFutexWait, 0, 0); }) == err(Errno::AGAIN));
        u64 before = sim::elapsed_ticks();
        CHECK(with_signal_pending(box, [&] { return call(kFutex, word, kFutexWait, 1, 0); }) == err(Errno::INTR));
        CHECK(sim::elapsed_ticks() == before); // it never slept
        CHECK(proc::futex_sleepers(proc::current()->space.get()) == 0);
    });
}

TEST_CASE("futex: a sleeper woken by FUTEX_WAKE that came with a signal returns 0", "[signal][eintr][futex]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    i32 woke = -1;
    children.programs.push_back([&] {
        yield_until([] { return proc::futex_sleepers(proc::current()->space.get()) == 1; });
        poke<u32>(memory + 0x80, 1);
        woke = call(kFutex, memory + 0x80, kFutexWake, 1);
        CHECK(call(kTgkill, 1, 1, kSigUsr1) == 0);
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        install_handlers(memory + 0x400);
        start_thread(memory, memory);
        CHECK(call(kFutex, memory + 0x80, kFutexWait, 0, 0) == 0);
        CHECK(woke == 1);
        check_sigusr1_handled();
        join(memory);
    });
}

TEST_CASE("futex: a sleeper whose timeout has passed when a signal comes says ETIMEDOUT", "[signal][eintr][futex]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        yield_until([] { return proc::futex_sleepers(proc::current()->space.get()) == 1; });
        sim::advance_ticks(40); // past the main thread's 20 ms (no timer tick has looked yet)
        CHECK(call(kTgkill, 1, 1, kSigUsr1) == 0);
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        u32 memory = scratch();
        install_handlers(memory + 0x400);
        poke(memory + 0x100, sys::Timespec32 { 0, 20000000 });
        start_thread(memory, memory);
        CHECK(call(kFutex, memory + 0x80, kFutexWait, 0, memory + 0x100) == err(Errno::TIMEDOUT));
        check_sigusr1_handled();
        join(memory);
    });
}

// --- pipes: read and write ---

TEST_CASE("pipe read and write that need not wait succeed with a signal pending; ones that must, say EINTR",
    "[signal][eintr][pipe]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 buffer = scratch(20 * kPage);
        install_handlers(box + 64);
        PipeEnds ends = open_pipe(box + 128);
        poke_string(buffer, "data");
        CHECK(with_signal_pending(box, [&] { return call(kSysWrite, static_cast<u32>(ends.write), buffer, 4); }) == 4);
        CHECK(with_signal_pending(box, [&] { return call(kRead, static_cast<u32>(ends.read), buffer + 16, 16); }) == 4);
        CHECK(peek_string(buffer + 16).substr(0, 4) == "data");
        // Empty: a read must wait.
        CHECK(with_signal_pending(box, [&] { return call(kRead, static_cast<u32>(ends.read), buffer, 16); })
            == err(Errno::INTR));
        // Full: a PIPE_BUF write must wait for room for all of it.
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 65536) == 65536);
        CHECK(with_signal_pending(box, [&] { return call(kSysWrite, static_cast<u32>(ends.write), buffer, 4096); })
            == err(Errno::INTR));
        CHECK(call(kRead, static_cast<u32>(ends.read), buffer, 65536) == 65536);
        close_pipe(ends);
    });
}

TEST_CASE("a blocked pipe read or write whose data or room arrives with a signal completes", "[signal][eintr][pipe]")
{
    ProcessMachine m;
    Children children;
    PipeEnds ends {};
    u32 buffer = 0;
    children.programs.push_back([&] { // for the read: data, then the signal
        wait_for_parent_to_sleep();
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 5) == 5);
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.programs.push_back([&] { // for the write: room, then the signal
        wait_for_parent_to_sleep();
        CHECK(call(kRead, static_cast<u32>(ends.read), buffer + 2 * 65536, 4096) == 4096);
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        buffer = scratch(48 * kPage);
        install_handlers(box + 64);
        ends = open_pipe(box + 128);
        poke_string(buffer, "hello");
        i32 child = call(kFork);
        CHECK(call(kRead, static_cast<u32>(ends.read), buffer + 65536, 64) == 5);
        CHECK(peek_string(buffer + 65536).substr(0, 5) == "hello");
        check_sigusr1_handled();
        CHECK(reap(child, box + 256) == child);

        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 65536) == 65536);
        child = call(kFork);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 4096) == 4096);
        check_sigusr1_handled();
        CHECK(reap(child, box + 256) == child);
        close_pipe(ends);
    });
}

// --- FIFO opens ---

TEST_CASE("a FIFO open whose partner is already there succeeds with a signal pending; one that must wait, EINTR",
    "[signal][eintr][fifo]")
{
    ProcessMachine m;
    run_and_remove(m, { "/fifo" }, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        fs::Caller caller = sys::file_caller();
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/fifo", fs::kIfIfo | 0644, 0).is_error());
        CHECK(with_signal_pending(box, [&] { return open_path(box + 256, "/fifo", kORdOnly); }) == err(Errno::INTR));
        CHECK(with_signal_pending(box, [&] { return open_path(box + 256, "/fifo", kOWrOnly); }) == err(Errno::INTR));
        i32 both = open_path(box + 256, "/fifo", kORdWr); // a reader and a writer
        i32 reader = with_signal_pending(box, [&] { return open_path(box + 256, "/fifo", kORdOnly); });
        CHECK(reader >= 0);
        i32 writer = with_signal_pending(box, [&] { return open_path(box + 256, "/fifo", kOWrOnly); });
        CHECK(writer >= 0);
        for (i32 fd : { both, reader, writer })
            CHECK(call(kClose, static_cast<u32>(fd)) == 0);
    });
}

TEST_CASE("a FIFO open woken by the partner's open that came with a signal succeeds", "[signal][eintr][fifo]")
{
    ProcessMachine m;
    Children children;
    u32 box = 0;
    children.programs.push_back([&] {
        wait_for_parent_to_sleep();
        i32 writer = open_path(box + 512, "/fifo", kOWrOnly);
        CHECK(writer >= 0);
        CHECK(call(kKill, 1, kSigUsr1) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(writer), box + 512, 1) == 1);
        exit_group(0);
    });
    children.install();
    run_and_remove(m, { "/fifo" }, [&] {
        box = scratch();
        install_handlers(box + 64);
        fs::Caller caller = sys::file_caller();
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/fifo", fs::kIfIfo | 0644, 0).is_error());
        i32 child = call(kFork);
        i32 reader = open_path(box + 256, "/fifo", kORdOnly);
        REQUIRE(reader >= 0);
        check_sigusr1_handled();
        CHECK(call(kRead, static_cast<u32>(reader), box + 900, 4) == 1);
        CHECK(reap(child, box + 1024) == child);
        CHECK(call(kClose, static_cast<u32>(reader)) == 0);
    });
}

// --- poll and select ---

TEST_CASE("poll and select with a descriptor ready return it with a signal pending; with none ready, EINTR",
    "[signal][eintr][poll]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        u32 fds = box + 512, set = box + 768;
        install_handlers(box + 64);
        PipeEnds ends = open_pipe(box + 128);
        poke(fds, PollFd { ends.write, kPollOut, 0 });
        CHECK(with_signal_pending(box, [&] { return call(kPoll, fds, 1, static_cast<u32>(-1)); }) == 1);
        CHECK(peek<PollFd>(fds).revents == kPollOut);
        poke<u32>(set, u32 { 1 } << ends.write);
        CHECK(with_signal_pending(box, [&] { return call(kSelect, static_cast<u32>(ends.write + 1), 0, set, 0, 0); })
            == 1);
        CHECK(peek<u32>(set) == u32 { 1 } << ends.write);

        poke(fds, PollFd { ends.read, kPollIn, 0 });
        CHECK(with_signal_pending(box, [&] { return call(kPoll, fds, 1, static_cast<u32>(-1)); }) == err(Errno::INTR));
        poke<u32>(set, u32 { 1 } << ends.read);
        CHECK(with_signal_pending(box, [&] { return call(kSelect, static_cast<u32>(ends.write + 1), set, 0, 0, 0); })
            == err(Errno::INTR));
        close_pipe(ends);
    });
}

TEST_CASE("poll and select woken by data that came with a signal report the descriptor", "[signal][eintr][poll]")
{
    ProcessMachine m;
    Children children;
    PipeEnds ends {};
    u32 box = 0;
    for (int i = 0; i < 2; ++i) {
        children.programs.push_back([&] {
            wait_for_parent_to_sleep();
            CHECK(call(kSysWrite, static_cast<u32>(ends.write), box, 1) == 1);
            CHECK(call(kKill, 1, kSigUsr1) == 0);
            exit_group(0);
        });
    }
    children.install();
    run_program(m, [&] {
        box = scratch();
        u32 fds = box + 512, set = box + 768;
        install_handlers(box + 64);
        ends = open_pipe(box + 128);
        i32 child = call(kFork);
        poke(fds, PollFd { ends.read, kPollIn, 0 });
        CHECK(call(kPoll, fds, 1, static_cast<u32>(-1)) == 1);
        CHECK(peek<PollFd>(fds).revents == kPollIn);
        check_sigusr1_handled();
        CHECK(reap(child, box + 256) == child);
        CHECK(call(kRead, static_cast<u32>(ends.read), box + 900, 1) == 1);

        child = call(kFork);
        poke<u32>(set, u32 { 1 } << ends.read);
        CHECK(call(kSelect, static_cast<u32>(ends.read + 1), set, 0, 0, 0) == 1);
        CHECK(peek<u32>(set) == u32 { 1 } << ends.read);
        check_sigusr1_handled();
        CHECK(reap(child, box + 256) == child);
        close_pipe(ends);
    });
}

// --- pause, rt_sigsuspend, rt_sigtimedwait ---

TEST_CASE("pause and rt_sigsuspend with a signal they let in already pending return EINTR at once", "[signal][eintr]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        u64 before = sim::elapsed_ticks();
        CHECK(with_signal_pending(box, [&] { return call(kPause); }) == err(Errno::INTR));

        // rt_sigsuspend: SIGUSR1 blocked and pending; the call's mask lets it in.
        poke<u64>(box, proc::signal_bit(kSigUsr1));
        REQUIRE(call(kRtSigprocmask, kSigBlock, box, 0, 8) == 0);
        REQUIRE(call(kKill, 1, kSigUsr1) == 0);
        poke<u64>(box + 8, 0);
        CHECK(call(kRtSigsuspend, box + 8, 8) == err(Errno::INTR));
        REQUIRE(deliveries().size() == 1);
        CHECK(deliveries()[0].signal == kSigUsr1);
        CHECK(deliveries()[0].saved_mask == proc::signal_bit(kSigUsr1)); // the caller's mask, back after the handler
        call(kRtSigreturn);
        CHECK(proc::current()->signal_blocked == proc::signal_bit(kSigUsr1));
        CHECK(sim::elapsed_ticks() == before); // neither slept
    });
}

TEST_CASE(
    "rt_sigtimedwait takes a waited-for signal that is pending even with another to be handled", "[signal][eintr]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        install_handlers(box + 64);
        poke<u64>(box + 8, proc::signal_bit(kSigRt));
        REQUIRE(call(kRtSigprocmask, kSigBlock, box + 8, 0, 8) == 0);
        REQUIRE(call(kKill, 1, kSigRt) == 0);
        CHECK(with_signal_pending(box, [&] { return call(kRtSigtimedwait, box + 8, 0, 0, 8); }) == kSigRt);
        // Nothing waited for is pending: with no time to wait it times out; with time, the other signal ends it.
        poke(box + 16, sys::Timespec32 { 0, 0 });
        CHECK(with_signal_pending(box, [&] { return call(kRtSigtimedwait, box + 8, 0, box + 16, 8); })
            == err(Errno::AGAIN));
        CHECK(with_signal_pending(box, [&] { return call(kRtSigtimedwait, box + 8, 0, 0, 8); }) == err(Errno::INTR));
    });
}
