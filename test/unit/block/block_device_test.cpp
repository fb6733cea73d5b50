// The block layer (block/block_device.hpp) over the sim's disks (sim/block_device.hpp): round trips, the
// checks a request gets before any driver sees it, scripted device errors reaching the caller as EIO with one
// log line, latency that puts the caller to sleep while other tasks run, completion from an interrupt
// handler, two tasks queued on one disk, and a disk backed by a host file. Every machine gives its pages back.
#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "../proc/process_machine.hpp"
#include "block/block_device.hpp"
#include "proc/scheduler.hpp"
#include "proc/timer.hpp"
#include "sim/block_device.hpp"

using namespace proc_test;

namespace {

constexpr u32 kFork = 2, kWait4 = 114;
constexpr u64 kMs = 1000000;
constexpr usize kSector = block::kSectorBytes;

std::vector<u8> pattern(usize bytes, u8 seed)
{
    std::vector<u8> out(bytes);
    for (usize i = 0; i < bytes; ++i)
        out[i] = static_cast<u8>(seed + i * 7 + i / 512);
    return out;
}

usize count_lines(const RecordingConsole& console, const char* text)
{
    usize n = 0;
    for (const std::string& line : console.lines())
        n += line.find(text) != std::string::npos;
    return n;
}

bool is_asleep(i32 pid)
{
    proc::Thread* process = proc::find_thread(pid);
    return process && process->state == proc::Thread::State::Blocked;
}

} // namespace

TEST_CASE("block: sectors written are read back, and the disk holds them where they were written", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("ram0", 64);
    CHECK(disk.sector_size() == 512);
    CHECK(disk.sector_count() == 64);
    CHECK(disk.size_bytes() == 64 * kSector);
    CHECK_FALSE(disk.read_only());
    run_program(m, [&] {
        std::vector<u8> data = pattern(3 * kSector, 1);
        REQUIRE_FALSE(block::write_sectors(disk, 10, 3, data.data()).is_error());
        CHECK(std::memcmp(disk.contents().data() + 10 * kSector, data.data(), data.size()) == 0);
        CHECK(disk.contents()[10 * kSector - 1] == 0); // nothing spilled before or after
        CHECK(disk.contents()[13 * kSector] == 0);
        std::vector<u8> back(4 * kSector, 0xEE);
        REQUIRE_FALSE(block::read_sectors(disk, 9, 4, back.data()).is_error());
        CHECK(std::vector<u8>(back.begin(), back.begin() + kSector) == std::vector<u8>(kSector, 0));
        CHECK(std::memcmp(back.data() + kSector, data.data(), data.size()) == 0);
        // The last sector is in range.
        REQUIRE_FALSE(block::write_sectors(disk, 63, 1, data.data()).is_error());
        CHECK(disk.requests_started() == 3);
        CHECK(disk.queued() == 0);
    });
}

TEST_CASE("block: requests past the end are EIO with one log line; empty, bufferless and read-only ones fail before "
          "the driver",
    "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("ram0", 64);
    sim::RamBlockDevice rom("ram1", 8, true);
    run_program(m, [&] {
        std::vector<u8> buffer(4 * kSector, 0x5A);
        CHECK(block::read_sectors(disk, 63, 2, buffer.data()).error() == Errno::IO); // straddles the end
        CHECK(count_lines(m.console, "ram0: attempt to access beyond end of device") == 1);
        CHECK(block::write_sectors(disk, 64, 1, buffer.data()).error() == Errno::IO);
        CHECK(block::read_sectors(disk, ~u64 { 0 }, 2, buffer.data()).error() == Errno::IO); // sector + count wraps
        CHECK(block::read_sectors(disk, 1, ~u32 { 0 }, buffer.data()).error() == Errno::IO);
        CHECK(count_lines(m.console, "beyond end of device") == 4);
        CHECK(block::read_sectors(disk, 0, 0, buffer.data()).error() == Errno::INVAL);
        CHECK(block::read_sectors(disk, 0, 1, nullptr).error() == Errno::INVAL);
        CHECK(block::write_sectors(rom, 0, 1, buffer.data()).error() == Errno::ROFS);
        CHECK(buffer == std::vector<u8>(4 * kSector, 0x5A)); // nothing was read into it
        CHECK(disk.requests_started() == 0); // none reached a driver
        CHECK(rom.requests_started() == 0);
        CHECK_FALSE(block::read_sectors(rom, 7, 1, buffer.data()).is_error()); // reads are fine
        CHECK(rom.requests_started() == 1);
    });
}

