// write, writev and ioctl on descriptors 0-2 (the kernel console until the VFS), made by a simulated program
// through the system-call table: what reaches the console, and each errno for a bad descriptor, pointer or
// vector.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kTiocgwinsz = 0x5413, kTcgets = 0x5401;

} // namespace

TEST_CASE("write: the bytes reach the console exactly, on descriptors 0, 1 and 2")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch();
        std::string text = "line one\nline two\n";
        poke(buffer, text.data(), text.size());
        CHECK(call(kSysWrite, 1, buffer, static_cast<u32>(text.size())) == static_cast<i32>(text.size()));
        CHECK(m.console.text() == text);
        CHECK(call(kSysWrite, 2, buffer, 4) == 4);
        CHECK(call(kSysWrite, 0, buffer + 5, 3) == 3);
        CHECK(m.console.text() == text + "lineone");
        CHECK(call(kSysWrite, 1, buffer, 0) == 0);
        // Binary bytes, NULs included, and a write longer than the kernel's copy chunk.
        std::string bytes;
        for (int i = 0; i < 3000; ++i)
            bytes.push_back(static_cast<char>(i * 13));
        poke(buffer + kPage, bytes.data(), bytes.size());
        CHECK(call(kSysWrite, 1, buffer + kPage, 3000) == 3000);
        CHECK(m.console.text() == text + "lineone" + bytes);
    });
}

TEST_CASE("write: a bad descriptor is EBADF, a bad buffer EFAULT, and nothing is written")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch();
        poke_string(buffer, "secret");
        CHECK(call(kSysWrite, 5, buffer, 6) == err(Errno::BADF));
        CHECK(call(kSysWrite, 3, buffer, 6) == err(Errno::BADF));
        CHECK(call(kSysWrite, static_cast<u32>(-1), buffer, 6) == err(Errno::BADF));
        CHECK(call(kSysWrite, 5, 0xC0000000, 4) == err(Errno::BADF)); // the descriptor is checked first
        CHECK(call(kSysWrite, 1, 0xC0000000, 4) == err(Errno::FAULT)); // the kernel's half
        CHECK(call(kSysWrite, 1, 0xBFFFFFF0, 0x20) == err(Errno::FAULT)); // straddles into it
        CHECK(call(kSysWrite, 1, 0xFFFFFFF0, 0x20) == err(Errno::FAULT)); // wraps
        CHECK(call(kSysWrite, 1, 0, 1) == err(Errno::FAULT));              // nothing mapped there
        CHECK(call(kSysWrite, 1, 0x10000000, 16) == err(Errno::FAULT));
        CHECK(m.console.text().empty());
    });
}

TEST_CASE("write: a buffer running into unmapped memory writes what it can, then stops")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch(2 * kPage);
        REQUIRE(call(kSysMunmap, buffer + kPage, kPage) == 0);
        std::string tail(300, 'q');
        poke(buffer + kPage - 300, tail.data(), tail.size());
        i32 written = call(kSysWrite, 1, buffer + kPage - 300, 600);
        CHECK(written > 0);
        CHECK(written <= 300);
        CHECK(m.console.text() == std::string(static_cast<usize>(written), 'q'));
    });
}

TEST_CASE("writev: the vectors are written in order; a bad count or length is EINVAL")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch();
        u32 vectors = buffer + 2 * kPage;
        poke_string(buffer, "alpha");
        poke_string(buffer + 100, "beta");
        sys::IoVec three[3] = { { buffer, 5 }, { buffer + 200, 0 }, { buffer + 100, 4 } };
        poke(vectors, three);
        CHECK(call(kSysWritev, 1, vectors, 3) == 9);
        CHECK(m.console.text() == "alphabeta");
        CHECK(call(kSysWritev, 1, vectors, 0) == 0);

        CHECK(call(kSysWritev, 1, vectors, static_cast<u32>(-1)) == err(Errno::INVAL));
        CHECK(call(kSysWritev, 1, vectors, 1025) == err(Errno::INVAL)); // UIO_MAXIOV is 1024
        CHECK(call(kSysWritev, 1, vectors, 0x80000000) == err(Errno::INVAL));
        CHECK(call(kSysWritev, 5, vectors, 3) == err(Errno::BADF));
        // A length that is negative as ssize_t: EINVAL before anything is written.
        sys::IoVec negative[2] = { { buffer, 5 }, { buffer, 0x80000000 } };
        poke(vectors, negative);
        CHECK(call(kSysWritev, 1, vectors, 2) == err(Errno::INVAL));
        // The vector itself unreadable, or a base in the kernel's half: EFAULT.
        CHECK(call(kSysWritev, 1, 0xC0000000, 1) == err(Errno::FAULT));
        CHECK(call(kSysWritev, 1, 0x10000000, 1) == err(Errno::FAULT));
        CHECK(call(kSysWritev, 1, vectors + kPage * 2 - 8, 2) == err(Errno::FAULT)); // runs off the mapping
        sys::IoVec kernel[2] = { { buffer, 5 }, { 0xC0000000, 4 } };
        poke(vectors, kernel);
        CHECK(call(kSysWritev, 1, vectors, 2) == err(Errno::FAULT));
        CHECK(m.console.text() == "alphabeta"); // none of the failed calls wrote anything

        // A total past MAX_RW_COUNT is cut, not refused (Linux 6.1): here the first vector is written and the
        // second, unmapped, ends the call.
        sys::IoVec too_much[3] = { { buffer, 5 }, { 0x10000, 0x40000000 }, { 0x10000, 0x40000000 } };
        poke(vectors, too_much);
        CHECK(call(kSysWritev, 1, vectors, 3) == 5);
        CHECK(m.console.text() == "alphabetaalpha");

        // A later vector in unmapped user memory: the earlier ones are written and counted.
        sys::IoVec partial[2] = { { buffer, 5 }, { 0x10000000, 4 } };
        poke(vectors, partial);
        CHECK(call(kSysWritev, 1, vectors, 2) == 5);
        CHECK(m.console.text() == "alphabetaalphaalpha");
    });
}

TEST_CASE("writev: up to 1024 vectors")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch(4 * kPage);
        poke_string(buffer, "x");
        std::vector<sys::IoVec> vectors(1024, sys::IoVec { static_cast<u32>(buffer), 1 });
        poke(buffer + kPage, vectors.data(), vectors.size() * sizeof(sys::IoVec));
        CHECK(call(kSysWritev, 2, buffer + kPage, 1024) == 1024);
        CHECK(m.console.text() == std::string(1024, 'x'));
    });
}

TEST_CASE("ioctl: TIOCGWINSZ gives the console's size; anything else is ENOTTY")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 buffer = scratch();
        CHECK(call(kSysIoctl, 1, kTiocgwinsz, buffer) == 0);
        auto size = peek<sys::WindowSize>(buffer);
        CHECK(size.rows == 25);
        CHECK(size.columns == 80);
        CHECK(size.x_pixels == 0);
        CHECK(size.y_pixels == 0);
        CHECK(call(kSysIoctl, 0, kTiocgwinsz, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kSysIoctl, 2, kTiocgwinsz, 0) == err(Errno::FAULT));
        CHECK(call(kSysIoctl, 1, kTcgets, buffer) == err(Errno::NOTTY));
        CHECK(call(kSysIoctl, 7, kTiocgwinsz, buffer) == err(Errno::BADF));
    });
}
