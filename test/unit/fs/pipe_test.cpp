// Pipes and FIFOs on the simulated machine, through the system calls: a reader blocked until another process
// writes, end of file after the last writer, EPIPE and SIGPIPE after the last reader, O_NONBLOCK, PIPE_BUF
// atomicity against a full pipe, a signal interrupting a blocked read, FIONREAD, and the FIFO open rules.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "fs/devices.hpp"
#include "fs/pipe.hpp"
#include "fs/vfs.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysRead = sys::nr("read"), kSysClose = sys::nr("close"),
              kSysKill = sys::nr("kill"), kSysPipe = sys::nr("pipe"), kSysWait4 = sys::nr("wait4"),
              kSysSchedYield = sys::nr("sched_yield"), kSysRtSigaction = sys::nr("rt_sigaction"),
              kSysRtSigprocmask = sys::nr("rt_sigprocmask"), kSysRtSigpending = sys::nr("rt_sigpending"),
              kSysPipe2 = sys::nr("pipe2");
constexpr u32 kFionread = 0x541B;
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;
constexpr i32 kSigUsr1 = 10, kSigPipe = 13;

struct Ends {
    i32 read, write;
};

Ends make_pipe(u32 box, u32 flags = 0)
{
    REQUIRE(call(kSysPipe2, box, flags) == 0);
    return { peek<i32>(box), peek<i32>(box + 4) };
}

i32 wait_child(i32 pid, u32 box) { return call(kSysWait4, static_cast<u32>(pid), box, 0, 0); }

i32 waiting_bytes(i32 fd, u32 box)
{
    REQUIRE(call(kSysIoctl, static_cast<u32>(fd), kFionread, box) == 0);
    return peek<i32>(box);
}

void set_action(u32 box, i32 signal, u32 handler, u32 flags)
{
    poke(box, proc::SignalAction { handler, flags | proc::kSaRestorer, kRestorer, 0 });
    REQUIRE(call(kSysRtSigaction, static_cast<u32>(signal), box, 0, 8) == 0);
}

void fill(u32 address, char value, usize length)
{
    std::vector<char> bytes(length, value);
    poke(address, bytes.data(), length);
}


} // namespace

TEST_CASE("pipe: a reader blocked on an empty pipe wakes when another process writes", "[pipe]")
{
    ProcessMachine m;
    Children children;
    Ends ends {};
    u32 box = 0;
    children.programs.push_back([&] {
        call(kSysSchedYield); // the parent is asleep in read by now
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 5) == 5);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        box = scratch();
        REQUIRE(call(kSysPipe, box) == 0);
        ends = { peek<i32>(box), peek<i32>(box + 4) };
        CHECK(ends.read == 3);
        CHECK(ends.write == 4);
        poke_string(box + 64, "hello");
        i32 child = call(kSysFork);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 100) == 5);
        CHECK(peek_string(box + 128).substr(0, 5) == "hello");
        CHECK(wait_child(child, box + 256) == child);
        // An empty read asks for nothing and gets nothing.
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 0) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}

TEST_CASE("pipe: end of file once the last writer closes, after the data already in it", "[pipe]")
{
    ProcessMachine m;
    Children children;
    Ends ends {};
    u32 box = 0;
    children.programs.push_back([&] {
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box + 64, 3) == 3);
        exit_group(0); // closes the last write end
    });
    children.install();
    run_program(m, [&] {
        box = scratch();
        ends = make_pipe(box);
        poke_string(box + 64, "abc");
        i32 child = call(kSysFork);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0); // the child's copy is the last writer
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 2) == 2);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 100) == 1);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 100) == 0); // blocks until the exit, then EOF
        CHECK(wait_child(child, box + 256) == child);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
    });
}

TEST_CASE("pipe: writing with no reader left is EPIPE and SIGPIPE for the writing thread", "[pipe]")
{
    ProcessMachine m;
    Children children;
    Ends ends {};
    children.programs.push_back([&] {
        call(kSysWrite, static_cast<u32>(ends.write), 0x0804A000, 1); // SIGPIPE's default action ends it
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        ends = make_pipe(box);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        // Blocked, the signal stays pending and the call says EPIPE.
        poke<u64>(box + 64, proc::signal_bit(kSigPipe));
        REQUIRE(call(kSysRtSigprocmask, 0 /* SIG_BLOCK */, box + 64, 0, 8) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box, 4) == err(Errno::PIPE));
        REQUIRE(call(kSysRtSigpending, box + 72, 8) == 0);
        CHECK(peek<u64>(box + 72) == proc::signal_bit(kSigPipe));
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), box, 0) == 0); // an empty write is not checked
        // Unblocked with the default action, SIGPIPE kills the writer.
        set_action(box + 128, kSigPipe, proc::kSigIgnore, 0); // drops the pending one, which would kill us
        set_action(box + 128, kSigPipe, proc::kSigDefault, 0);
        REQUIRE(call(kSysRtSigprocmask, 1 /* SIG_UNBLOCK */, box + 64, 0, 8) == 0);
        i32 child = call(kSysFork);
        CHECK(wait_child(child, box + 256) == child);
        CHECK(peek<u32>(box + 256) == static_cast<u32>(kSigPipe)); // killed by signal 13
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}

