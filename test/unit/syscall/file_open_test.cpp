// open, creat, lseek, _llseek, pread64/pwrite64, preadv/pwritev, sendfile/sendfile64, dup*, fcntl's descriptor
// commands, fsync/fdatasync/sync/syncfs and fallocate, made by a simulated program through the system-call
// table on the machine's tmpfs root.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kRead = sys::nr("read"), kOpen = sys::nr("open"), kClose = sys::nr("close"), kCreat = sys::nr("creat"),
              kLseek = sys::nr("lseek"), kSync = sys::nr("sync"), kDup = sys::nr("dup"), kFcntl = sys::nr("fcntl"),
              kDup2 = sys::nr("dup2"), kFsync = sys::nr("fsync"), kLlseek = sys::nr("_llseek"),
              kFdatasync = sys::nr("fdatasync"), kPread64 = sys::nr("pread64"), kPwrite64 = sys::nr("pwrite64"),
              kSendfile = sys::nr("sendfile"), kFstat64 = sys::nr("fstat64"), kFcntl64 = sys::nr("fcntl64"),
              kSendfile64 = sys::nr("sendfile64"), kFallocate = sys::nr("fallocate"), kDup3 = sys::nr("dup3"),
              kPreadv = sys::nr("preadv"), kPwritev = sys::nr("pwritev"), kSyncfs = sys::nr("syncfs");
constexpr u32 kORdOnly = 0, kOWrOnly = 1, kORdWr = 2, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000, kOAppend = 02000,
              kOLargeFile = 0100000, kOCloExec = 02000000, kOPath = 010000000;

i32 open_path(u32 scratch_address, const std::string& path, u32 flags, u32 mode = 0644)
{
    poke_string(scratch_address, path);
    return call(kOpen, scratch_address, flags, mode);
}

std::string read_back(i32 fd, u32 buffer, u32 count)
{
    i32 got = call(kRead, static_cast<u32>(fd), buffer, count);
    REQUIRE(got >= 0);
    std::string text(static_cast<usize>(got), '\0');
    if (got)
        REQUIRE_FALSE(mm::raw::copy_from_user(text.data(), buffer, static_cast<usize>(got)).is_error());
    return text;
}

i32 write_text(i32 fd, u32 buffer, const std::string& text)
{
    poke(buffer, text.data(), text.size());
    return call(kSysWrite, static_cast<u32>(fd), buffer, static_cast<u32>(text.size()));
}

} // namespace

TEST_CASE("open, creat: create, reopen, the lowest descriptor, and the path errors", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/notes" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer + 2 * kPage;
        i32 fd = open_path(name, "/notes", kOCreat | kORdWr);
        CHECK(fd == 3);
        CHECK(write_text(fd, buffer, "hello world") == 11);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        CHECK(open_path(name, "/notes", kOCreat | kOExcl | kORdWr) == err(Errno::EXIST));
        fd = open_path(name, "/notes", kORdOnly);
        CHECK(fd == 3);
        CHECK(read_back(fd, buffer, 100) == "hello world");
        CHECK(call(kSysWrite, static_cast<u32>(fd), buffer, 1) == err(Errno::BADF));
        CHECK(open_path(name, "/missing", kORdOnly) == err(Errno::NOENT));
        CHECK(open_path(name, "", kORdOnly) == err(Errno::NOENT));
        CHECK(open_path(name, "/notes/x", kORdOnly) == err(Errno::NOTDIR));
        CHECK(call(kOpen, 0xC0000000, kORdOnly, 0) == err(Errno::FAULT));
        CHECK(call(kOpen, 0, kORdOnly, 0) == err(Errno::FAULT));
        // No NUL within PATH_MAX bytes.
        std::string long_name(4200, 'a');
        poke_string(buffer, long_name);
        CHECK(call(kOpen, buffer, kORdOnly, 0) == err(Errno::NAMETOOLONG));
        // creat truncates and opens write-only.
        poke_string(name, "/notes");
        i32 created = call(kCreat, name, 0600);
        CHECK(created == 4);
        CHECK(call(kRead, static_cast<u32>(created), buffer, 1) == err(Errno::BADF));
        u32 st = buffer + 3 * kPage;
        REQUIRE(call(kFstat64, static_cast<u32>(fd), st) == 0);
        CHECK(peek<sys::Stat64>(st).size == 0);
        CHECK((peek<sys::Stat64>(st).mode & 0777) == 0644); // creat on an existing file keeps its mode
    });
}

