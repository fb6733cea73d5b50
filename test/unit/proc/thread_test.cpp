// Threads and futexes on the simulated machine: clone with the flags musl's pthread_create uses, thread ids
// and the shared address space, joining through CLONE_CHILD_CLEARTID and FUTEX_WAIT, exit versus exit_group,
// signals to a process and to one thread, the futex operations and their errors, and vfork-style clones;
// how a Thread and its Process point at each other, and the lookups by tid and by pid.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "process_machine.hpp"
#include "proc/futex.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;
using sys::UserDesc;

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysKill = sys::nr("kill"), kSysWait4 = sys::nr("wait4"),
              kSysClone = sys::nr("clone"), kSysRtSigaction = sys::nr("rt_sigaction"),
              kSysRtSigprocmask = sys::nr("rt_sigprocmask"), kSysRtSigpending = sys::nr("rt_sigpending"),
              kSysSchedYield = sys::nr("sched_yield"), kSysFutex = sys::nr("futex"), kSysTgkill = sys::nr("tgkill");
constexpr u32 kFutexWait = 0, kFutexWake = 1, kFutexRequeue = 3, kFutexCmpRequeue = 4, kFutexWakeOp = 5,
              kFutexWaitBitset = 9, kFutexWakeBitset = 10, kFutexPrivate = 128, kFutexClockRealtime = 256;
constexpr i32 kSigUsr1 = 10, kSigUsr2 = 12, kSigChld = 17;
constexpr u32 kHandler = 0x0804A000, kRestorer = 0x0804A100;
constexpr u32 kIntMax = 0x7FFFFFFF;

// What musl's pthread_create asks for.
constexpr u32 kThreadFlags = proc::kCloneVm | proc::kCloneFs | proc::kCloneFiles | proc::kCloneSighand
    | proc::kCloneThread | proc::kCloneSysvsem | proc::kCloneSettls | proc::kCloneParentSettid
    | proc::kCloneChildCleartid | proc::kCloneDetached;

// A thread as musl starts one: its tid stored at `tid_word` by the kernel and cleared (with a futex wake)
// when it exits, a stack of its own in `memory`, and the TLS descriptor for GDT entry 6.
i32 start_thread(u32 memory, u32 tid_word, u32 tls_base = 0x12345000)
{
    u32 desc = memory + 0x100;
    poke(desc, UserDesc { 6, tls_base, 0xFFFFF, 0x51 });
    return call(kSysClone, kThreadFlags, memory + 0x3000, tid_word, desc, tid_word);
}

// The leader starts the installed thread program and exits at once with `code`, so that thread outlives it.
template<typename Machine> auto run_leader_exiting(Machine& m, u32 code)
{
    return m.run([code](uptr, uptr) {
        u32 memory = scratch();
        start_thread(memory, memory);
        call(kSysExit, code);
    });
}

// pthread_join: sleeps on the tid word until the kernel clears it.
void join(u32 tid_word)
{
    while (i32 tid = peek<i32>(tid_word)) {
        i32 result = call(kSysFutex, tid_word, kFutexWait, static_cast<u32>(tid), 0);
        REQUIRE((result == 0 || result == err(Errno::AGAIN)));
    }
}

void block_signal(u32 box, int signal)
{
    poke<u64>(box, proc::signal_bit(signal));
    REQUIRE(call(kSysRtSigprocmask, 0 /* SIG_BLOCK */, box, 0, 8) == 0);
}

u64 pending(u32 box)
{
    REQUIRE(call(kSysRtSigpending, box, 8) == 0);
    return peek<u64>(box);
}

usize sleepers() { return proc::futex_sleepers(proc::current()->space.get()); }

} // namespace

