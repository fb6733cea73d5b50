// fcntl's POSIX record locks between simulated processes (each forked child a task of its own): conflicts
// and F_GETLK's report, splitting and merging an owner's ranges, release on any close and on exit, F_SETLKW
// sleeping until the holder unlocks, EDEADLK for a two-process cycle, a SIGKILL while asleep, and the
// argument errors, for struct flock (fcntl) and struct flock64 (fcntl64).
#include <catch2/catch_test_macros.hpp>
#include <functional>
#include <vector>

#include "../proc/process_machine.hpp"
#include "sim/sim.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kFork = sys::nr("fork"), kOpen = sys::nr("open"), kClose = sys::nr("close"), kKill = sys::nr("kill"),
              kDup = sys::nr("dup"), kFcntl = sys::nr("fcntl"), kWait4 = sys::nr("wait4"),
              kSchedYield = sys::nr("sched_yield"), kFcntl64 = sys::nr("fcntl64");
constexpr u32 kFGetLk = 5, kFSetLk = 6, kFSetLkW = 7, kFGetLk64 = 12, kFSetLk64 = 13, kFSetLkW64 = 14;
constexpr i16 kRd = 0, kWr = 1, kUn = 2;
constexpr u32 kORdOnly = 0, kOWrOnly = 1, kORdWr = 2, kOCreat = 0100;

// One lock request through fcntl64 with a struct flock64 at `at`.
i32 lock64(u32 at, i32 fd, u32 command, i16 type, i64 start, i64 len, i16 whence = 0)
{
    poke(at, sys::Flock64 { type, whence, start, len, 0 });
    return call(kFcntl64, static_cast<u32>(fd), command, at);
}

// What F_GETLK64 says about a write lock of [start, start + len).
sys::Flock64 probe(u32 at, i32 fd, i64 start, i64 len = 1, i16 type = kWr)
{
    REQUIRE(lock64(at, fd, kFGetLk64, type, start, len) == 0);
    return peek<sys::Flock64>(at);
}

i32 open_file(u32 at, u32 flags)
{
    poke_string(at, "/locked");
    return call(kOpen, at, flags | kOCreat, 0644);
}

void wait_child(u32 box, i32 pid, u32 expected_status = 0)
{
    REQUIRE(call(kWait4, static_cast<u32>(pid), box, 0, 0) == pid);
    CHECK(peek<u32>(box) == expected_status);
}

} // namespace