TEST_CASE("lseek and _llseek: whences, ESPIPE, EINVAL, and EOVERFLOW past a 32-bit off_t", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/seek" }, [&] {
        u32 buffer = scratch();
        u32 result = buffer + kPage;
        i32 fd = open_path(buffer + 2 * kPage, "/seek", kOCreat | kORdWr | kOLargeFile);
        REQUIRE(fd >= 0);
        CHECK(write_text(fd, buffer, "0123456789") == 10);
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == 10);
        CHECK(call(kLseek, static_cast<u32>(fd), 4, 0) == 4);
        CHECK(read_back(fd, buffer, 3) == "456");
        CHECK(call(kLseek, static_cast<u32>(fd), static_cast<u32>(-2), 2) == 8);
        CHECK(call(kLseek, static_cast<u32>(fd), static_cast<u32>(-20), 1) == err(Errno::INVAL));
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 7) == err(Errno::INVAL));
        CHECK(call(kLseek, 1, 0, 0) == err(Errno::SPIPE));
        CHECK(call(kLseek, 77, 0, 0) == err(Errno::BADF));
        // 2 GiB - 1 fits; one more does not, though the position moves (ksys_lseek).
        CHECK(call(kLseek, static_cast<u32>(fd), 0x7fffffff, 0) == 0x7fffffff);
        CHECK(call(kLseek, static_cast<u32>(fd), 1, 1) == err(Errno::OVERFLOW));
        CHECK(call(kLlseek, static_cast<u32>(fd), 0, 0, result, 1) == 0);
        CHECK(peek<u64>(result) == 0x80000000ull);
        // _llseek takes the high word first and stores 64 bits.
        CHECK(call(kLlseek, static_cast<u32>(fd), 1, 5, result, 0) == 0);
        CHECK(peek<u64>(result) == 0x100000005ull);
        CHECK(call(kLlseek, static_cast<u32>(fd), 0, 3, result, 0) == 0);
        CHECK(peek<u64>(result) == 3);
        CHECK(read_back(fd, buffer, 2) == "34");
        CHECK(call(kLlseek, static_cast<u32>(fd), 0, 0, result, 9) == err(Errno::INVAL));
        CHECK(call(kLlseek, static_cast<u32>(fd), 0, 1, 0xC0000000, 0) == err(Errno::FAULT));
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == 1); // the position moved before the fault
        CHECK(call(kLlseek, 1, 0, 0, result, 0) == err(Errno::SPIPE));
    });
}