TEST_CASE("pipe: O_NONBLOCK gives EAGAIN instead of waiting; small writes are all or nothing", "[pipe]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch(20 * kPage);
        u32 box = scratch();
        CHECK(call(kSysPipe2, box, 0x1 /* not a pipe2 flag */) == err(Errno::INVAL));
        CHECK(call(kSysPipe2, 0xC0000000, 0) == err(Errno::FAULT));
        Ends ends = make_pipe(box, fs::kONonBlock | fs::kOCloExec);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), buffer, 10) == err(Errno::AGAIN));
        fill(buffer, 'x', 70000);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 70000) == 65536); // what fits
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 1) == err(Errno::AGAIN));
        CHECK(call(kSysRead, static_cast<u32>(ends.read), buffer, 100) == 100);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 4096) == err(Errno::AGAIN)); // atomic
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 5000) == 100); // not atomic: partial
        CHECK(waiting_bytes(ends.read, box + 64) == 65536);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
        // Data left after the writer went is still read; then EOF, not EAGAIN.
        CHECK(call(kSysRead, static_cast<u32>(ends.read), buffer, 70000) == 65536);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), buffer, 10) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
    });
}

TEST_CASE("pipe: a write of PIPE_BUF bytes waits for room for all of it; a larger one goes in pieces", "[pipe]")
{
    ProcessMachine m;
    Children children;
    Ends ends {};
    u32 buffer = 0;
    bool small_done = false, large_done = false;
    children.programs.push_back([&] {
        fill(buffer, 'B', 4096);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 4096) == 4096);
        small_done = true;
        exit_group(0);
    });
    children.programs.push_back([&] {
        fill(buffer, 'C', 8192);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 8192) == 8192);
        large_done = true;
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        buffer = scratch(20 * kPage);
        u32 sink = scratch(20 * kPage);
        u32 box = scratch();
        ends = make_pipe(box);
        fill(buffer, 'A', 65536 - 4095);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 65536 - 4095) == 65536 - 4095);
        i32 small = call(kSysFork);
        for (int i = 0; i < 5; ++i)
            call(kSysSchedYield);
        CHECK_FALSE(small_done);
        CHECK(waiting_bytes(ends.read, box) == 65536 - 4095); // not one byte of it went in
        CHECK(call(kSysRead, static_cast<u32>(ends.read), sink, 1) == 1);
        yield_until([&] { return small_done; });
        CHECK(waiting_bytes(ends.read, box) == 65536);
        CHECK(wait_child(small, box + 8) == small);
        // Drain the A's: the B's follow in one run.
        CHECK(call(kSysRead, static_cast<u32>(ends.read), sink, 65536 - 4096) == 65536 - 4096);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), sink, 4096) == 4096);
        CHECK(peek<u8>(sink) == 'B');
        CHECK(peek<u8>(sink + 4095) == 'B');

        // A larger write takes what room there is and waits for the rest.
        fill(buffer, 'A', 65536 - 4095);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 65536 - 4095) == 65536 - 4095);
        i32 large = call(kSysFork);
        yield_until([&] { return waiting_bytes(ends.read, box) == 65536; });
        CHECK_FALSE(large_done);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), sink, 65536) == 65536);
        yield_until([&] { return large_done; });
        CHECK(waiting_bytes(ends.read, box) == 8192 - 4095);
        CHECK(wait_child(large, box + 8) == large);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}

TEST_CASE("pipe: a signal with a handler interrupts a blocked read with EINTR", "[pipe]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        Ends ends = make_pipe(box);
        set_action(box + 64, kSigUsr1, kHandler, 0);
        i32 child = call(kSysFork);
        CHECK(call(kSysRead, static_cast<u32>(ends.read), box + 128, 10) == err(Errno::INTR));
        CHECK(sim::signal_deliveries().size() == 1);
        CHECK(wait_child(child, box + 256) == child);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}

TEST_CASE("pipe: fstat shows a FIFO; the ends are read-only and write-only", "[pipe]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        Ends ends = make_pipe(box);
        fs::Caller caller = sys::file_caller();
        fs::Stat st {};
        REQUIRE_FALSE(fs::fstat(caller, ends.read, st).is_error());
        CHECK(fs::is_fifo(st.mode));
        CHECK((st.mode & 0777) == 0600);
        CHECK(call(kSysWrite, static_cast<u32>(ends.read), box, 1) == err(Errno::BADF));
        CHECK(call(kSysRead, static_cast<u32>(ends.write), box, 1) == err(Errno::BADF));
        CHECK(call(kSysIoctl, static_cast<u32>(ends.read), 0x5401 /* TCGETS */, box) == err(Errno::NOTTY));
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}