TEST_CASE("clone makes a thread: same process, own tid, shared memory, own stack and TLS, joined by futex", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    i32 seen_tid = 0, seen_pid = 0, seen_ppid = -1;
    uptr seen_stack = 0;
    u32 seen_tls_base = 0;
    children.programs.push_back([&] {
        seen_tid = call(kSysGettid);
        seen_pid = call(kSysGetpid);
        seen_ppid = call(kSysGetppid);
        seen_stack = sim::fork_child_stack();
        poke<u32>(memory + 0x40, 1234); // the parent sees this: one address space
        poke(memory + 0x200, UserDesc { 6, 0, 0, 0 });
        REQUIRE(call(kSysGetThreadArea, memory + 0x200) == 0);
        seen_tls_base = peek<UserDesc>(memory + 0x200).base_addr;
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        u32 tid_word = memory;
        i32 tid = start_thread(memory, tid_word);
        CHECK(tid == 2);
        CHECK(peek<i32>(tid_word) == tid); // CLONE_PARENT_SETTID
        join(tid_word);
        CHECK(peek<i32>(tid_word) == 0); // CLONE_CHILD_CLEARTID
        CHECK(seen_tid == tid);
        CHECK(seen_pid == 1);
        CHECK(seen_ppid == 0); // the process's parent: init has none
        CHECK(seen_stack == memory + 0x3000);
        CHECK(peek<u32>(memory + 0x40) == 1234);
        CHECK(seen_tls_base == 0x12345000);
        poke(memory + 0x200, UserDesc { 6, 0, 0, 0 });
        REQUIRE(call(kSysGetThreadArea, memory + 0x200) == 0);
        CHECK(peek<UserDesc>(memory + 0x200).base_addr == 0); // the creator's own entry is untouched
        CHECK(call(kSysWait4, static_cast<u32>(-1), 0, 0, 0) == err(Errno::CHILD)); // a thread is not a child
        CHECK(call(kSysGetpid) == 1);
        CHECK(call(kSysGettid) == 1);
        CHECK(sleepers() == 0);
    });
}

TEST_CASE("a thread points at its process, which lists it; lookups by tid and by pid", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    bool child_saw_same_process = false;
    children.programs.push_back([&] {
        child_saw_same_process = &proc::current()->process() == proc::find_process(1);
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        u32 memory = scratch();
        proc::Thread& self = *proc::current();
        proc::Process& process = self.process();
        i32 tid = start_thread(memory, memory);
        proc::Thread* thread = proc::find_thread(tid);
        REQUIRE(thread);
        CHECK(&thread->process() == &process);
        CHECK(process.leader == &self);
        CHECK(self.is_leader());
        CHECK_FALSE(thread->is_leader());
        CHECK(thread->tgid() == 1);
        CHECK(process.threads.size() == 2);
        CHECK(process.live_threads == 2);
        CHECK(proc::find_process(1) == &process);
        CHECK(proc::find_process(tid) == nullptr); // a thread's id names no process of its own
        CHECK(proc::find_thread_group(tid) == &process);
        join(memory);
        CHECK(child_saw_same_process);
        CHECK(process.live_threads == 1);
        CHECK(proc::find_thread_group(tid) == nullptr); // exited, even before it is freed
        call(kSysSchedYield); // a system call frees the threads that have exited
        CHECK(proc::find_thread(tid) == nullptr);
    });
}

