// The first process on the simulated machine: exec's initial stack exactly as the i386 System V ABI lays it out
// (argc, argv, envp, auxv), then run_init with simulated user programs that exit, are killed by a trap, and use
// memory and the console through the system-call table.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "process_machine.hpp"

using namespace proc_test;

namespace {

// Auxiliary vector keys (elf.h).
enum : u32 {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9,
    AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
    AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31,
};

// The initial stack as a program's _start reads it.
struct InitialStack {
    u32 argc = 0;
    std::vector<uptr> argv_at, envp_at;
    std::vector<std::string> argv, envp;
    std::vector<std::pair<u32, u32>> auxv; // in order, AT_NULL included
    std::map<u32, u32> aux;
    uptr table_end = 0; // just past AT_NULL's value
};

InitialStack read_stack(uptr sp)
{
    InitialStack s;
    uptr at = sp;
    auto next = [&] {
        u32 word = peek<u32>(at);
        at += 4;
        return word;
    };
    s.argc = next();
    REQUIRE(s.argc < 1000);
    for (u32 i = 0; i < s.argc; ++i) {
        s.argv_at.push_back(next());
        s.argv.push_back(peek_string(s.argv_at.back()));
    }
    REQUIRE(next() == 0);
    for (u32 word; (word = next()) != 0;) {
        REQUIRE(s.envp_at.size() < 1000);
        s.envp_at.push_back(word);
        s.envp.push_back(peek_string(word));
    }
    for (;;) {
        u32 key = next(), value = next();
        s.auxv.emplace_back(key, value);
        CHECK(s.aux.count(key) == 0); // each key once
        s.aux[key] = value;
        if (key == AT_NULL)
            break;
        REQUIRE(s.auxv.size() < 64);
    }
    s.table_end = at;
    return s;
}

struct PreparedExec {
    proc::ExecImage image;
    ~PreparedExec()
    {
        if (image.space)
            image.space.reset();
    }
};

Result<proc::ExecImage> prepare(const std::vector<u8>& file, std::vector<const char*> argv, std::vector<const char*> envp,
    const char* execfn)
{
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    return proc::prepare_exec(file.data(), file.size(), argv.data(), envp.data(), execfn);
}

} // namespace

