// execve on the simulated machine: the new program starts at its entry with the new arguments, #! scripts
// run their interpreter, what exec resets (handled signals, close-on-exec descriptors) and keeps (ignored
// signals, pid), and the errors that leave the old program running.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "fs/root.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "process_machine.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysExecve = sys::nr("execve"), kSysRtSigaction = sys::nr("rt_sigaction"),
              kSysExecveat = sys::nr("execveat");
constexpr u32 kFioclex = 0x5451;
constexpr i32 kSigUsr1 = 10, kSigUsr2 = 12;

std::vector<std::string> arguments_at(uptr sp)
{
    std::vector<std::string> argv;
    u32 argc = peek<u32>(sp);
    REQUIRE(argc < 100);
    for (u32 i = 0; i < argc; ++i)
        argv.push_back(peek_string(peek<u32>(sp + 4 + 4 * i)));
    return argv;
}

// execve's arguments laid out in the program's memory: the path, then argv's pointers and strings.
struct ExecCall {
    u32 path, argv, envp;
};
ExecCall lay_out(u32 box, const std::string& path, const std::vector<std::string>& argv)
{
    poke_string(box, path);
    u32 strings = box + 0x400;
    u32 pointers = box + 0x200;
    for (usize i = 0; i < argv.size(); ++i) {
        poke<u32>(pointers + 4 * i, strings);
        poke_string(strings, argv[i]);
        strings += static_cast<u32>(argv[i].size() + 1);
    }
    poke<u32>(pointers + 4 * argv.size(), 0);
    poke<u32>(box + 0x300, 0); // an empty environment
    return { box, pointers, box + 0x300 };
}

} // namespace

TEST_CASE("execve starts the new program at its entry with the new arguments, in the same process", "[proc][exec]")
{
    ProcessMachine m;
    int runs = 0;
    std::vector<std::string> second_argv;
    i32 second_pid = 0;
    auto status = m.run([&](uptr entry, uptr stack) {
        if (runs++ == 0) {
            u32 box = scratch();
            auto call_args = lay_out(box, "/sbin/init", { "/sbin/init", "second", "run" });
            call(kSysExecve, call_args.path, call_args.argv, call_args.envp);
            FAIL("execve returned");
        }
        CHECK(entry == kEntry);
        second_argv = arguments_at(stack);
        second_pid = call(kSysGetpid);
        exit_group(3);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 3u << 8);
    CHECK(runs == 2);
    CHECK(second_argv == std::vector<std::string> { "/sbin/init", "second", "run" });
    CHECK(second_pid == 1);
    CHECK(m.no_pages_leaked()); // the first program's memory went with the exec
}

TEST_CASE("execve of a #! script runs its interpreter with the script's path and arguments", "[proc][exec]")
{
    ProcessMachine m;
    std::string script = "#!/sbin/init  -x  \n echo not read\n";
    int runs = 0;
    std::vector<std::string> seen;
    REQUIRE_FALSE(m.run([&](uptr, uptr stack) {
        if (runs++ == 0) {
            REQUIRE_FALSE(fs::install_file("/bin/script", script.data(), script.size(), 0755).is_error());
            u32 box = scratch();
            auto call_args = lay_out(box, "/bin/script", { "script", "a", "b c" });
            call(kSysExecve, call_args.path, call_args.argv, call_args.envp);
            FAIL("execve returned");
        }
        seen = arguments_at(stack);
        exit_group(0);
    }).is_error());
    CHECK(seen == std::vector<std::string> { "/sbin/init", "-x", "/bin/script", "a", "b c" });
}

TEST_CASE("execve: errors leave the old program running", "[proc][exec]")
{
    ProcessMachine m;
    // The files are there before the run, so that their pages count as the machine's, not as a leak.
    std::string garbage(64, 'z');
    REQUIRE_FALSE(fs::install_file("/bin/garbage", garbage.data(), garbage.size(), 0755).is_error());
    REQUIRE_FALSE(fs::install_file("/bin/not-executable", m.executable.data(), m.executable.size(), 0644).is_error());
    std::string loop = "#!/bin/loop\n";
    REQUIRE_FALSE(fs::install_file("/bin/loop", loop.data(), loop.size(), 0755).is_error());
    std::string empty = "#!   \n";
    REQUIRE_FALSE(fs::install_file("/bin/empty-interpreter", empty.data(), empty.size(), 0755).is_error());
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        auto expect = [&](const std::string& path, Errno error) {
            auto call_args = lay_out(box, path, { path });
            CHECK(call(kSysExecve, call_args.path, call_args.argv, call_args.envp) == err(error));
        };
        expect("/bin/missing", Errno::NOENT);
        expect("/bin/garbage", Errno::NOEXEC);
        expect("/bin/not-executable", Errno::ACCES);
        expect("/bin", Errno::ACCES);
        expect("/bin/loop", Errno::LOOP); // a script that is its own interpreter: too deep
        expect("/bin/empty-interpreter", Errno::NOEXEC);
        expect("", Errno::NOENT);
        expect("/sbin/init/", Errno::NOTDIR);
        CHECK(call(kSysExecve, 0xC0000000, box + 0x200, 0) == err(Errno::FAULT));
        auto call_args = lay_out(box, "/sbin/init", { "x" });
        poke<u32>(call_args.argv, 0xC0000000); // argv[0] points into the kernel
        CHECK(call(kSysExecve, call_args.path, call_args.argv, call_args.envp) == err(Errno::FAULT));
        call_args = lay_out(box, "/sbin/init", { "x" });
        CHECK(call(kSysExecveat, static_cast<u32>(-100), call_args.path, call_args.argv, call_args.envp, 0x4)
            == err(Errno::INVAL)); // an unknown flag
    });
}

