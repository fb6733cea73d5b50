// The kernel log: timestamps from the simulated clock, loglevel filtering, console selection, the 64 KiB
// ring behind dmesg, long-line truncation and emergency lines.
#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "kernel/log.hpp"
#include "recording_console.hpp"
#include "sim/sim.hpp"

namespace {

// The log's line buffer is 512 bytes: at most 510 characters and the newline.
constexpr usize kMaxLine = 511;
constexpr usize kRingSize = 64 * 1024;
const std::string kZeroStamp = "[    0.000000] ";

std::string read_ring(usize size = kRingSize + 16)
{
    std::string buffer(size, '#');
    usize length = log_read_ring(buffer.data(), buffer.size());
    REQUIRE(length < size);
    REQUIRE(buffer[length] == '\0');
    return buffer.substr(0, length);
}

// Records whether interrupts were off while it was written to.
class InterruptProbeConsole final : public Console {
public:
    InterruptProbeConsole()
        : Console("probe")
    {
    }
    void write(const char*, usize) override { m_saw_enabled |= arch::interrupts_enabled(); }
    bool saw_enabled() const { return m_saw_enabled; }

private:
    bool m_saw_enabled { false };
};

struct FreshLog {
    FreshLog()
    {
        sim::reset();
        log_reset();
    }
    ~FreshLog() { log_reset(); } // consoles below are locals: the log must not keep pointers to them
};

} // namespace

TEST_CASE("log: a line carries a timestamp from the simulated clock and a newline", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);

    log_info("hello %d", 42);
    CHECK(console.text() == kZeroStamp + "hello 42\n");
    CHECK(console.writes() == 1); // a whole line in one write, so lines from two CPUs cannot interleave

    sim::advance_ticks(3250); // advance_ticks counts milliseconds
    log_notice("later");
    sim::advance_ticks(12342 * 1000 - 250 + 1); // 12345 s and one millisecond
    log_warning("much later");
    sim::advance_ticks(100000 * 1000); // past five digits of seconds: the field widens
    log_error("wide");

    auto lines = console.lines();
    REQUIRE(lines.size() == 4);
    CHECK(lines[1] == "[    3.250000] later\n");
    CHECK(lines[2] == "[12345.001000] much later\n");
    CHECK(lines[3] == "[112345.001000] wide\n");
}

TEST_CASE("log: a console shows a line only when its level is below loglevel", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);

    log_debug("debug shows by default");
    CHECK(console.lines().size() == 1);

    log_set_level(4); // KERN_WARNING: errors and worse
    log_message(LogLevel::Emergency, "emergency");
    log_message(LogLevel::Alert, "alert");
    log_message(LogLevel::Critical, "critical");
    log_error("error");
    log_warning("warning");
    log_notice("notice");
    log_info("info");
    log_debug("debug");
    auto lines = console.lines();
    REQUIRE(lines.size() == 5);
    CHECK(lines[1] == kZeroStamp + "emergency\n");
    CHECK(lines[4] == kZeroStamp + "error\n");

    log_set_level(0); // nothing at all
    log_message(LogLevel::Emergency, "silenced");
    CHECK(console.lines().size() == 5);

    log_set_level(8);
    log_debug("debug again");
    CHECK(console.lines().size() == 6);
}

TEST_CASE("log: the ring keeps every line, including the ones consoles filtered", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);
    log_set_level(1);
    log_info("quiet %s", "line");
    log_message(LogLevel::Emergency, "loud");
    CHECK(console.text() == kZeroStamp + "loud\n");
    CHECK(read_ring() == kZeroStamp + "quiet line\n" + kZeroStamp + "loud\n");

    // Without any console at all, too.
    log_reset();
    log_info("nobody listens");
    CHECK(read_ring() == kZeroStamp + "nobody listens\n");
}

TEST_CASE("log: log_read_ring gives the newest bytes that fit, NUL-terminated", "[kernel][log]")
{
    FreshLog fresh;
    CHECK(read_ring() == "");
    log_info("first");
    log_info("second");
    CHECK(read_ring(8) == "second\n"); // 7 bytes and the NUL
    CHECK(read_ring(1) == "");

    char byte = '#';
    CHECK(log_read_ring(&byte, 0) == 0);
    CHECK(byte == '#');
    // Reading does not consume.
    CHECK(read_ring() == kZeroStamp + "first\n" + kZeroStamp + "second\n");
}

