// panic(): the report on every console (reason, registers, symbolized backtrace), the exit the simulated
// machine records, and nested panics. The sim's halt and exit throw, so a panic returns to the test.
#include <catch2/catch_test_macros.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "recording_console.hpp"
#include "sim/sim.hpp"
#include "symbol_table_builder.hpp"

namespace {

struct FreshMachine {
    FreshMachine()
    {
        sim::reset();
        log_reset();
        panic_reset();
    }
    ~FreshMachine()
    {
        log_reset();
        panic_reset();
        sim::reset();
    }
};

// Runs `body`, which must end in the simulated machine stopping; returns how it stopped.
std::string stop_reason(const std::function<void()>& body)
{
    try {
        body();
    } catch (const std::runtime_error& stop) {
        return stop.what();
    }
    return "returned";
}

// A console whose write panics, as a faulting framebuffer would, on its first write or on every one.
class PanickingConsole final : public Console {
public:
    explicit PanickingConsole(bool every_time)
        : Console("faulty")
        , m_every_time(every_time)
    {
    }
    void write(const char*, usize) override
    {
        ++m_writes;
        if (m_every_time || m_writes == 1)
            panic("console fault %d", m_writes);
    }
    int writes() const { return m_writes; }

private:
    bool m_every_time;
    int m_writes { 0 };
};

} // namespace

TEST_CASE("panic in test mode prints the report and leaves with a failure", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole serial("ttyS0"), screen("tty0");
    log_add_console(serial);
    log_add_console(screen);
    // The report goes everywhere even when the console is not selected and the level hides everything.
    const char* const names[] = { "ttyS0" };
    log_select_consoles(names, 1);
    log_set_level(0);
    panic_set_test_mode(true);
    arch::interrupts_enable();

    CHECK(stop_reason([] { panic("disk %d is %s", 3, "on fire"); }) == "sim: exit failure");
    CHECK(sim::last_exit().exited);
    CHECK_FALSE(sim::last_exit().success);
    CHECK_FALSE(arch::interrupts_enabled());

    std::vector<std::string> expected = {
        "KERNEL PANIC: disk 3 is on fire\n",
        "(simulated machine: no registers)\n",
        "backtrace:\n",
        "end of panic report; leaving QEMU with the failure code\n",
    };
    CHECK(serial.lines() == expected);
    CHECK(screen.lines() == expected);

    std::string ring(4096, '\0');
    ring.resize(log_read_ring(ring.data(), ring.size()));
    CHECK(ring == serial.text());
}

TEST_CASE("panic outside test mode halts", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);

    CHECK(stop_reason([] { panic("halt me"); }) == "sim: halt_forever");
    CHECK(sim::last_exit().exited);
    CHECK_FALSE(sim::last_exit().success);
    auto lines = console.lines();
    REQUIRE(lines.size() == 4);
    CHECK(lines.front() == "KERNEL PANIC: halt me\n");
    CHECK(lines.back() == "end of panic report; system halted\n");
}

TEST_CASE("panic symbolizes the backtrace with the kernel symbol table", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);
    auto table = build_symbol_table({ { 0xC0100000, "kernel_main" }, { 0xC0100200, "do_work(int)" } });
    sim::set_kernel_symbols(table.data(), table.size());
    const uptr frames[] = { 0xC0100234, 0xC0100010, 0xC0100200, 0x00001000 };
    sim::set_backtrace(frames, 4);
    panic_set_test_mode(true);

    CHECK(stop_reason([] { panic("with symbols"); }) == "sim: exit failure");
    std::vector<std::string> expected = {
        "KERNEL PANIC: with symbols\n",
        "(simulated machine: no registers)\n",
        "backtrace:\n",
        "  #0 0xc0100234 do_work(int)+0x34\n",
        "  #1 0xc0100010 kernel_main+0x10\n",
        "  #2 0xc0100200 do_work(int)+0\n",
        "  #3 0x00001000 ?\n", // before the first symbol
        "end of panic report; leaving QEMU with the failure code\n",
    };
    CHECK(console.lines() == expected);
}

TEST_CASE("panic with a malformed symbol table prints raw addresses", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);
    auto table = build_symbol_table({ { 0xC0100000, "kernel_main" } });
    table[0] = 'X';
    sim::set_kernel_symbols(table.data(), table.size());
    const uptr frames[] = { 0xC0100004 };
    sim::set_backtrace(frames, 1);

    CHECK(stop_reason([] { panic("bad table"); }) == "sim: halt_forever");
    auto lines = console.lines();
    REQUIRE(lines.size() == 5);
    CHECK(lines[3] == "  #0 0xc0100004 ?\n");
}

TEST_CASE("panic cuts an over-long reason to its line buffer", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);
    std::string reason(1000, 'r');

    CHECK(stop_reason([&] { panic("%s", reason.c_str()); }) == "sim: halt_forever");
    auto lines = console.lines();
    REQUIRE_FALSE(lines.empty());
    // A 256-byte line: the prefix and 241 characters of the reason, then the NUL.
    CHECK(lines[0] == "KERNEL PANIC: " + std::string(255 - 14, 'r') + "\n");
}

TEST_CASE("a panic while reporting a panic says so once and stops", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    PanickingConsole faulty(false);
    log_add_console(console);
    log_add_console(faulty);
    panic_set_test_mode(true);

    CHECK(stop_reason([] { panic("first"); }) == "sim: exit failure");
    CHECK_FALSE(sim::last_exit().success);
    // The faulty console panicked on the first line; the nested report replaces the rest.
    CHECK(console.text()
        == "KERNEL PANIC: first"
           "KERNEL PANIC (nested): giving up\n");
    CHECK(faulty.writes() == 3); // the first line, then the nested line and its newline
}

TEST_CASE("a console that panics on every write cannot make panic recurse forever", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    PanickingConsole faulty(true);
    log_add_console(console);
    log_add_console(faulty);

    CHECK(stop_reason([] { panic("first"); }) == "sim: halt_forever");
    CHECK(console.text()
        == "KERNEL PANIC: first"
           "KERNEL PANIC (nested): giving up");
    CHECK(faulty.writes() == 2);
    CHECK(sim::last_exit().exited);
}

TEST_CASE("panic_reset makes the next panic a first one again", "[kernel][panic]")
{
    FreshMachine fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);
    CHECK(stop_reason([] { panic("one"); }) == "sim: halt_forever");
    panic_reset();
    CHECK(stop_reason([] { panic("two"); }) == "sim: halt_forever");
    auto lines = console.lines();
    REQUIRE(lines.size() == 8);
    CHECK(lines[4] == "KERNEL PANIC: two\n");
}