TEST_CASE("execve resets handled signals and closes close-on-exec descriptors; ignored signals stay ignored",
    "[proc][exec]")
{
    ProcessMachine m;
    int runs = 0;
    i32 write_after = 0, write_other = 0;
    proc::SignalAction usr1 {}, usr2 {};
    REQUIRE_FALSE(m.run([&](uptr, uptr) {
        u32 box = scratch();
        if (runs++ == 0) {
            poke(box, proc::SignalAction { 0x0804A000, proc::kSaRestorer, 0x0804A100, 0 });
            REQUIRE(call(kSysRtSigaction, kSigUsr1, box, 0, 8) == 0);
            poke(box, proc::SignalAction { proc::kSigIgnore, 0, 0, 0 });
            REQUIRE(call(kSysRtSigaction, kSigUsr2, box, 0, 8) == 0);
            REQUIRE(call(kSysIoctl, 1, kFioclex, 0) == 0);
            auto call_args = lay_out(box, "/sbin/init", { "/sbin/init" });
            call(kSysExecve, call_args.path, call_args.argv, call_args.envp);
            FAIL("execve returned");
        }
        REQUIRE(call(kSysRtSigaction, kSigUsr1, 0, box, 8) == 0);
        usr1 = peek<proc::SignalAction>(box);
        REQUIRE(call(kSysRtSigaction, kSigUsr2, 0, box, 8) == 0);
        usr2 = peek<proc::SignalAction>(box);
        poke_string(box, "x");
        write_after = call(kSysWrite, 1, box, 1);
        write_other = call(kSysWrite, 2, box, 1);
        exit_group(0);
    }).is_error());
    CHECK(usr1.handler == proc::kSigDefault);
    CHECK(usr2.handler == proc::kSigIgnore);
    CHECK(write_after == err(Errno::BADF)); // fd 1 was close-on-exec
    CHECK(write_other == 1);
}

TEST_CASE("a program placed under a mount point is found where a path walk looks", "[proc][exec]")
{
    // The kernel places a boot module's program at its path: under /tmp, which has a tmpfs mounted on it, it
    // must land in that tmpfs (a fresh clone under /tmp ran no program at all before this was so).
    ProcessMachine m;
    REQUIRE_FALSE(fs::mount_on_root_directory("tmp", fs::tmpfs::filesystem_type()).is_error());
    bool ran = false;
    auto status = m.run([&](uptr, uptr) {
        ran = true;
        exit_group(0);
    }, { "/tmp/clone/build/prog" });
    REQUIRE_FALSE(status.is_error());
    CHECK(ran);
}