TEST_CASE("log: beyond 64 KiB the ring drops the oldest bytes", "[kernel][log]")
{
    FreshLog fresh;
    constexpr int kLines = 3000;
    const usize line_length = kZeroStamp.size() + std::string("line 00000\n").size();
    for (int i = 0; i < kLines; ++i)
        log_info("line %05d", i);

    std::string ring = read_ring();
    REQUIRE(ring.size() == kRingSize);
    CHECK(ring.ends_with(kZeroStamp + "line 02999\n"));
    CHECK(ring.find("line 00000") == std::string::npos);

    // The oldest kept byte is inside a line; the first whole line follows the first newline.
    usize dropped = kLines * line_length - kRingSize;
    usize first_whole = dropped / line_length + 1;
    char expected[32];
    std::snprintf(expected, sizeof(expected), "line %05zu\n", first_whole);
    CHECK(ring.substr(ring.find('\n') + 1, line_length) == kZeroStamp + expected);
    CHECK(ring.substr(0, ring.find('\n') + 1).size() == line_length - dropped % line_length);
}

TEST_CASE("log: an over-long line is cut and keeps its newline", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole console("ttyS0");
    log_add_console(console);

    const usize room = kMaxLine - 1 - kZeroStamp.size(); // characters of message that fit
    log_info("%s", std::string(room, 'a').c_str()); // fits exactly
    log_info("%s", std::string(room + 1, 'b').c_str()); // one too many
    log_info("%s", std::string(5000, 'c').c_str());

    auto lines = console.lines();
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == kZeroStamp + std::string(room, 'a') + "\n");
    CHECK(lines[1] == kZeroStamp + std::string(room, 'b') + "\n");
    CHECK(lines[2] == kZeroStamp + std::string(room, 'c') + "\n");
    CHECK(lines[2].size() == kMaxLine);
    CHECK(read_ring() == lines[0] + lines[1] + lines[2]);
}

TEST_CASE("log_select_consoles enables only the named consoles", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole serial("ttyS0"), screen("tty0"), second_serial("ttyS1");
    log_add_console(serial);
    log_add_console(screen);
    log_add_console(second_serial);

    log_info("to all");
    const char* const names[] = { "ttyS1", "tty0" };
    log_select_consoles(names, 2);
    log_info("selected");
    CHECK(serial.text() == kZeroStamp + "to all\n");
    CHECK(screen.text() == kZeroStamp + "to all\n" + kZeroStamp + "selected\n");
    CHECK(second_serial.text() == screen.text());

    // Names match whole: "tty" is not "tty0" nor "ttyS0".
    const char* const prefix[] = { "tty" };
    log_select_consoles(prefix, 1);
    log_info("prefix only");
    log_select_consoles(nullptr, 0);
    log_info("none");
    CHECK(serial.lines().size() == 1);
    CHECK(screen.lines().size() == 2);

    // Selecting again re-enables.
    const char* const first[] = { "ttyS0" };
    log_select_consoles(first, 1);
    log_info("back");
    CHECK(serial.text() == kZeroStamp + "to all\n" + kZeroStamp + "back\n");
    CHECK(screen.lines().size() == 2);
    CHECK(read_ring().find("none\n") != std::string::npos);
}

TEST_CASE("log_emergency_line reaches every console whatever the selection and level", "[kernel][log]")
{
    FreshLog fresh;
    RecordingConsole serial("ttyS0"), screen("tty0");
    log_add_console(serial);
    log_add_console(screen);
    const char* const names[] = { "ttyS0" };
    log_select_consoles(names, 1);
    log_set_level(0);

    log_error("filtered");
    log_emergency_line("KERNEL PANIC: test");
    CHECK(serial.text() == "KERNEL PANIC: test\n");
    CHECK(screen.text() == "KERNEL PANIC: test\n");
    CHECK(read_ring() == kZeroStamp + "filtered\n" + "KERNEL PANIC: test\n");
}

TEST_CASE("log: at most kMaxConsoles consoles, and log_reset forgets them", "[kernel][log]")
{
    FreshLog fresh;
    std::vector<RecordingConsole> consoles;
    consoles.reserve(kMaxConsoles + 1);
    for (usize i = 0; i <= kMaxConsoles; ++i)
        consoles.emplace_back("c");
    for (auto& console : consoles)
        log_add_console(console);
    log_info("x");
    for (usize i = 0; i < kMaxConsoles; ++i)
        CHECK(consoles[i].writes() == 1);
    CHECK(consoles[kMaxConsoles].writes() == 0); // one too many: ignored, not overflowing the table

    log_set_level(1);
    log_reset();
    log_debug("after reset");
    for (auto& console : consoles)
        CHECK(console.writes() <= 1);
    CHECK(read_ring() == kZeroStamp + "after reset\n"); // the ring was emptied, the level restored to all
}

TEST_CASE("log: consoles are written with interrupts off, and the state is restored", "[kernel][log]")
{
    FreshLog fresh;
    InterruptProbeConsole probe;
    log_add_console(probe);
    arch::interrupts_enable();
    log_info("with interrupts on");
    CHECK_FALSE(probe.saw_enabled());
    CHECK(arch::interrupts_enabled());

    arch::interrupts_disable();
    log_info("with interrupts off");
    CHECK_FALSE(arch::interrupts_enabled());
}