TEST_CASE("exec: the initial stack holds argc, argv, envp and the auxiliary vector as the i386 ABI says")
{
    ProcessMachine m;
    auto prepared = prepare(m.executable, { "/bin/prog", "-x", "", "last argument" }, { "HOME=/", "TERM=linux" },
        "/bin/prog");
    REQUIRE_FALSE(prepared.is_error());
    PreparedExec exec { std::move(prepared.value()) };
    exec.image.space->activate();

    CHECK(exec.image.entry == kEntry);
    uptr sp = exec.image.stack;
    CHECK(sp % 16 == 0); // at argc, as the ABI requires of the process entry point
    CHECK(sp < arch::kUserEnd);
    CHECK(sp > arch::kUserEnd - 32 * kPage);

    InitialStack s = read_stack(sp);
    CHECK(s.argc == 4);
    CHECK(s.argv == std::vector<std::string> { "/bin/prog", "-x", "", "last argument" });
    CHECK(s.envp == std::vector<std::string> { "HOME=/", "TERM=linux" });
    // The strings live above the tables, inside user space.
    for (uptr at : s.argv_at)
        CHECK((at >= s.table_end && at < arch::kUserEnd));
    for (uptr at : s.envp_at)
        CHECK((at >= s.table_end && at < arch::kUserEnd));

    REQUIRE(s.auxv.back() == std::pair<u32, u32> { AT_NULL, 0 });
    CHECK(s.aux.at(AT_PHDR) == kExecBase + sizeof(proc::Elf32Header));
    CHECK(s.aux.at(AT_PHENT) == 32);
    CHECK(s.aux.at(AT_PHNUM) == 2);
    CHECK(s.aux.at(AT_PAGESZ) == 4096);
    CHECK(s.aux.at(AT_ENTRY) == kEntry);
    CHECK(s.aux.at(AT_BASE) == 0); // no interpreter
    CHECK(s.aux.at(AT_UID) == 0);
    CHECK(s.aux.at(AT_EUID) == 0);
    CHECK(s.aux.at(AT_GID) == 0);
    CHECK(s.aux.at(AT_EGID) == 0);
    CHECK(s.aux.at(AT_SECURE) == 0);
    CHECK(s.aux.at(AT_CLKTCK) == 100);
    CHECK(peek_string(s.aux.at(AT_EXECFN)) == "/bin/prog");
    CHECK(peek_string(s.aux.at(AT_PLATFORM)) == "i686");
    uptr random = s.aux.at(AT_RANDOM);
    CHECK((random >= s.table_end && random + 16 <= arch::kUserEnd));
    u8 bytes[16];
    REQUIRE_FALSE(mm::raw::copy_from_user(bytes, random, 16).is_error());
    CHECK(std::any_of(std::begin(bytes), std::end(bytes), [](u8 b) { return b != 0; }));

    // What AT_PHDR points at is the program's own program-header table.
    auto header = peek<proc::Elf32ProgramHeader>(s.aux.at(AT_PHDR));
    CHECK(header.type == proc::kPtLoad);
    CHECK(header.vaddr == kExecBase);

    // The word at the very top is zero, and the stack is writable below sp and grows down on demand.
    CHECK(peek<u32>(arch::kUserEnd - 4) == 0);
    CHECK_FALSE(mm::raw::copy_to_user(sp - 4, &sp, 4).is_error());
    CHECK_FALSE(mm::raw::copy_to_user(sp - 1024 * 1024, &sp, 4).is_error());
    auto* stack = exec.image.space->find_area(sp);
    REQUIRE(stack);
    CHECK((stack->flags & mm::kVmStack));
    CHECK((stack->flags & mm::kVmGrowsDown));
    CHECK(stack->prot == (mm::kProtRead | mm::kProtWrite));
    CHECK(exec.image.space->break_start() == kBreakStart);
    CHECK(exec.image.space->current_break() == kBreakStart);
    CHECK(exec.image.space->invariant_violation() == nullptr);
}

TEST_CASE("exec: no arguments and no environment still give the full layout")
{
    ProcessMachine m;
    auto prepared = prepare(m.executable, {}, {}, "x");
    REQUIRE_FALSE(prepared.is_error());
    PreparedExec exec { std::move(prepared.value()) };
    exec.image.space->activate();
    CHECK(exec.image.stack % 16 == 0);
    InitialStack s = read_stack(exec.image.stack);
    CHECK(s.argc == 0);
    CHECK(s.envp.empty());
    CHECK(peek_string(s.aux.at(AT_EXECFN)) == "x");
    // Both NULLs present: argc, NULL, NULL, then the first auxv key.
    CHECK(peek<u32>(exec.image.stack + 4) == 0);
    CHECK(peek<u32>(exec.image.stack + 8) == 0);
    CHECK(peek<u32>(exec.image.stack + 12) == s.auxv.front().first);
}

TEST_CASE("exec: the stack stays 16-byte aligned for every count of arguments and string lengths")
{
    ProcessMachine m;
    std::vector<std::string> storage;
    for (usize n = 0; n < 12; ++n) {
        std::vector<const char*> argv;
        storage.assign(n, "");
        for (usize i = 0; i < n; ++i) {
            storage[i] = std::string(i + n, static_cast<char>('a' + i));
            argv.push_back(storage[i].c_str());
        }
        auto prepared = prepare(m.executable, argv, { "A=1" }, "p");
        REQUIRE_FALSE(prepared.is_error());
        PreparedExec exec { std::move(prepared.value()) };
        exec.image.space->activate();
        CAPTURE(n);
        CHECK(exec.image.stack % 16 == 0);
        InitialStack s = read_stack(exec.image.stack);
        CHECK(s.argc == n);
        for (usize i = 0; i < n; ++i)
            CHECK(s.argv[i] == storage[i]);
    }
}