TEST_CASE("pread64 and pwrite64: the offset's two halves, the position untouched, the errors", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/p" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer + 2 * kPage, st = buffer + 3 * kPage;
        i32 fd = open_path(name, "/p", kOCreat | kORdWr);
        REQUIRE(fd >= 0);
        poke_string(buffer, "HELLO");
        CHECK(call(kPwrite64, static_cast<u32>(fd), buffer, 5, 100, 0) == 5);
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == 0);
        REQUIRE(call(kFstat64, static_cast<u32>(fd), st) == 0);
        CHECK(peek<sys::Stat64>(st).size == 105);
        CHECK(call(kPread64, static_cast<u32>(fd), buffer + 16, 10, 101, 0) == 4);
        CHECK(peek_string(buffer + 16).substr(0, 4) == "ELLO");
        CHECK(call(kPread64, static_cast<u32>(fd), buffer + 16, 10, 0, 0) == 10); // the hole reads zeros
        CHECK(peek<u8>(buffer + 16) == 0);
        CHECK(call(kPread64, static_cast<u32>(fd), buffer, 5, 0xffffffff, 0xffffffff) == err(Errno::INVAL));
        CHECK(call(kPread64, 1, buffer, 5, 0, 0) == err(Errno::SPIPE));
        CHECK(call(kPread64, 40, buffer, 5, 0, 0) == err(Errno::BADF));
        CHECK(call(kPread64, static_cast<u32>(fd), 0xC0000000, 5, 0, 0) == err(Errno::FAULT));
        CHECK(call(kPread64, static_cast<u32>(fd), buffer, 0, 0, 0) == 0);
        // Without O_LARGEFILE an offset past 2 GiB is too far; with it the high word counts.
        CHECK(call(kPwrite64, static_cast<u32>(fd), buffer, 5, 0, 1) == err(Errno::FBIG));
        i32 large = open_path(name, "/p", kORdWr | kOLargeFile);
        CHECK(call(kPwrite64, static_cast<u32>(large), buffer, 5, 2, 1) == 5);
        REQUIRE(call(kFstat64, static_cast<u32>(large), st) == 0);
        CHECK(peek<sys::Stat64>(st).size == 0x100000007ll);
        CHECK(open_path(name, "/p", kORdOnly) == err(Errno::OVERFLOW)); // 4 GiB: too large without O_LARGEFILE
        i32 reader = open_path(name, "/p", kORdOnly | kOLargeFile);
        CHECK(call(kPwrite64, static_cast<u32>(reader), buffer, 5, 0, 0) == err(Errno::BADF));
        CHECK(call(kPread64, static_cast<u32>(reader), buffer + 64, 5, 2, 1) == 5);
        CHECK(peek_string(buffer + 64).substr(0, 5) == "HELLO");
    });
}

TEST_CASE("preadv and pwritev: segments in order at the offset", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/v" }, [&] {
        u32 buffer = scratch();
        u32 vectors = buffer + kPage, name = buffer + 2 * kPage;
        i32 fd = open_path(name, "/v", kOCreat | kORdWr);
        poke_string(buffer, "abc");
        poke_string(buffer + 16, "defgh");
        poke(vectors, sys::IoVec { buffer, 3 });
        poke(vectors + 8, sys::IoVec { buffer + 16, 5 });
        CHECK(call(kPwritev, static_cast<u32>(fd), vectors, 2, 10, 0) == 8);
        CHECK(call(kLseek, static_cast<u32>(fd), 0, 1) == 0);
        poke(vectors, sys::IoVec { buffer + 100, 4 });
        poke(vectors + 8, sys::IoVec { buffer + 200, 10 });
        CHECK(call(kPreadv, static_cast<u32>(fd), vectors, 2, 11, 0) == 7);
        CHECK(peek_string(buffer + 100).substr(0, 4) == "bcde");
        CHECK(peek_string(buffer + 200).substr(0, 3) == "fgh");
        CHECK(call(kPreadv, static_cast<u32>(fd), vectors, -1, 0, 0) == err(Errno::INVAL));
        CHECK(call(kPreadv, static_cast<u32>(fd), vectors, 2, 0xffffffff, 0xffffffff) == err(Errno::INVAL));
        poke(vectors + 8, sys::IoVec { 0xC0000000, 10 });
        CHECK(call(kPreadv, static_cast<u32>(fd), vectors, 2, 0, 0) == err(Errno::FAULT));
        CHECK(call(kPwritev, 1, vectors, 1, 0, 0) == err(Errno::SPIPE));
    });
}

