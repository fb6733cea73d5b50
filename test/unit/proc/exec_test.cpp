// execve on the simulated machine: the new program starts at its entry with the new arguments, #! scripts
// run their interpreter, what exec resets (handled signals, close-on-exec descriptors) and keeps (ignored
// signals, pid), and the errors that leave the old program running.
#include <catch2/catch_test_macros.hpp>
#include <functional>
#include <map>
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

// --- dynamically linked programs: PT_INTERP ---

namespace {

constexpr u32 kSysSymlink = sys::nr("symlink"), kSysChdir = sys::nr("chdir");
constexpr u32 kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtBase = 7, kAtEntry = 9;
constexpr const char* kLoader = "/lib/ld-musl-i386.so.1";
constexpr uptr kInterpreterTop = mm::AddressSpace::kMmapTop - 0x5000; // interpreter_image()'s five pages

// The auxiliary vector above a new program's argv and envp, key to value.
std::map<u32, u32> auxv_at(uptr sp)
{
    uptr at = sp + 4 + 4 * (peek<u32>(sp) + 1);
    while (peek<u32>(at))
        at += 4;
    std::map<u32, u32> aux;
    for (at += 4; peek<u32>(at) != 0; at += 8)
        aux[peek<u32>(at)] = peek<u32>(at + 4);
    return aux;
}

// The machine's small executable with a PT_INTERP naming `interpreter` (bent by `tweak`), as ET_EXEC or PIE.
std::vector<u8> dynamic_executable(const std::string& interpreter = kLoader, u16 type = proc::kEtExec,
    const std::function<void(elf_test::ElfBuilder&)>& tweak = {})
{
    u32 base = type == proc::kEtExec ? kExecBase : 0;
    elf_test::ElfBuilder elf(type, base + 0x100);
    elf.add_load_with_headers(base, 0x100, elf_test::pattern(0x600, 1), proc::kPfRead | proc::kPfExecute);
    elf.add_interp(interpreter);
    elf.add_load(base + (kDataAddress - kExecBase), elf_test::pattern(kDataBytes, 2), kDataMemory,
        proc::kPfRead | proc::kPfWrite);
    if (tweak)
        tweak(elf);
    return elf.build();
}

void install(const std::string& path, const std::vector<u8>& bytes, u32 mode = 0755)
{
    REQUIRE_FALSE(fs::install_file(path.c_str(), bytes.data(), bytes.size(), mode).is_error());
}

// What the first instruction of a new program sees.
struct Start {
    uptr entry { 0 };
    std::map<u32, u32> aux;
    std::vector<std::string> argv;
    i32 brk { 0 };
    std::vector<u8> interpreter_data;
};

Start start_of(uptr entry, uptr stack)
{
    Start seen { entry, auxv_at(stack), arguments_at(stack), call(kSysBrk, 0), {} };
    if (uptr base = seen.aux[kAtBase]) {
        seen.interpreter_data.resize(elf_test::kInterpreterDataBytes);
        REQUIRE_FALSE(mm::raw::copy_from_user(seen.interpreter_data.data(), base + elf_test::kInterpreterData,
            seen.interpreter_data.size()).is_error());
    }
    return seen;
}

} // namespace