TEST_CASE("exec: too many or too long arguments are E2BIG, and nothing is left behind")
{
    // Linux's limits: one string at most 32 pages (MAX_ARG_STRLEN), all of them with their pointers at most a
    // quarter of the 8 MiB stack limit.
    ProcessMachine m(64);
    std::string big(100 * 1024, 'a');
    std::vector<const char*> many(20, big.c_str());
    CHECK_FALSE(prepare(m.executable, many, {}, "p").is_error()); // the image goes with the temporary
    CHECK(m.no_pages_leaked());
    many.resize(21, big.c_str());
    CHECK(prepare(m.executable, many, {}, "p").error() == Errno::TOOBIG);
    CHECK(prepare(m.executable, {}, many, "p").error() == Errno::TOOBIG);
    std::string too_long(proc::ExecArgs::kMaxString, 'x');
    CHECK(prepare(m.executable, { too_long.c_str() }, {}, "p").error() == Errno::TOOBIG);
    std::vector<const char*> tiny(450000, "");
    CHECK(prepare(m.executable, tiny, {}, "p").error() == Errno::TOOBIG); // the pointers count too
    CHECK(m.no_pages_leaked());
}

TEST_CASE("exec: a file that cannot be run is an error, never a panic")
{
    ProcessMachine m;
    std::vector<u8> garbage(100, 0x42);
    CHECK(prepare(garbage, {}, {}, "p").error() == Errno::NOEXEC);
    // A segment in the stack's reserve at the top of user space.
    elf_test::ElfBuilder elf(proc::kEtExec, 0xBFFF0000);
    elf.add_load(0xBFFF0000, elf_test::pattern(0x100, 1), 0, proc::kPfRead | proc::kPfExecute);
    CHECK(prepare(elf.build(), {}, {}, "p").error() == Errno::INVAL);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: exit_group's status comes back as a wait status, and the process is gone after")
{
    ProcessMachine m;
    bool ran = false;
    auto status = m.run([&](uptr entry, uptr stack) {
        ran = true;
        CHECK(entry == kEntry);
        CHECK(stack % 16 == 0);
        proc::Thread* self = proc::current();
        REQUIRE(self);
        CHECK(self->tid == 1);
        CHECK(self->process().parent_pid() == 0);
        CHECK(std::string(self->name) == "init");
        CHECK(mm::AddressSpace::active() == self->space.get());
        CHECK(sim::active_page_tables() == self->space->page_tables());
        InitialStack s = read_stack(stack);
        CHECK(s.argv == std::vector<std::string> { "/sbin/init" });
        CHECK(s.envp == std::vector<std::string> { "HOME=/" });
        CHECK(peek_string(s.aux.at(AT_EXECFN)) == "/sbin/init");
        // The program's own bytes are where the ELF said.
        CHECK(peek<u8>(kDataAddress) == elf_test::pattern(1, 2)[0]);
        exit_group(7);
        FAIL("exit_group returned");
    });
    CHECK(ran);
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 7u << 8);
    CHECK(proc::current() == nullptr);
    CHECK(sim::active_page_tables() == nullptr);
    CHECK(mm::AddressSpace::active() == nullptr);
    CHECK(sim::live_page_tables() == 0);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: exit and exit_group keep the low 8 bits of the status")
{
    ProcessMachine m;
    for (auto [number, code, expected] : { std::tuple<u32, i32, u32> { kSysExit, 1, 0x100 }, { kSysExitGroup, 0, 0 },
             { kSysExitGroup, 0x1234, 0x3400 }, { kSysExitGroup, -1, 0xFF00 }, { kSysExit, 255, 0xFF00 } }) {
        auto status = m.run([number, code](uptr, uptr) { call(number, static_cast<u32>(code)); });
        REQUIRE_FALSE(status.is_error());
        CHECK(status.value() == expected);
    }
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: a fatal trap ends the process with the signal as its status, and one log line")
{
    ProcessMachine m;
    auto status = m.run([](uptr, uptr) { sim::user_trap({ 11, 0x1234, 0x8048000, false, false }); });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 11);
    CHECK(m.console.text().find("init[1]: killed by SIGSEGV at 0x1234 (eip 0x8048000, nothing mapped)\n")
        != std::string::npos);

    CHECK(m.run([](uptr, uptr) { sim::user_trap({ 11, kEntry, kEntry, true, false }); }).value() == 11);
    CHECK(m.console.text().find("access error") != std::string::npos);

    for (int signal : { proc::kSigIll, proc::kSigTrap, proc::kSigBus, proc::kSigFpe }) {
        CHECK(m.run([signal](uptr, uptr) { sim::user_trap({ signal, 0, kEntry, false, false }); }).value()
            == static_cast<u32>(signal));
    }
    CHECK(m.console.text().find("killed by SIGFPE") != std::string::npos);
    CHECK(proc::current() == nullptr);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: the name is argv[0]'s base name; there must be an argv[0]")
{
    ProcessMachine m;
    std::string name;
    auto grab = [&](uptr, uptr) {
        name = proc::current()->name;
        exit_group(0);
    };
    REQUIRE_FALSE(m.run(grab, { "/usr/local/bin/a-very-long-program-name" }).is_error());
    CHECK(name == "a-very-long-pro"); // comm: 15 characters
    REQUIRE_FALSE(m.run(grab, { "plain" }).is_error());
    CHECK(name == "plain");
    auto none = m.run(grab, {});
    REQUIRE(none.is_error());
    CHECK(none.error() == Errno::INVAL); // the path to run is argv[0]
}

TEST_CASE("run_init: a file that is not an executable is an error and runs nothing")
{
    ProcessMachine m;
    m.executable.assign(64, 0);
    bool ran = false;
    auto status = m.run([&](uptr, uptr) { ran = true; });
    CHECK(status.error() == Errno::NOEXEC);
    CHECK_FALSE(ran);
    CHECK(proc::current() == nullptr);
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: a program uses brk, mmap2 and write, and its memory is freed when it exits")
{
    ProcessMachine m;
    auto status = m.run([](uptr, uptr) {
        // The break starts after .bss, and grows into usable memory.
        u32 start = static_cast<u32>(call(kSysBrk, 0));
        CHECK(start == kBreakStart);
        CHECK(static_cast<u32>(call(kSysBrk, start + 0x3000)) == start + 0x3000);
        poke(start + 0x2FFC, 0xDEADBEEFu);
        CHECK(peek<u32>(start + 0x2FFC) == 0xDEADBEEFu);
        CHECK(mm::raw::copy_to_user(start + 0x3000, &start, 1).error() == Errno::FAULT);

        // An anonymous mapping, written and then printed.
        uptr buffer = scratch(2 * kPage);
        poke_string(buffer, "hello from user space\n");
        CHECK(call(kSysWrite, 1, buffer, 22) == 22);
        CHECK(call(kSysWrite, 2, buffer, 6) == 6);

        // The data segment is writable, the text is not.
        poke(kDataAddress, u32 { 1 });
        u8 byte = 0;
        CHECK(mm::raw::copy_to_user(kEntry, &byte, 1).error() == Errno::FAULT);
        CHECK(call(kSysGetpid) == 1);
        exit_group(3);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 3u << 8);
    CHECK(m.console.text() == "hello from user space\nhello ");
    CHECK(m.no_pages_leaked());
}

TEST_CASE("run_init: one process after another starts fresh each time")
{
    ProcessMachine m;
    for (int round = 0; round < 3; ++round) {
        auto status = m.run([](uptr, uptr) {
            CHECK(static_cast<u32>(call(kSysBrk, 0)) == kBreakStart); // the previous one's brk is gone
            call(kSysBrk, kBreakStart + 0x10000);
            u32 first_word;
            std::memcpy(&first_word, elf_test::pattern(4, 2).data(), 4);
            CHECK(peek<u32>(kDataAddress) == first_word); // the file's bytes, not the last run's write
            poke(kDataAddress, u32 { 0 });
            exit_group(0);
        });
        CHECK(status.value() == 0);
    }
    CHECK(m.no_pages_leaked());
}