TEST_CASE("fcntl locks: another process sees the conflict; F_GETLK reports the holder", "[syscall][file]")
{
    ProcessMachine m;
    Children children;
    u32 area = 0;
    children.programs.push_back([&] {
        i32 fd = open_file(area + 512, kORdWr);
        sys::Flock64 seen = probe(area, fd, 5);
        CHECK(seen.type == kWr);
        CHECK(seen.whence == 0);
        CHECK(seen.start == 0);
        CHECK(seen.len == 10);
        CHECK(seen.pid == 1);
        CHECK(probe(area, fd, 10).type == kUn);
        CHECK(probe(area, fd, 20, 5, kRd).type == kUn); // readers share
        CHECK(probe(area, fd, 20, 5, kWr).type == kRd);
        CHECK(lock64(area, fd, kFSetLk64, kWr, 0, 1) == err(Errno::AGAIN));
        CHECK(lock64(area, fd, kFSetLk64, kRd, 20, 0) == 0); // shares the read lock, to the end of file
        CHECK(lock64(area, fd, kFSetLk64, kWr, 10, 10) == 0);
        // struct flock through plain fcntl.
        poke(area, sys::Flock32 { kWr, 0, 3, 2, 0 });
        CHECK(call(kFcntl, static_cast<u32>(fd), kFGetLk, area) == 0);
        sys::Flock32 narrow = peek<sys::Flock32>(area);
        CHECK(narrow.type == kWr);
        CHECK(narrow.start == 0);
        CHECK(narrow.len == 10);
        poke(area, sys::Flock32 { kWr, 0, 3, 2, 0 });
        CHECK(call(kFcntl, static_cast<u32>(fd), kFSetLk, area) == err(Errno::AGAIN));
        exit_group(0);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        area = scratch();
        i32 fd = open_file(area + 512, kORdWr);
        REQUIRE(lock64(area, fd, kFSetLk64, kWr, 0, 10) == 0);
        REQUIRE(lock64(area, fd, kFSetLk64, kRd, 20, 10) == 0);
        CHECK(probe(area, fd, 0).type == kUn); // one's own locks never conflict
        i32 pid = call(kFork);
        wait_child(area + kPage, pid);
        // The child's locks went with its exit.
        CHECK(probe(area, fd, 10, 10).type == kUn);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE(
    "fcntl locks: ranges split when unlocked or retyped inside, and merge with their neighbours", "[syscall][file]")
{
    ProcessMachine m;
    Children children;
    u32 area = 0;
    i32 parent_fd = 0;
    std::vector<sys::Flock64> seen;
    std::vector<std::pair<i64, i16>> probes;
    // Each child reports what a write lock of one byte at each probe offset would run into.
    auto prober = [&] {
        i32 fd = open_file(area + 512, kORdOnly);
        for (auto [offset, type] : probes)
            seen.push_back(probe(area, fd, offset, 1, type));
        exit_group(0);
    };
    for (int i = 0; i < 4; ++i)
        children.programs.push_back(prober);
    children.install();
    auto status = m.run([&](uptr, uptr) {
        area = scratch();
        u32 box = area + kPage;
        parent_fd = open_file(area + 512, kORdWr);
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kWr, 0, 100) == 0);
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kUn, 40, 20) == 0);
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kRd, 60, 10) == 0);
        probes = { { 39, kWr }, { 50, kWr }, { 65, kWr }, { 75, kWr }, { 65, kRd } };
        wait_child(box, call(kFork));
        REQUIRE(seen.size() == 5);
        CHECK((seen[0].type == kWr && seen[0].start == 0 && seen[0].len == 40));
        CHECK(seen[1].type == kUn);
        CHECK((seen[2].type == kRd && seen[2].start == 60 && seen[2].len == 10));
        CHECK((seen[3].type == kWr && seen[3].start == 70 && seen[3].len == 30));
        CHECK(seen[4].type == kUn);
        // A write lock over the hole joins the one before it.
        seen.clear();
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kWr, 40, 20) == 0);
        probes = { { 50, kWr }, { 65, kWr } };
        wait_child(box, call(kFork));
        REQUIRE(seen.size() == 2);
        CHECK((seen[0].start == 0 && seen[0].len == 60));
        CHECK((seen[1].type == kRd && seen[1].start == 60));
        // Retyping the read lock joins everything into one; SEEK_CUR and a negative length name [60, 70).
        seen.clear();
        REQUIRE(call(sys::nr("lseek"), static_cast<u32>(parent_fd), 70, 0) == 70);
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kWr, 0, -10, 1 /* SEEK_CUR */) == 0);
        probes = { { 65, kWr }, { 0, kWr } };
        wait_child(box, call(kFork));
        REQUIRE(seen.size() == 2);
        CHECK((seen[0].type == kWr && seen[0].start == 0 && seen[0].len == 100));
        // Unlocking everything from 0 to the end of file.
        seen.clear();
        REQUIRE(lock64(area, parent_fd, kFSetLk64, kUn, 0, 0) == 0);
        probes = { { 0, kWr }, { 99, kWr } };
        wait_child(box, call(kFork));
        REQUIRE(seen.size() == 2);
        CHECK(seen[0].type == kUn);
        CHECK(seen[1].type == kUn);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE(
    "fcntl locks: any close of the file by the owner releases them, a fork does not inherit them", "[syscall][file]")
{
    ProcessMachine m;
    Children children;
    u32 area = 0;
    std::vector<i16> seen;
    auto prober = [&] {
        i32 fd = open_file(area + 512, kORdOnly);
        seen.push_back(probe(area, fd, 0, 0).type);
        exit_group(0);
    };
    children.programs.push_back(prober);
    children.programs.push_back(prober);
    children.install();
    auto status = m.run([&](uptr, uptr) {
        area = scratch();
        u32 box = area + kPage;
        i32 fd = open_file(area + 512, kORdWr);
        i32 other = call(kDup, static_cast<u32>(fd));
        REQUIRE(lock64(area, fd, kFSetLk64, kWr, 0, 10) == 0);
        wait_child(box, call(kFork));
        // Closing a duplicate (or any other descriptor of the file) drops the lock.
        REQUIRE(call(kClose, static_cast<u32>(other)) == 0);
        wait_child(box, call(kFork));
        REQUIRE(seen.size() == 2);
        CHECK(seen[0] == kWr);
        CHECK(seen[1] == kUn);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("fcntl locks: F_SETLKW sleeps until the holder unlocks; EDEADLK for a cycle", "[syscall][file]")
{
    ProcessMachine m;
    Children children;
    u32 area = 0;
    std::vector<char> order;
    children.programs.push_back([&] {
        u32 mine = area + 2 * kPage;
        i32 fd = open_file(mine + 512, kORdWr);
        REQUIRE(lock64(mine, fd, kFSetLk64, kWr, 50, 10) == 0);
        order.push_back('c');
        // Waits for the parent's [0, 10).
        CHECK(lock64(mine, fd, kFSetLkW64, kWr, 0, 10) == 0);
        order.push_back('C');
        exit_group(0);
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        area = scratch();
        u32 box = area + kPage;
        i32 fd = open_file(area + 512, kORdWr);
        REQUIRE(lock64(area, fd, kFSetLk64, kWr, 0, 10) == 0);
        i32 pid = call(kFork);
        while (order.empty())
            call(kSchedYield);
        call(kSchedYield); // the child is asleep in F_SETLKW now
        CHECK(order == std::vector<char> { 'c' });
        // Waiting for the child's lock would close the cycle.
        CHECK(lock64(area, fd, kFSetLkW64, kWr, 55, 1) == err(Errno::DEADLK));
        CHECK(lock64(area, fd, kFSetLk64, kWr, 55, 1) == err(Errno::AGAIN));
        order.push_back('p');
        REQUIRE(lock64(area, fd, kFSetLk64, kUn, 0, 10) == 0);
        wait_child(box, pid);
        CHECK(order == std::vector<char> { 'c', 'p', 'C' });
        // The child is gone, and its locks with it: now the parent's wait ends at once.
        CHECK(lock64(area, fd, kFSetLkW64, kWr, 0, 100) == 0);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("fcntl locks: a SIGKILL ends an F_SETLKW sleep, and the lock table stays sound", "[syscall][file]")
{
    ProcessMachine m;
    Children children;
    u32 area = 0;
    bool asleep = false;
    children.programs.push_back([&] {
        u32 mine = area + 2 * kPage;
        i32 fd = open_file(mine + 512, kORdWr);
        asleep = true;
        lock64(mine, fd, kFSetLkW64, kRd, 0, 1);
        FAIL("the child should have been killed in F_SETLKW");
    });
    children.install();
    auto status = m.run([&](uptr, uptr) {
        area = scratch();
        i32 fd = open_file(area + 512, kORdWr);
        REQUIRE(lock64(area, fd, kFSetLk64, kWr, 0, 0) == 0);
        i32 pid = call(kFork);
        while (!asleep)
            call(kSchedYield);
        call(kSchedYield);
        CHECK(call(kKill, static_cast<u32>(pid), 9) == 0);
        wait_child(area + kPage, pid, 9);
        REQUIRE(lock64(area, fd, kFSetLk64, kUn, 0, 0) == 0);
        REQUIRE(lock64(area, fd, kFSetLkW64, kWr, 0, 0) == 0);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("fcntl locks: argument errors", "[syscall][file]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 area = scratch();
        i32 reader = open_file(area + 512, kORdOnly);
        i32 writer = open_file(area + 512, kOWrOnly);
        CHECK(lock64(area, reader, kFSetLk64, kWr, 0, 1) == err(Errno::BADF));
        CHECK(lock64(area, writer, kFSetLk64, kRd, 0, 1) == err(Errno::BADF));
        CHECK(lock64(area, writer, kFSetLk64, kUn, 0, 1) == 0);
        CHECK(lock64(area, reader, kFSetLk64, 7, 0, 1) == err(Errno::INVAL));
        CHECK(lock64(area, reader, kFGetLk64, kUn, 0, 1) == err(Errno::INVAL));
        CHECK(lock64(area, reader, kFSetLk64, kRd, 0, 1, 5) == err(Errno::INVAL));
        CHECK(lock64(area, reader, kFSetLk64, kRd, -1, 1) == err(Errno::INVAL));
        CHECK(lock64(area, reader, kFSetLk64, kRd, 5, -6) == err(Errno::INVAL));
        CHECK(lock64(area, reader, kFSetLk64, kRd, 0x7fffffffffffffffll, 2) == err(Errno::OVERFLOW));
        CHECK(call(kFcntl64, static_cast<u32>(reader), kFSetLk64, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kFcntl64, 99, kFSetLk64, area) == err(Errno::BADF));
        CHECK(call(kFcntl64, static_cast<u32>(reader), 37 /* F_OFD_SETLK */, area) == err(Errno::INVAL));
        // fcntl64 takes a struct flock for the plain commands.
        poke(area, sys::Flock32 { kRd, 0, 0, 1, 0 });
        CHECK(call(kFcntl64, static_cast<u32>(reader), kFSetLkW, area) == 0);
    });
}