TEST_CASE("execve of a dynamic program starts its interpreter, which finds the program in the auxiliary vector",
    "[proc][exec]")
{
    ProcessMachine m;
    install(kLoader, elf_test::interpreter_image().build());
    m.executable = dynamic_executable();
    Start seen;
    auto status = m.run([&](uptr entry, uptr stack) {
        seen = start_of(entry, stack);
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    // The interpreter where a first mmap would go; its entry, not the program's, runs first.
    CHECK(seen.aux[kAtBase] == kInterpreterTop);
    CHECK(seen.entry == kInterpreterTop + elf_test::kInterpreterEntry);
    CHECK(seen.interpreter_data == elf_test::pattern(elf_test::kInterpreterDataBytes, 8));
    // The program's own entry, headers and break.
    CHECK(seen.aux[kAtEntry] == kEntry);
    CHECK(seen.aux[kAtPhdr] == kExecBase + sizeof(proc::Elf32Header));
    CHECK(seen.aux[kAtPhnum] == 3);
    CHECK(seen.aux[kAtPhent] == sizeof(proc::Elf32ProgramHeader));
    CHECK(static_cast<u32>(seen.brk) == kBreakStart);
    CHECK(m.no_pages_leaked()); // both images went with the process
}

TEST_CASE("execve of a dynamic PIE puts it at kPieBase, its interpreter at the top of the mmap region",
    "[proc][exec]")
{
    ProcessMachine m;
    install(kLoader, elf_test::interpreter_image().build());
    m.executable = dynamic_executable(kLoader, proc::kEtDyn);
    Start seen;
    REQUIRE_FALSE(m.run([&](uptr entry, uptr stack) {
        seen = start_of(entry, stack);
        exit_group(0);
    }).is_error());
    CHECK(seen.entry == kInterpreterTop + elf_test::kInterpreterEntry);
    CHECK(seen.aux[kAtBase] == kInterpreterTop);
    CHECK(seen.aux[kAtEntry] == proc::kPieBase + 0x100);
    CHECK(seen.aux[kAtPhdr] == proc::kPieBase + sizeof(proc::Elf32Header));
    CHECK(static_cast<u32>(seen.brk) == proc::kPieBase + (kBreakStart - kExecBase));
}

TEST_CASE("an ET_EXEC interpreter, a symlink to the interpreter and a relative interpreter path all work",
    "[proc][exec]")
{
    ProcessMachine m;
    install(kLoader, elf_test::interpreter_image().build());
    install("/lib/fixed.so", elf_test::interpreter_image(proc::kEtExec, 0x20000000).build());
    install("/bin/fixed", dynamic_executable("/lib/fixed.so"));
    install("/bin/linked", dynamic_executable("/lib/link.so"));
    install("/bin/relative", dynamic_executable("ld-musl-i386.so.1"));
    int runs = 0;
    std::vector<Start> seen;
    REQUIRE_FALSE(m.run([&](uptr entry, uptr stack) {
        if (runs++)
            seen.push_back(start_of(entry, stack));
        u32 box = scratch();
        const char* next[] = { "/bin/fixed", "/bin/linked", "/bin/relative" };
        if (runs == 1) {
            poke_string(box, kLoader);
            poke_string(box + 0x100, "/lib/link.so");
            REQUIRE(call(kSysSymlink, box, box + 0x100) == 0);
            poke_string(box, "/lib");
            REQUIRE(call(kSysChdir, box) == 0); // relative to the caller's directory, as Linux's open_exec
        }
        if (runs > 3)
            exit_group(0);
        auto call_args = lay_out(box, next[runs - 1], { next[runs - 1] });
        call(kSysExecve, call_args.path, call_args.argv, call_args.envp);
        FAIL("execve returned");
    }).is_error());
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].aux[kAtBase] == 0); // an ET_EXEC interpreter has no load bias
    CHECK(seen[0].entry == 0x20000000 + elf_test::kInterpreterEntry);
    for (usize i = 1; i < 3; ++i) {
        CHECK(seen[i].aux[kAtBase] == kInterpreterTop);
        CHECK(seen[i].entry == kInterpreterTop + elf_test::kInterpreterEntry);
        CHECK(seen[i].aux[kAtEntry] == kEntry);
    }
}