TEST_CASE("exit_group in one thread ends every thread, with its status", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([] { exit_group(5); });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 memory = scratch();
        start_thread(memory, memory);
        for (;;) // sleeps until the other thread's exit_group ends it
            call(kSysFutex, memory + 0x80, kFutexWait, 0, 0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 5u << 8);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("the process outlives its first thread's exit and reports the leader's status", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    i32 seen_pid = 0, kill_result = -1;
    children.programs.push_back([&] {
        call(kSysSchedYield); // the leader exits meanwhile
        seen_pid = call(kSysGetpid);
        kill_result = call(kSysKill, 1, 0); // the process is still there to signal
        call(kSysExit, 3);
    });
    children.install();
    auto status = run_leader_exiting(m, 7);
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 7u << 8); // Linux reports the leader's exit code, not the last thread's
    CHECK(seen_pid == 1);
    CHECK(kill_result == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("RLIMIT_STACK can be set after the leader thread has exited", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    i32 set_result = -1, get_result = -1;
    u64 seen_limit = 0;
    children.programs.push_back([&] {
        call(kSysSchedYield); // the leader exits meanwhile, and lets go of the address space
        u32 box = scratch(kPage);
        poke(box, sys::RlimitPair { 4u << 20, 0xFFFFFFFF });
        set_result = call(sys::nr("setrlimit"), proc::kRlimitStack, box);
        get_result = call(sys::nr("ugetrlimit"), proc::kRlimitStack, box + 64);
        seen_limit = peek<sys::RlimitPair>(box + 64).current;
        call(kSysExit, 0);
    });
    children.install();
    auto status = run_leader_exiting(m, 0);
    REQUIRE_FALSE(status.is_error());
    CHECK(set_result == 0);
    CHECK(get_result == 0);
    CHECK(seen_limit == 4u << 20);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("a fault in one thread with no handler kills the whole process", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([] { sim::user_trap({ 11, 0x10, kEntry, false, false }); });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        u32 memory = scratch();
        start_thread(memory, memory);
        for (;;)
            call(kSysFutex, memory + 0x80, kFutexWait, 0, 0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 11);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("a signal sent to the process goes to a thread that does not block it", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    i32 wait_result = 0;
    usize deliveries = 0;
    u32 memory = 0;
    children.programs.push_back([&] {
        // Unblocks what it inherited, then sleeps: the signal interrupts it and its handler runs.
        poke<u64>(memory + 0x300, 0);
        REQUIRE(call(kSysRtSigprocmask, 2 /* SIG_SETMASK */, memory + 0x300, 0, 8) == 0);
        wait_result = call(kSysFutex, memory + 0x80, kFutexWait, 0, 0);
        deliveries = sim::signal_deliveries().size();
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        poke(memory + 0x400, proc::SignalAction { kHandler, proc::kSaRestorer, kRestorer, 0 });
        REQUIRE(call(kSysRtSigaction, kSigUsr1, memory + 0x400, 0, 8) == 0);
        block_signal(memory + 0x500, kSigUsr1);
        start_thread(memory, memory);
        yield_until([&] { return sleepers() == 1; });
        CHECK(call(kSysKill, 1, kSigUsr1) == 0);
        join(memory);
        CHECK(wait_result == err(Errno::INTR)); // no SA_RESTART
        CHECK(deliveries == 1);
        CHECK(sim::signal_deliveries().at(0).signal == kSigUsr1);
        CHECK(pending(memory + 0x500) == 0); // taken by the thread, not left for the blocking one
    });
}

TEST_CASE("tgkill signals one thread; rt_sigpending shows a thread its own and its process's", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    i32 tgkill_result = -1, wrong_group = 0;
    u64 pending_in_thread = 1;
    u32 memory = 0;
    children.programs.push_back([&] {
        block_signal(memory + 0x600, kSigUsr2);
        tgkill_result = call(kSysTgkill, 1, 1, kSigUsr2); // the main thread, which blocks it
        wrong_group = call(kSysTgkill, 5, 1, kSigUsr2);
        pending_in_thread = pending(memory + 0x600);
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        block_signal(memory + 0x500, kSigUsr2);
        i32 tid = start_thread(memory, memory);
        join(memory);
        CHECK(tgkill_result == 0);
        CHECK(wrong_group == err(Errno::SRCH));
        CHECK(pending_in_thread == 0);
        CHECK(pending(memory + 0x500) == proc::signal_bit(kSigUsr2));
        CHECK(call(kSysTgkill, 1, static_cast<u32>(tid), kSigUsr2) == err(Errno::SRCH)); // it has exited
    });
}

TEST_CASE("futex checks its arguments and times out as Linux does", "[proc][thread]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch();
        poke<u32>(box, 5);
        CHECK(call(kSysFutex, box, kFutexWait, 4, 0) == err(Errno::AGAIN));
        CHECK(call(kSysFutex, box + 1, kFutexWait, 5, 0) == err(Errno::INVAL));
        CHECK(call(kSysFutex, 0x1000, kFutexWait, 5, 0) == err(Errno::FAULT));
        CHECK(call(kSysFutex, 0xC0000000, kFutexWait, 5, 0) == err(Errno::FAULT));
        CHECK(call(kSysFutex, box, kFutexWaitBitset, 5, 0, 0, 0) == err(Errno::INVAL)); // empty bitset
        CHECK(call(kSysFutex, box, kFutexWakeBitset, 1, 0, 0, 0) == err(Errno::INVAL));
        CHECK(call(kSysFutex, box, kFutexWake, 1) == 0);
        CHECK(call(kSysFutex, box + 2, kFutexWake, 1) == err(Errno::INVAL));
        CHECK(call(kSysFutex, 0x1000, kFutexWake | kFutexPrivate, 1) == 0); // nothing to read: no fault
        CHECK(call(kSysFutex, box, kFutexWakeOp, 1, 1, box + 4, 0) == err(Errno::NOSYS));
        CHECK(call(kSysFutex, box, kFutexWake | kFutexClockRealtime, 1) == err(Errno::NOSYS));
        CHECK(call(kSysFutex, box, kFutexRequeue, static_cast<u32>(-1), 1, box + 4) == err(Errno::INVAL));
        CHECK(call(kSysFutex, box, kFutexCmpRequeue, 1, 1, box + 4, 4) == err(Errno::AGAIN));
        CHECK(call(kSysFutex, box, kFutexCmpRequeue, 1, 1, box + 6, 5) == err(Errno::INVAL));

        // A relative timeout of 5 ms (i386 timespec: two 32-bit words).
        u32 timeout = box + 16;
        poke<u32>(timeout, 0);
        poke<u32>(timeout + 4, 5000000);
        u64 before = sim::elapsed_ticks();
        CHECK(call(kSysFutex, box, kFutexWait | kFutexPrivate, 5, timeout) == err(Errno::TIMEDOUT));
        CHECK(sim::elapsed_ticks() - before >= 5);
        poke<u32>(timeout + 4, 1000000000);
        CHECK(call(kSysFutex, box, kFutexWait, 5, timeout) == err(Errno::INVAL));
        // FUTEX_WAIT_BITSET's timeout is absolute: one in the past has already passed.
        poke<u32>(timeout, 0);
        poke<u32>(timeout + 4, 0);
        CHECK(call(kSysFutex, box, kFutexWaitBitset, 5, timeout, 0, proc::kFutexBitsetAll) == err(Errno::TIMEDOUT));
        CHECK(call(kSysFutex, box, kFutexWaitBitset | kFutexClockRealtime, 5, timeout, 0, proc::kFutexBitsetAll)
            == err(Errno::TIMEDOUT));
        CHECK(sleepers() == 0);
    });
}

TEST_CASE("FUTEX_CMP_REQUEUE wakes some sleepers and moves the rest; WAKE_BITSET picks by bitset", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    std::vector<i32> results;
    int exited = 0;
    auto sleeper = [&](u32 op, u32 word, u32 bitset) {
        return [&, op, word, bitset] {
            results.push_back(call(kSysFutex, memory + word, op, 0, 0, 0, bitset));
            ++exited;
            call(kSysExit, 0);
        };
    };
    for (int i = 0; i < 3; ++i)
        children.programs.push_back(sleeper(kFutexWait, 0x800, 0));
    children.programs.push_back(sleeper(kFutexWaitBitset, 0x900, 1));
    children.programs.push_back(sleeper(kFutexWaitBitset, 0x900, 2));
    children.install();
    run_program(m, [&] {
        memory = scratch(32 * kPage);
        for (u32 i = 0; i < 3; ++i)
            start_thread(memory + (i + 1) * 0x4000, memory + 0x10 + 4 * i);
        yield_until([&] { return sleepers() == 3; });
        CHECK(call(kSysFutex, memory + 0x800, kFutexCmpRequeue, 1, 2, memory + 0x880, 1) == err(Errno::AGAIN));
        CHECK(call(kSysFutex, memory + 0x800, kFutexCmpRequeue, 1, 2, memory + 0x880, 0) == 3);
        yield_until([&] { return exited == 1; });
        CHECK(call(kSysFutex, memory + 0x800, kFutexWake, kIntMax) == 0); // the other two moved away
        CHECK(call(kSysFutex, memory + 0x880, kFutexWake, kIntMax) == 2);
        yield_until([&] { return exited == 3; });

        start_thread(memory + 0x14000, memory + 0x20);
        start_thread(memory + 0x18000, memory + 0x24);
        yield_until([&] { return sleepers() == 2; });
        CHECK(call(kSysFutex, memory + 0x900, kFutexWakeBitset, kIntMax, 0, 0, 2) == 1);
        yield_until([&] { return exited == 4; });
        CHECK(sleepers() == 1); // the bitset-1 sleeper is still there
        CHECK(call(kSysFutex, memory + 0x900, kFutexWake, 0) == 1); // a count of 0 still wakes one, as on Linux
        yield_until([&] { return exited == 5; });
        CHECK(results == std::vector<i32> { 0, 0, 0, 0, 0 });
        for (u32 word = 0x10; word <= 0x24; word += 4)
            join(memory + word);
    });
}

TEST_CASE("clone refuses flag combinations Linux refuses", "[proc][thread]")
{
    ProcessMachine m;
    run_program(m, [&] {
        CHECK(call(kSysClone, proc::kCloneThread | proc::kCloneVm) == err(Errno::INVAL)); // a thread shares handlers
        CHECK(call(kSysClone, proc::kCloneSighand) == err(Errno::INVAL));                 // handlers need the memory
        CHECK(call(kSysClone, kThreadFlags | kSigChld) == err(Errno::INVAL));      // a thread has no exit signal
        CHECK(call(kSysClone, proc::kCloneParent | kSigChld) == err(Errno::INVAL)); // init has no parent to share
        CHECK(call(kSysClone, 65) == err(Errno::INVAL));                           // no signal 65
        u32 box = scratch();
        poke(box, UserDesc { 0xFFFFFFFF, 0x1000, 0xFFFFF, 0x51 });
        CHECK(call(kSysClone, kThreadFlags, box + 0x3000, box + 0x20, box, box + 0x20) == err(Errno::INVAL));
        CHECK(call(kSysClone, kThreadFlags, box + 0x3000, box + 0x20, 0xC0000000, box + 0x20) == err(Errno::FAULT));
    });
}

TEST_CASE("clone(CLONE_VM | CLONE_VFORK): the parent waits for the child, which shares its memory", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    bool child_done = false;
    u32 memory = 0;
    children.programs.push_back([&] {
        poke<u32>(memory, 99);
        child_done = true;
        exit_group(4);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        i32 pid = call(kSysClone, proc::kCloneVm | proc::kCloneVfork | kSigChld, memory + 0x3000);
        CHECK(pid == 2);
        CHECK(child_done); // vfork: the parent resumes only once the child is gone
        CHECK(peek<u32>(memory) == 99);
        CHECK(call(kSysWait4, static_cast<u32>(pid), memory + 8, 0, 0) == pid);
        CHECK(peek<u32>(memory + 8) == 4u << 8);
    });
}

TEST_CASE("CLONE_CHILD_SETTID writes the tid in the child's own memory", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    i32 seen = 0;
    children.programs.push_back([&] {
        seen = peek<i32>(memory);
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        i32 pid = call(kSysClone, proc::kCloneChildSettid | kSigChld, 0, 0, 0, memory);
        CHECK(call(kSysWait4, static_cast<u32>(pid), 0, 0, 0) == pid);
        CHECK(seen == pid);
        CHECK(peek<i32>(memory) == 0); // a copy of memory: the parent's word is untouched
    });
}

TEST_CASE("children of a parent that ignores SIGCHLD are reaped by the kernel", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    children.programs.push_back([] { exit_group(1); });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        poke(box, proc::SignalAction { proc::kSigIgnore, 0, 0, 0 });
        REQUIRE(call(kSysRtSigaction, kSigChld, box, 0, 8) == 0);
        i32 pid = call(kSysFork);
        CHECK(pid == 2);
        // wait4 blocks until the child has gone, then there is no child to report (man 2 wait, NOTES).
        CHECK(call(kSysWait4, static_cast<u32>(-1), 0, 0, 0) == err(Errno::CHILD));
        CHECK(call(kSysKill, static_cast<u32>(pid), 0) == err(Errno::SRCH));
    });
}