TEST_CASE("block: a scripted device error reaches the caller as EIO with one log line, and the disk goes on", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("hda", 32);
    disk.contents().assign(32 * kSector, 0x11);
    run_program(m, [&] {
        std::vector<u8> buffer(2 * kSector, 0);
        disk.fail_request(2); // the second request from now
        CHECK_FALSE(block::read_sectors(disk, 0, 1, buffer.data()).is_error());
        CHECK(buffer[0] == 0x11);
        std::fill(buffer.begin(), buffer.end(), 0);
        CHECK(block::read_sectors(disk, 4, 2, buffer.data()).error() == Errno::IO);
        CHECK(buffer == std::vector<u8>(2 * kSector, 0)); // a failed read moved no data
        CHECK(count_lines(m.console, "block: I/O error, dev hda, sector 4, 2 sectors, read") == 1);
        CHECK(count_lines(m.console, "I/O error") == 1);
        CHECK_FALSE(block::read_sectors(disk, 4, 2, buffer.data()).is_error()); // only that one failed
        // A bad sector fails every request whose run includes it, and only those.
        disk.fail_sector(9);
        std::vector<u8> data = pattern(2 * kSector, 3);
        CHECK(block::write_sectors(disk, 8, 2, data.data()).error() == Errno::IO);
        CHECK(block::write_sectors(disk, 9, 1, data.data()).error() == Errno::IO);
        CHECK(disk.contents()[9 * kSector] == 0x11); // a failed write changed nothing
        CHECK_FALSE(block::write_sectors(disk, 10, 2, data.data()).is_error());
        CHECK_FALSE(block::write_sectors(disk, 7, 2, data.data()).is_error()); // 7 and 8 only
        CHECK(count_lines(m.console, "I/O error") == 3);
        CHECK(count_lines(m.console, "block: I/O error, dev hda, sector 8, 2 sectors, write") == 1);
        disk.clear_faults();
        CHECK_FALSE(block::write_sectors(disk, 9, 1, data.data()).is_error());
        CHECK(disk.queued() == 0);
    });
}

TEST_CASE(
    "block: with latency the caller sleeps, another task runs meanwhile, and the data arrives after it", "[block]")
{
    ProcessMachine m;
    Children children;
    sim::RamBlockDevice disk("hda", 16);
    std::vector<u8> stored = pattern(kSector, 9);
    std::memcpy(disk.contents().data() + 2 * kSector, stored.data(), kSector);
    disk.set_latency_ns(5 * kMs);
    i32 parent = 0;
    bool child_saw_parent_asleep = false;
    children.programs.push_back([&] {
        child_saw_parent_asleep = is_asleep(parent) && disk.busy();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        parent = proc::running()->tid;
        i32 child = call(kFork);
        REQUIRE(child > 0);
        std::vector<u8> buffer(kSector, 0);
        u64 before = arch::clock_ns();
        REQUIRE_FALSE(block::read_sectors(disk, 2, 1, buffer.data()).is_error());
        CHECK(arch::clock_ns() - before >= 5 * kMs);
        CHECK(buffer == stored);
        CHECK(child_saw_parent_asleep);
        CHECK(call(kWait4, static_cast<u32>(child), 0, 0, 0) == child);
        // A failure with latency comes back as late, and as EIO.
        disk.fail_request(1);
        before = arch::clock_ns();
        CHECK(block::read_sectors(disk, 2, 1, buffer.data()).error() == Errno::IO);
        CHECK(arch::clock_ns() - before >= 5 * kMs);
        CHECK(count_lines(m.console, "I/O error") == 1);
    });
}

namespace {

struct Completion {
    sim::SimBlockDevice* disk;
    int calls = 0;
    u64 interrupts_then = 0;
    bool interrupts_on = true;
    u64 at = 0;
    std::vector<int>* order = nullptr;
    int id = 0;
};

void on_complete(block::Request&, void* context)
{
    auto& c = *static_cast<Completion*>(context);
    ++c.calls;
    c.interrupts_then = c.disk->interrupts_taken();
    c.interrupts_on = arch::interrupts_enabled();
    c.at = arch::clock_ns();
    if (c.order)
        c.order->push_back(c.id);
}

} // namespace

