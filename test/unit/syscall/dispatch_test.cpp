// The system-call table: numbers to names and handlers, ENOSYS for what is missing (logged once per number),
// and what the table gives for numbers it does not know.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../kernel/recording_console.hpp"
#include "kernel/boot_state.hpp"
#include "kernel/log.hpp"
#include "sim/sim.hpp"
#include "syscall/dispatch.hpp"

namespace {

constexpr i32 kEnosys = -38;

struct LoggedMachine {
    RecordingConsole console { "ttyS0" };
    LoggedMachine()
    {
        sim::reset();
        kernel::reset_boot_state(); // the once-only record starts empty
        log_reset();
        log_add_console(console);
    }
    ~LoggedMachine() { log_reset(); }
};

i32 dispatch(u32 number, u32 a = 0, u32 b = 0, u32 c = 0)
{
    return sys::dispatch({ number, { a, b, c, 0, 0, 0 } });
}

// The highest-numbered calls that have a name and no handler.
u32 unimplemented_from_top(usize skip)
{
    for (u32 number = sys::kSyscallCount; number-- > 0;)
        if (sys::syscall_name(number) && !sys::is_implemented(number) && skip-- == 0)
            return number;
    FAIL("no unimplemented system call left");
    return 0;
}

} // namespace

TEST_CASE("syscall: names and implementation flags follow Linux's i386 table")
{
    CHECK(std::string(sys::syscall_name(1)) == "exit");
    CHECK(std::string(sys::syscall_name(4)) == "write");
    CHECK(std::string(sys::syscall_name(90)) == "mmap"); // old_mmap, under the name Linux's table gives it
    CHECK(std::string(sys::syscall_name(192)) == "mmap2");
    CHECK(std::string(sys::syscall_name(243)) == "set_thread_area");
    CHECK(std::string(sys::syscall_name(252)) == "exit_group");
    CHECK(std::string(sys::syscall_name(0)) == "restart_syscall");
    CHECK(std::string(sys::syscall_name(450)) == "set_mempolicy_home_node");
    // Gaps in Linux's table have no name; nor has anything past it.
    for (u32 gap : { 222u, 223u, 251u, 285u, 387u, 415u })
        CHECK(sys::syscall_name(gap) == nullptr);
    CHECK(sys::syscall_name(sys::kSyscallCount) == nullptr);
    CHECK(sys::syscall_name(0xFFFFFFFF) == nullptr);

    usize named = 0;
    for (u32 number = 0; number < sys::kSyscallCount; ++number) {
        if (sys::syscall_name(number))
            ++named;
        else
            CHECK_FALSE(sys::is_implemented(number)); // no handler without a name
    }
    CHECK(named == 440); // Linux 6.1's i386 table

    for (u32 number : { 1u, 4u, 45u, 90u, 91u, 122u, 125u, 146u, 163u, 192u, 218u, 219u, 243u, 244u, 252u })
        CHECK(sys::is_implemented(number));
    CHECK_FALSE(sys::is_implemented(0));
    CHECK_FALSE(sys::is_implemented(222));
    CHECK_FALSE(sys::is_implemented(sys::kSyscallCount));
    CHECK_FALSE(sys::is_implemented(0xFFFFFFFF));
}

TEST_CASE("syscall: a call with no handler is ENOSYS, and its name is logged once")
{
    LoggedMachine m;
    u32 number = unimplemented_from_top(0);
    std::string name = sys::syscall_name(number);

    CHECK(dispatch(number, 1, 2, 3) == kEnosys);
    auto lines = m.console.lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("syscall " + name + " (" + std::to_string(number) + ") is not implemented: ENOSYS\n")
        != std::string::npos);

    CHECK(dispatch(number) == kEnosys);
    CHECK(dispatch(number, 0xFFFFFFFF) == kEnosys);
    CHECK(m.console.lines().size() == 1); // not again

    // Another missing call has its own line.
    u32 other = unimplemented_from_top(1);
    CHECK(dispatch(other) == kEnosys);
    CHECK(m.console.lines().size() == 2);
    CHECK(m.console.lines()[1].find(sys::syscall_name(other)) != std::string::npos);
    CHECK(dispatch(other) == kEnosys);
    CHECK(m.console.lines().size() == 2);
}

TEST_CASE("syscall: each machine reports a missing call once again, as a fresh boot does")
{
    u32 number = unimplemented_from_top(0);
    for (int boot = 0; boot < 2; ++boot) {
        LoggedMachine m;
        CHECK(dispatch(number) == kEnosys);
        CHECK(dispatch(number) == kEnosys);
        CHECK(m.console.lines().size() == 1);
    }
}

TEST_CASE("syscall: a number Linux does not use, or past the table, is ENOSYS and logs nothing")
{
    LoggedMachine m;
    for (u32 number : { 222u, 251u, 285u, sys::kSyscallCount, sys::kSyscallCount + 1, 0x7FFFFFFFu, 0xFFFFFFFFu }) {
        CAPTURE(number);
        CHECK(dispatch(number) == kEnosys);
    }
    CHECK(m.console.text().empty());
}