TEST_CASE("the interpreter run as a command (ld.so prog) is a program of its own at kDynamicBase", "[proc][exec]")
{
    ProcessMachine m;
    install(kLoader, elf_test::interpreter_image().build());
    int runs = 0;
    Start seen;
    REQUIRE_FALSE(m.run([&](uptr entry, uptr stack) {
        if (runs++ == 0) {
            auto call_args = lay_out(scratch(), kLoader, { kLoader, "/bin/prog", "x" });
            call(kSysExecve, call_args.path, call_args.argv, call_args.envp);
            FAIL("execve returned");
        }
        seen = start_of(entry, stack);
        exit_group(0);
    }).is_error());
    CHECK(seen.entry == proc::kDynamicBase + elf_test::kInterpreterEntry);
    CHECK(seen.aux[kAtBase] == 0); // no interpreter: it must find its program in argv[1]
    CHECK(seen.aux[kAtEntry] == seen.entry);
    CHECK(seen.aux[kAtPhdr] == proc::kDynamicBase + sizeof(proc::Elf32Header));
    CHECK(seen.argv == std::vector<std::string> { kLoader, "/bin/prog", "x" });
    CHECK(static_cast<u32>(seen.brk) == proc::kDynamicBase + 0x5000); // its own break, after its .bss
}

TEST_CASE("execve of a dynamic program: a missing or bad interpreter is an errno, as Linux's", "[proc][exec]")
{
    ProcessMachine m;
    install(kLoader, elf_test::interpreter_image().build());
    install("/lib/not-executable.so", elf_test::interpreter_image().build(), 0644);
    std::string script = "#!/bin/sh\nthis is a script, not a loader, and longer than an ELF header\n";
    install("/lib/script.so", std::vector<u8>(script.begin(), script.end()));
    install("/lib/short.so", std::vector<u8>(10, 0x7F));
    auto dynamic_loader = elf_test::interpreter_image();
    dynamic_loader.add_interp(kLoader);
    install("/lib/dynamic.so", dynamic_loader.build());

    install("/bin/missing", dynamic_executable("/lib/missing.so"));
    install("/bin/not-executable", dynamic_executable("/lib/not-executable.so"));
    install("/bin/directory", dynamic_executable("/lib"));
    install("/bin/loop", dynamic_executable("/lib/loop.so"));
    install("/bin/script", dynamic_executable("/lib/script.so"));
    install("/bin/short", dynamic_executable("/lib/short.so"));
    install("/bin/dynamic", dynamic_executable("/lib/dynamic.so"));
    install("/bin/empty-path", dynamic_executable(std::string(1, '\0'))); // "\0\0": the empty path
    install("/bin/too-long", dynamic_executable(std::string(4096, 'a')));
    install("/bin/two", dynamic_executable(kLoader, proc::kEtExec, [](auto& elf) { elf.add_interp(kLoader); }));
    install("/bin/unterminated", dynamic_executable(kLoader, proc::kEtExec, [](auto& elf) {
        elf.programs[1].filesz -= 1; // the path without its NUL
        elf.programs[1].memsz -= 1;
    }));
    install("/bin/outside", dynamic_executable(kLoader, proc::kEtExec, [](auto& elf) {
        elf.programs[1].offset = 0x400000;
    }));
    run_and_remove(m, { "/lib/loop.so" }, [&] {
        u32 box = scratch(4 * kPage);
        poke_string(box, "/lib/loop.so");
        REQUIRE(call(kSysSymlink, box, box) == 0);
        auto expect = [&](const std::string& path, Errno error) {
            INFO(path);
            auto call_args = lay_out(box, path, { path });
            CHECK(call(kSysExecve, call_args.path, call_args.argv, call_args.envp) == err(error));
        };
        expect("/bin/missing", Errno::NOENT);
        expect("/bin/not-executable", Errno::ACCES);
        expect("/bin/directory", Errno::ACCES);
        expect("/bin/loop", Errno::LOOP);
        expect("/bin/script", Errno::LIBBAD);
        expect("/bin/short", Errno::IO);
        expect("/bin/dynamic", Errno::LIBBAD);
        expect("/bin/empty-path", Errno::NOENT);
        expect("/bin/too-long", Errno::NOEXEC);
        expect("/bin/two", Errno::NOEXEC);
        expect("/bin/unterminated", Errno::NOEXEC);
        expect("/bin/outside", Errno::IO);
    });
}
