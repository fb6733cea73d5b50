// The system-call trace: arguments decoded by kind from the caller's memory, results in strace's notation, and
// the lines a traced program's calls print on the console.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "syscall/strace.hpp"

using namespace proc_test;

namespace {

std::string call_text(u32 number, u32 a = 0, u32 b = 0, u32 c = 0, u32 d = 0, u32 e = 0, u32 f = 0)
{
    char line[200];
    arch::SyscallArgs args { number, { a, b, c, d, e, f } };
    usize length = sys::format_call(line, sizeof(line), args);
    CHECK(length == std::string(line).size());
    return line;
}

std::string result_text(u32 number, i32 result)
{
    char line[64];
    sys::format_result(line, sizeof(line), number, result);
    return line;
}

constexpr u32 kSysRead = sys::nr("read"), kSysOpen = sys::nr("open"), kSysKill = sys::nr("kill"),
              kSysLseek = sys::nr("lseek"), kSysOpenat = sys::nr("openat"), kSysClockGettime = sys::nr("clock_gettime");

} // namespace

TEST_CASE("strace: paths and flags are decoded, pointers are shown as addresses")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        poke_string(at, "/etc/passwd");
        CHECK(call_text(kSysOpen, at, 02000000, 0) == "open(\"/etc/passwd\", O_RDONLY|O_CLOEXEC, 0)");
        CHECK(call_text(kSysOpenat, static_cast<u32>(-100), at, 0101 | 01000, 0644)
            == "openat(AT_FDCWD, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
        CHECK(call_text(kSysRead, 3, 0xC0000000, 4096) == "read(3, 0xc0000000, 4096)");
        CHECK(call_text(kSysRead, 3, 0, 4096) == "read(3, NULL, 4096)");
        CHECK(call_text(kSysKill, 42, 9) == "kill(42, SIGKILL)");
        CHECK(call_text(kSysLseek, 4, static_cast<u32>(-8), 2) == "lseek(4, -8, SEEK_END)");
        char expected[64];
        snprintf(expected, sizeof(expected), "clock_gettime(CLOCK_MONOTONIC, %#x)", static_cast<u32>(at));
        CHECK(call_text(kSysClockGettime, 1, at) == expected);
        CHECK(call_text(kSysMmap2, 0, 8192, 3, 0x22, static_cast<u32>(-1), 0)
            == "mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
        CHECK(call_text(kSysGetpid) == "getpid()");
    });
}

TEST_CASE("strace: written bytes are quoted with escapes and cut, bad strings are their address")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        poke(at, "hi \"there\"\n\x01", 13);
        CHECK(call_text(kSysWrite, 1, at, 12) == "write(1, \"hi \\\"there\\\"\\n\\1\", 12)");
        std::string long_text(100, 'x');
        poke_string(at, long_text);
        CHECK(call_text(kSysWrite, 1, at, 100) == "write(1, \"" + std::string(48, 'x') + "\"..., 100)");
        CHECK(call_text(kSysOpen, at, 0, 0) == "open(\"" + std::string(48, 'x') + "\"..., O_RDONLY, 0)");
        // No NUL before the end of the mapping: the address, not a guess.
        uptr end = at + 4 * kPage;
        poke(end - 4, "abcd", 4);
        char expected[64];
        snprintf(expected, sizeof(expected), "open(%#x, O_RDONLY, 0)", static_cast<u32>(end - 4));
        CHECK(call_text(kSysOpen, static_cast<u32>(end - 4), 0, 0) == expected);
    });
}

TEST_CASE("strace: results are values, addresses or the errno's name")
{
    CHECK(result_text(kSysOpen, 3) == " = 3");
    CHECK(result_text(kSysRead, -14) == " = -EFAULT");
    CHECK(result_text(kSysOpen, -2) == " = -ENOENT");
    CHECK(result_text(kSysMmap2, static_cast<i32>(0xB7F00000)) == " = 0xb7f00000");
    CHECK(result_text(kSysBrk, 0x0804C000) == " = 0x804c000");
}

TEST_CASE("strace: a traced process's calls are printed as they return")
{
    ProcessMachine m;
    REQUIRE(sys::set_trace("1"));
    run_program(m, [] {
        uptr at = scratch();
        poke_string(at, "/no/such/file");
        CHECK(call(kSysOpen, at, 0, 0) == err(Errno::NOENT));
        CHECK(call(kSysGetpid) == 1);
    });
    sys::stop_trace();
    std::string out = m.console.text();
    CHECK(out.find("[pid 1] open(\"/no/such/file\", O_RDONLY, 0) = -ENOENT\n") != std::string::npos);
    CHECK(out.find("[pid 1] getpid() = 1\n") != std::string::npos);
    CHECK(out.find("[pid 1] exit_group(0) = ?\n") != std::string::npos);
}