TEST_CASE("block: a request completes from the disk's interrupt handler, held back while the line is masked", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("hdc", 8);
    REQUIRE_FALSE(disk.complete_through_irq(14).is_error());
    CHECK(disk.complete_through_irq(14).error() == Errno::BUSY);
    run_program(m, [&] {
        std::vector<u8> data = pattern(kSector, 4), back(kSector, 0);
        // Synchronous, through the handler: the line is raised inside start and taken at once.
        REQUIRE_FALSE(block::write_sectors(disk, 1, 1, data.data()).is_error());
        CHECK(disk.interrupts_taken() == 1);
        // Asynchronous, with the line masked: done only once the interrupt gets through.
        arch::mask_irq(14);
        block::Request request(block::Operation::Read, 1, 1, back.data());
        Completion seen { &disk };
        request.set_callback(on_complete, &seen);
        REQUIRE_FALSE(disk.submit(request).is_error());
        CHECK(sim::irq_pending(14));
        CHECK_FALSE(request.is_done());
        CHECK(seen.calls == 0);
        CHECK(disk.busy());
        bool were_on = arch::interrupts_enabled();
        arch::interrupts_enable(); // as a handler may come in: still nothing while the line is masked
        CHECK_FALSE(request.is_done());
        arch::unmask_irq(14);
        if (!were_on)
            arch::interrupts_disable();
        CHECK(request.is_done());
        CHECK_FALSE(request.result().is_error());
        CHECK(seen.calls == 1);
        CHECK(seen.interrupts_then == 2); // it ran inside the handler
        CHECK_FALSE(seen.interrupts_on);
        CHECK(back == data);
        // With latency: the timer moves the data and raises the line; the handler ends it; the caller slept.
        disk.set_latency_ns(2 * kMs);
        disk.fail_request(1);
        u64 before = arch::clock_ns();
        CHECK(block::read_sectors(disk, 1, 1, back.data()).error() == Errno::IO);
        CHECK(arch::clock_ns() - before >= 2 * kMs);
        CHECK(disk.interrupts_taken() == 3);
        CHECK(count_lines(m.console, "I/O error, dev hdc, sector 1, 1 sectors, read") == 1);
    });
}

TEST_CASE("block: two tasks' requests queue on one disk, are served in order, and each wakes for its own", "[block]")
{
    ProcessMachine m;
    Children children;
    sim::RamBlockDevice disk("hdb", 16);
    std::vector<u8> first = pattern(kSector, 20), second = pattern(kSector, 40);
    std::memcpy(disk.contents().data() + 1 * kSector, first.data(), kSector);
    std::memcpy(disk.contents().data() + 2 * kSector, second.data(), kSector);
    disk.set_latency_ns(3 * kMs);
    std::vector<int> order;
    std::vector<u8> child_buffer(kSector, 0);
    Completion child_seen { &disk }, parent_seen { &disk };
    child_seen.order = parent_seen.order = &order;
    child_seen.id = 1;
    parent_seen.id = 2;
    bool child_ok = false;
    children.programs.push_back([&] {
        block::Request request(block::Operation::Read, 1, 1, child_buffer.data());
        request.set_callback(on_complete, &child_seen);
        child_ok = !block::submit_and_wait(disk, request).is_error();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u64 start = arch::clock_ns();
        i32 child = call(kFork);
        REQUIRE(child > 0);
        yield_until([&] { return is_asleep(child); });
        CHECK(disk.queued() == 1);
        std::vector<u8> buffer(kSector, 0);
        block::Request request(block::Operation::Read, 2, 1, buffer.data());
        request.set_callback(on_complete, &parent_seen);
        REQUIRE_FALSE(disk.submit(request).is_error());
        CHECK(disk.queued() == 2); // behind the child's, which the disk has
        CHECK_FALSE(block::wait_for_request(disk, request).is_error());
        CHECK(buffer == second);
        CHECK(call(kWait4, static_cast<u32>(child), 0, 0, 0) == child);
        CHECK(child_ok);
        CHECK(child_buffer == first);
        CHECK(order == std::vector<int> { 1, 2 });
        // One at a time: the second started only when the first had ended.
        CHECK(child_seen.at - start >= 3 * kMs);
        CHECK(parent_seen.at - child_seen.at >= 3 * kMs);
        CHECK(disk.queued() == 0);
    });
}

namespace {

// A request that records how many transfers its disk had started when it completed, and its outcome.
struct Tracked {
    std::vector<u8> buffer;
    block::Request request;
    u64 transfer = 0;
    Tracked(block::Operation operation, u64 sector, u32 count, u8 fill)
        : buffer(count * kSector, fill)
        , request(operation, sector, count, buffer.data())
    {
    }
};

struct TrackContext {
    sim::SimBlockDevice* disk;
    Tracked* tracked;
};

void on_tracked(block::Request&, void* context)
{
    auto& c = *static_cast<TrackContext*>(context);
    c.tracked->transfer = c.disk->requests_started();
}

} // namespace