TEST_CASE("FIFO: open rules for readers, writers, O_NONBLOCK and O_RDWR; data flows between processes", "[pipe][fifo]")
{
    ProcessMachine m;
    Children children;
    u32 box = 0;
    children.programs.push_back([&] {
        fs::Caller caller = sys::file_caller();
        auto fd = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kOWrOnly, 0); // a reader waits: no wait
        REQUIRE_FALSE(fd.is_error());
        CHECK(call(kSysWrite, static_cast<u32>(fd.value()), box + 64, 4) == 4);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        box = scratch();
        poke_string(box + 64, "fifo");
        fs::Caller caller = sys::file_caller();
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/fifo", fs::kIfIfo | 0644, 0).is_error());
        // No reader: a non-blocking writer is refused; a non-blocking reader opens at once.
        CHECK(fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kOWrOnly | fs::kONonBlock, 0).error() == Errno::NXIO);
        i32 reader = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kORdOnly | fs::kONonBlock, 0).value();
        // A reader that opened before any writer sees no hang-up, and reads nothing yet.
        CHECK(call(kSysRead, static_cast<u32>(reader), box + 128, 10) == 0);
        i32 writer = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kOWrOnly | fs::kONonBlock, 0).value();
        CHECK(call(kSysWrite, static_cast<u32>(writer), box + 64, 4) == 4);
        CHECK(call(kSysRead, static_cast<u32>(reader), box + 128, 10) == 4);
        CHECK(call(kSysClose, static_cast<u32>(writer)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(reader)) == 0);
        // O_RDWR never waits, and is both ends at once.
        i32 both = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kORdWr, 0).value();
        CHECK(call(kSysWrite, static_cast<u32>(both), box + 64, 4) == 4);
        CHECK(call(kSysRead, static_cast<u32>(both), box + 128, 10) == 4);
        CHECK(call(kSysClose, static_cast<u32>(both)) == 0);
        // A blocking reader waits until the child opens for writing; then reads what it wrote.
        i32 child = call(kSysFork);
        auto blocking = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kORdOnly, 0);
        REQUIRE_FALSE(blocking.is_error());
        CHECK(call(kSysRead, static_cast<u32>(blocking.value()), box + 128, 10) == 4);
        CHECK(peek_string(box + 128).substr(0, 4) == "fifo");
        CHECK(call(kSysRead, static_cast<u32>(blocking.value()), box + 128, 10) == 0); // the child has gone
        CHECK(wait_child(child, box + 256) == child);
        CHECK(call(kSysClose, static_cast<u32>(blocking.value())) == 0);
    });
}

TEST_CASE("FIFO: a blocking open interrupted by a signal undoes itself", "[pipe][fifo]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([&] {
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        fs::Caller caller = sys::file_caller();
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/fifo", fs::kIfIfo | 0644, 0).is_error());
        set_action(box, kSigUsr1, kHandler, 0);
        i32 child = call(kSysFork);
        auto opened = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kOWrOnly, 0);
        REQUIRE(opened.is_error());
        CHECK(opened.error() == Errno::RESTARTSYS); // EINTR once the handler is set up
        // No reader was left behind: a non-blocking writer is still refused.
        CHECK(fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kOWrOnly | fs::kONonBlock, 0).error() == Errno::NXIO);
        CHECK(wait_child(child, box + 256) == child);
    });
}

TEST_CASE("pipe: a signal ends a blocked write with the count so far, or EINTR when nothing went in", "[pipe]")
{
    ProcessMachine m;
    Children children;
    for (int i = 0; i < 2; ++i) {
        children.programs.push_back([&] {
            CHECK(call(kSysKill, 1, kSigUsr1) == 0);
            exit_group(0);
        });
    }
    children.install();
    run_program(m, [&] {
        u32 buffer = scratch(20 * kPage);
        u32 box = scratch();
        Ends ends = make_pipe(box);
        // SA_NODEFER: the sim records handler frames without running them (no sigreturn unblocks SIGUSR1).
        set_action(box + 64, kSigUsr1, kHandler, proc::kSaNoDefer);
        fill(buffer, 'A', 65536 - 100);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 65536 - 100) == 65536 - 100);
        i32 first = call(kSysFork);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 8192) == 100); // the room there was
        i32 second = call(kSysFork);
        CHECK(call(kSysWrite, static_cast<u32>(ends.write), buffer, 10) == err(Errno::INTR));
        CHECK(sim::signal_deliveries().size() == 2);
        CHECK(waiting_bytes(ends.read, box) == 65536);
        CHECK(wait_child(first, box + 256) == first);
        CHECK(wait_child(second, box + 256) == second);
        CHECK(call(kSysClose, static_cast<u32>(ends.read)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(ends.write)) == 0);
    });
}