TEST_CASE("strace: another process's calls are not printed")
{
    ProcessMachine m;
    REQUIRE(sys::set_trace("2"));
    run_program(m, [] { CHECK(call(kSysGetpid) == 1); });
    sys::stop_trace();
    CHECK(m.console.text().find("getpid()") == std::string::npos);
}

TEST_CASE("strace: the option's values")
{
    CHECK(sys::set_trace("1"));
    CHECK(sys::tracing(1));
    CHECK(sys::tracing(77));
    CHECK(sys::set_trace("77"));
    CHECK(sys::tracing(77));
    CHECK_FALSE(sys::tracing(1));
    CHECK(sys::set_trace("0"));
    CHECK_FALSE(sys::tracing(1));
    CHECK_FALSE(sys::set_trace("yes"));
    CHECK_FALSE(sys::set_trace(""));
    CHECK_FALSE(sys::set_trace("99999999999"));
    sys::stop_trace();
    CHECK_FALSE(sys::tracing(1));
}

TEST_CASE("strace: argument vectors, *at flags and fcntl commands")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        poke_string(at + 256, "/bin/ls");
        poke_string(at + 272, "-l");
        u32 argv[] = { static_cast<u32>(at + 256), static_cast<u32>(at + 272), 0 };
        poke(at, argv, sizeof(argv));
        constexpr u32 kSysExecve = sys::nr("execve"), kSysUnlinkat = sys::nr("unlinkat"),
                      kSysFcntl64 = sys::nr("fcntl64");
        CHECK(call_text(kSysExecve, static_cast<u32>(at + 256), static_cast<u32>(at), 0)
            == "execve(\"/bin/ls\", [\"/bin/ls\", \"-l\"], NULL)");
        // More than four strings are cut; an array running into unmapped memory ends in '?'.
        u32 many[] = { argv[1], argv[1], argv[1], argv[1], argv[1], 0 };
        poke(at, many, sizeof(many));
        CHECK(call_text(kSysExecve, static_cast<u32>(at + 272), static_cast<u32>(at), 0)
            == "execve(\"-l\", [\"-l\", \"-l\", \"-l\", \"-l\", ...], NULL)");
        char expected[96];
        uptr end = at + 4 * kPage;
        poke(end - 4, &argv[1], 4);
        CHECK(call_text(kSysExecve, static_cast<u32>(at + 272), static_cast<u32>(end - 4), 0)
            == "execve(\"-l\", [\"-l\", ?], NULL)");
        CHECK(call_text(kSysUnlinkat, static_cast<u32>(-100), static_cast<u32>(at + 272), 0x200)
            == "unlinkat(AT_FDCWD, \"-l\", AT_REMOVEDIR)");
        CHECK(call_text(kSysFcntl64, 3, 1030, 10) == "fcntl64(3, F_DUPFD_CLOEXEC, 10)");
        CHECK(call_text(kSysFcntl64, 3, 999, 0) == "fcntl64(3, 999, 0)");
        // writev shows the bytes it is given, readv only where it will put them.
        poke_string(at + 512, "hey");
        u32 vectors[] = { static_cast<u32>(at + 512), 3, static_cast<u32>(at + 512), 1 };
        poke(at, vectors, sizeof(vectors));
        constexpr u32 kSysReadv = sys::nr("readv");
        CHECK(call_text(kSysWritev, 1, static_cast<u32>(at), 2)
            == "writev(1, [{iov_base=\"hey\", iov_len=3}, {iov_base=\"h\", iov_len=1}], 2)");
        u32 base = static_cast<u32>(at + 512);
        snprintf(expected, sizeof(expected), "readv(0, [{iov_base=%#x, iov_len=3}, {iov_base=%#x, iov_len=1}], 2)",
            base, base);
        CHECK(call_text(kSysReadv, 0, static_cast<u32>(at), 2) == expected);
        std::string six = call_text(kSysReadv, 0, static_cast<u32>(at), 6);
        CHECK(six.substr(six.size() - 11) == "}, ...], 6)");
    });
}

TEST_CASE("strace: a call not implemented shows its name and its result")
{
    constexpr u32 kSysAcct = sys::nr("acct");
    CHECK(call_text(kSysAcct, 1, 2) == "acct(...)");
    CHECK(call_text(1000) == "syscall_1000(...)");
    CHECK(result_text(kSysAcct, -38) == " = -ENOSYS");
}