TEST_CASE(
    "block: queued requests that continue each other merge into one transfer, in order, up to the largest", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("hda", 64);
    for (usize i = 0; i < disk.contents().size(); ++i)
        disk.contents()[i] = static_cast<u8>(i / kSector);
    disk.set_latency_ns(kMs);
    disk.set_max_transfer(6);
    run_program(m, [&] {
        std::vector<std::unique_ptr<Tracked>> requests;
        std::vector<TrackContext> contexts(16);
        auto add = [&](block::Operation operation, u64 sector, u32 count) {
            requests.push_back(std::make_unique<Tracked>(operation, sector, count, 0xEE));
            contexts[requests.size() - 1] = { &disk, requests.back().get() };
            requests.back()->request.set_callback(on_tracked, &contexts[requests.size() - 1]);
            REQUIRE_FALSE(disk.submit(requests.back()->request).is_error());
        };
        using block::Operation;
        add(Operation::Read, 0, 2); // 0: the disk takes it at once
        add(Operation::Read, 2, 2); // 1, 2 and 3 continue each other: one transfer of six sectors
        add(Operation::Read, 4, 2);
        add(Operation::Read, 6, 2);
        add(Operation::Read, 8, 1); // 4: would make seven, past the largest transfer: the next one
        add(Operation::Write, 9, 1); // 5: the other direction is never merged
        add(Operation::Read, 20, 1); // 6: not where the one before ends
        add(Operation::Read, 21, 1); // 7: continues 6
        add(Operation::Read, 2, 1); // 8: before 7's end on the disk: its own transfer
        CHECK(disk.queued() == 9);
        for (auto& tracked : requests)
            CHECK_FALSE(block::wait_for_request(disk, tracked->request).is_error());
        std::vector<u64> transfers;
        for (auto& tracked : requests)
            transfers.push_back(tracked->transfer);
        CHECK(transfers == std::vector<u64> { 1, 2, 2, 2, 3, 4, 5, 5, 6 });
        CHECK(disk.requests_started() == 6);
        // Each request got its own sectors into its own buffer.
        for (usize i : { 0, 1, 2, 3, 4, 6, 7, 8 }) {
            block::Request& request = requests[i]->request;
            for (u32 s = 0; s < request.count(); ++s)
                CHECK(requests[i]->buffer[s * kSector + 7] == static_cast<u8>(request.sector() + s));
        }
        CHECK(disk.contents()[9 * kSector] == 0xEE); // the write landed

        // A device error in a merged transfer fails every request in it, with one log line for the transfer.
        disk.fail_sector(13);
        requests.clear();
        add(Operation::Read, 30, 1); // busy with this one meanwhile
        add(Operation::Read, 10, 2);
        add(Operation::Read, 12, 2);
        CHECK(block::wait_for_request(disk, requests[0]->request).is_error() == false);
        CHECK(block::wait_for_request(disk, requests[1]->request).error() == Errno::IO);
        CHECK(block::wait_for_request(disk, requests[2]->request).error() == Errno::IO);
        CHECK(requests[1]->transfer == requests[2]->transfer);
        CHECK(count_lines(m.console, "I/O error") == 1);
        CHECK(count_lines(m.console, "block: I/O error, dev hda, sector 10, 4 sectors, read") == 1);
        CHECK(disk.queued() == 0);
    });
}

TEST_CASE(
    "block: submitting a request again while it is queued, merged or in the driver's hands is a kernel bug", "[block]")
{
    ProcessMachine m;
    sim::RamBlockDevice disk("hda", 16);
    // One millisecond of clock and its timers, outside any task: completion only wakes, so it needs none.
    auto tick = [] {
        sim::advance_ticks(1);
        return proc::run_timers(arch::clock_ns());
    };
    disk.set_latency_ns(kMs);
    std::vector<u8> x(kSector), b(kSector), c(kSector);
    block::Request first(block::Operation::Read, 10, 1, x.data()), second(block::Operation::Read, 0, 1, b.data()),
        third(block::Operation::Read, 1, 1, c.data());
    REQUIRE_FALSE(disk.submit(first).is_error());
    CHECK_THROWS(disk.submit(first)); // in the driver's hands: panic, which the sim turns into a throw
    REQUIRE_FALSE(disk.submit(second).is_error());
    REQUIRE_FALSE(disk.submit(third).is_error());
    CHECK_THROWS(disk.submit(third)); // queued
    CHECK(tick() == 1); // the first ends; the other two go as one transfer
    CHECK(first.is_done());
    CHECK_FALSE(third.is_done());
    CHECK(disk.requests_started() == 2);
    CHECK_THROWS(disk.submit(third)); // merged behind the second
    CHECK(tick() == 1);
    CHECK(second.is_done());
    CHECK(third.is_done());
    CHECK_FALSE(third.result().is_error());
    CHECK(disk.queued() == 0);
    // Once done, a request may go again.
    REQUIRE_FALSE(disk.submit(third).is_error());
    CHECK(tick() == 1);
    CHECK(third.is_done());
    panic_reset();
}