TEST_CASE("sendfile and sendfile64: file to file and to the console, with and without an offset", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/in", "/out" }, [&] {
        u32 buffer = scratch();
        u32 name = buffer + 2 * kPage, offset = buffer + kPage;
        i32 in = open_path(name, "/in", kOCreat | kORdWr);
        CHECK(write_text(in, buffer, "0123456789") == 10);
        i32 out = open_path(name, "/out", kOCreat | kORdWr);
        // With an offset pointer: from there, the pointer advances, the input position stays.
        poke(offset, i32 { 2 });
        CHECK(call(kSendfile, static_cast<u32>(out), static_cast<u32>(in), offset, 4) == 4);
        CHECK(peek<i32>(offset) == 6);
        CHECK(call(kLseek, static_cast<u32>(in), 0, 1) == 10);
        // Without: from the input's position, which moves.
        CHECK(call(kLseek, static_cast<u32>(in), 7, 0) == 7);
        CHECK(call(kSendfile64, static_cast<u32>(out), static_cast<u32>(in), 0, 100) == 3);
        CHECK(call(kLseek, static_cast<u32>(in), 0, 1) == 10);
        CHECK(call(kPread64, static_cast<u32>(out), buffer, 20, 0, 0) == 7);
        CHECK(peek_string(buffer).substr(0, 7) == "2345789");
        // sendfile64's offset is 64 bits; to the console.
        poke(offset, i64 { 5 });
        CHECK(call(kSendfile64, 1, static_cast<u32>(in), offset, 3) == 3);
        CHECK(peek<i64>(offset) == 8);
        CHECK(m.console.text() == "567");
        // Errors: input not readable, output not writable or O_APPEND, an offset past 2 GiB - 1.
        i32 write_only = open_path(name, "/in", kOWrOnly);
        CHECK(call(kSendfile, static_cast<u32>(out), static_cast<u32>(write_only), 0, 1) == err(Errno::BADF));
        i32 read_only = open_path(name, "/out", kORdOnly);
        CHECK(call(kSendfile, static_cast<u32>(read_only), static_cast<u32>(in), 0, 1) == err(Errno::BADF));
        i32 appending = open_path(name, "/out", kOWrOnly | kOAppend);
        CHECK(call(kSendfile, static_cast<u32>(appending), static_cast<u32>(in), 0, 1) == err(Errno::INVAL));
        poke(offset, i32 { 0x7fffffff });
        CHECK(call(kSendfile, static_cast<u32>(out), static_cast<u32>(in), offset, 1) == err(Errno::OVERFLOW));
        CHECK(call(kSendfile, static_cast<u32>(out), static_cast<u32>(in), 0xC0000000, 1) == err(Errno::FAULT));
        CHECK(call(kSendfile, static_cast<u32>(out), 1, offset, 1) == err(Errno::SPIPE));
    });
}

TEST_CASE("dup, dup2, dup3 and fcntl's descriptor commands", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/d" }, [&] {
        u32 buffer = scratch();
        i32 fd = open_path(buffer + kPage, "/d", kOCreat | kORdWr);
        REQUIRE(fd == 3);
        CHECK(call(kDup, 3) == 4);
        CHECK(call(kDup, 99) == err(Errno::BADF));
        CHECK(call(kDup2, 3, 10) == 10);
        CHECK(call(kDup2, 3, 3) == 3);
        CHECK(call(kDup2, 50, 3) == err(Errno::BADF));
        CHECK(call(kDup3, 3, 3, 0) == err(Errno::INVAL));
        CHECK(call(kDup3, 3, 11, 1) == err(Errno::INVAL));
        CHECK(call(kDup3, 3, 11, kOCloExec) == 11);
        CHECK(call(kFcntl, 11, 1 /* F_GETFD */) == 1);
        CHECK(call(kFcntl, 10, 1) == 0);
        CHECK(call(kFcntl, 10, 2 /* F_SETFD */, 1) == 0);
        CHECK(call(kFcntl64, 10, 1) == 1);
        CHECK(call(kFcntl, 3, 0 /* F_DUPFD */, 20) == 20);
        CHECK(call(kFcntl, 3, 1030 /* F_DUPFD_CLOEXEC */, 20) == 21);
        CHECK(call(kFcntl, 21, 1) == 1);
        CHECK(call(kFcntl, 3, 0, 5000) == err(Errno::INVAL));
        CHECK((call(kFcntl, 3, 3 /* F_GETFL */) & 3) == static_cast<i32>(kORdWr));
        // Descriptors from dup share the position and the status flags.
        CHECK(write_text(3, buffer, "abc") == 3);
        CHECK(call(kLseek, 4, 0, 1) == 3);
        CHECK(call(kFcntl, 4, 4 /* F_SETFL */, kOAppend | kORdOnly) == 0);
        CHECK((call(kFcntl, 3, 3) & (kOAppend | 3)) == static_cast<i32>(kOAppend | kORdWr));
        CHECK(call(kLseek, 3, 0, 0) == 0);
        CHECK(write_text(3, buffer, "d") == 1);
        CHECK(call(kLseek, 3, 0, 1) == 4); // appended
        CHECK(call(kFcntl, 3, 9999) == err(Errno::INVAL));
        CHECK(call(kFcntl, 3, 12 /* F_GETLK64 */, buffer) == err(Errno::INVAL)); // fcntl64's only
        CHECK(call(kFcntl, 77, 1) == err(Errno::BADF));
        // An O_PATH descriptor answers only the descriptor commands.
        i32 path_only = open_path(buffer + kPage, "/d", kOPath);
        CHECK(call(kFcntl, static_cast<u32>(path_only), 3) == static_cast<i32>(kOPath));
        CHECK(call(kFcntl, static_cast<u32>(path_only), 4, 0) == err(Errno::BADF));
    });
}