TEST_CASE("tkill reaches a thread that is not its process's leader", "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    i32 wait_result = 0;
    children.programs.push_back([&] {
        wait_result = call(kSysFutex, memory + 0x80, kFutexWait, 0, 0);
        call(kSysExit, 0);
    });
    children.install();
    run_program(m, [&] {
        memory = scratch();
        poke(memory + 0x400, proc::SignalAction { kHandler, proc::kSaRestorer, kRestorer, 0 });
        REQUIRE(call(kSysRtSigaction, kSigUsr1, memory + 0x400, 0, 8) == 0);
        i32 tid = start_thread(memory, memory);
        yield_until([&] { return sleepers() == 1; });
        CHECK(call(sys::nr("tkill"), static_cast<u32>(tid), kSigUsr1) == 0);
        join(memory);
        CHECK(wait_result == err(Errno::INTR));
        CHECK(call(sys::nr("tkill"), static_cast<u32>(tid), kSigUsr1) == err(Errno::SRCH));
        CHECK(call(sys::nr("tkill"), 0, kSigUsr1) == err(Errno::INVAL));
    });
}

TEST_CASE("execve from a thread: the other threads end and the thread takes over the process's pid",
    "[proc][thread]")
{
    ProcessMachine m;
    Children children;
    u32 memory = 0;
    int runs = 0;
    i32 pid_after = 0, tid_after = 0, ppid_after = -1;
    children.programs.push_back([&] {
        // The thread: exec the same program with new arguments.
        poke_string(memory + 0x500, "/sbin/init");
        poke<u32>(memory + 0x600, memory + 0x500);
        poke<u32>(memory + 0x604, 0);
        call(sys::nr("execve"), memory + 0x500, memory + 0x600, memory + 0x604);
        FAIL("execve returned");
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        if (runs++ == 0) {
            memory = scratch();
            start_thread(memory, memory + 0x40);
            for (;;) // the main thread sleeps until the exec ends it
                call(kSysFutex, memory + 0x80, kFutexWait, 0, 0);
        }
        pid_after = call(kSysGetpid);
        tid_after = call(kSysGettid);
        ppid_after = call(kSysGetppid);
        exit_group(6);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(runs == 2);
    CHECK(status.value() == 6u << 8); // init's status: the thread became init
    CHECK(pid_after == 1);
    CHECK(tid_after == 1);
    CHECK(ppid_after == 0);
    CHECK(m.no_pages_leaked());
}