TEST_CASE("fsync, fdatasync, sync, syncfs: nothing to flush, but the descriptor rules", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/s" }, [&] {
        u32 buffer = scratch();
        i32 fd = open_path(buffer, "/s", kOCreat | kORdWr);
        CHECK(call(kFsync, static_cast<u32>(fd)) == 0);
        CHECK(call(kFdatasync, static_cast<u32>(fd)) == 0);
        CHECK(call(kFsync, 1) == err(Errno::INVAL)); // the console has nothing to sync
        CHECK(call(kFsync, 30) == err(Errno::BADF));
        CHECK(call(kFdatasync, 30) == err(Errno::BADF));
        CHECK(call(kSync) == 0);
        CHECK(call(kSyncfs, 1) == 0);
        CHECK(call(kSyncfs, 30) == err(Errno::BADF));
        i32 path_only = open_path(buffer, "/s", kOPath);
        CHECK(call(kSyncfs, static_cast<u32>(path_only)) == err(Errno::BADF));
        CHECK(call(kFsync, static_cast<u32>(path_only)) == err(Errno::BADF));
    });
}

TEST_CASE("fallocate: mode 0 extends the size, other modes are EOPNOTSUPP", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/a" }, [&] {
        u32 buffer = scratch();
        u32 st = buffer + kPage;
        i32 fd = open_path(buffer, "/a", kOCreat | kORdWr);
        CHECK(call(kFallocate, static_cast<u32>(fd), 0, 100, 0, 8000, 0) == 0);
        REQUIRE(call(kFstat64, static_cast<u32>(fd), st) == 0);
        CHECK(peek<sys::Stat64>(st).size == 8100);
        CHECK(call(kFallocate, static_cast<u32>(fd), 0, 0, 0, 10, 0) == 0); // inside: the size stays
        REQUIRE(call(kFstat64, static_cast<u32>(fd), st) == 0);
        CHECK(peek<sys::Stat64>(st).size == 8100);
        CHECK(call(kFallocate, static_cast<u32>(fd), 1 /* KEEP_SIZE */, 0, 0, 10, 0) == err(Errno::OPNOTSUPP));
        CHECK(call(kFallocate, static_cast<u32>(fd), 0, 0, 0, 0, 0) == err(Errno::INVAL));
        CHECK(call(kFallocate, static_cast<u32>(fd), 0, 0xffffffff, 0xffffffff, 1, 0) == err(Errno::INVAL));
        CHECK(call(kFallocate, static_cast<u32>(fd), 0, 0, 0x7fffffff, 1, 0) == err(Errno::FBIG));
        i32 reader = open_path(buffer, "/a", kORdOnly);
        CHECK(call(kFallocate, static_cast<u32>(reader), 0, 0, 0, 10, 0) == err(Errno::BADF));
        CHECK(call(kFallocate, 1, 0, 0, 0, 10, 0) == err(Errno::NODEV));
        CHECK(call(kFallocate, 44, 0, 0, 0, 10, 0) == err(Errno::BADF));
    });
}
