// mmap of files through the table: shared and private mappings of a tmpfs file, what read() and write() see,
// fork, truncation under a mapping (SIGBUS past the end), msync, madvise and mincore on file pages, and every
// errno of the file checks. Each test ends with every page back and the file's mapping list empty.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "fs/fd_table.hpp"
#include "fs/inode.hpp"
#include "fs/open_file.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/mmap.hpp"

using namespace proc_test;
using namespace mm;

namespace {

constexpr u32 kOpen = sys::nr("open"), kClose = sys::nr("close"), kRead = sys::nr("pread64"),
              kWrite = sys::nr("pwrite64"), kFtruncate = sys::nr("ftruncate"), kMunmap = sys::nr("munmap"),
              kMprotect = sys::nr("mprotect"), kMsync = sys::nr("msync"), kMadvise = sys::nr("madvise"),
              kMincore = sys::nr("mincore"), kUnlink = sys::nr("unlink"), kMkdir = sys::nr("mkdir"),
              kRmdir = sys::nr("rmdir"), kFork = sys::nr("fork"), kWait4 = sys::nr("wait4");
constexpr u32 kORdOnly = 0, kOWrOnly = 1, kORdWr = 2, kOCreat = 0100, kOPath = 010000000;
constexpr u32 kR = kProtRead, kRW = kProtRead | kProtWrite;

struct Program {
    u32 memory = scratch(8 * kPage);
    u32 name = memory, buffer = memory + kPage;

    i32 open(const std::string& path, u32 flags)
    {
        poke_string(name, path);
        return call(kOpen, name, flags, 0644);
    }
    i32 map(u32 length, u32 prot, u32 flags, i32 fd, u32 page_offset = 0, u32 address = 0)
    {
        return call(kSysMmap2, address, length, prot, flags, static_cast<u32>(fd), page_offset);
    }
    void pwrite(i32 fd, u64 offset, const std::string& text)
    {
        poke(buffer, text.data(), text.size());
        REQUIRE(call(kWrite, static_cast<u32>(fd), buffer, static_cast<u32>(text.size()), static_cast<u32>(offset),
                    static_cast<u32>(offset >> 32))
            == static_cast<i32>(text.size()));
    }
    std::string pread(i32 fd, u64 offset, u32 count)
    {
        i32 got = call(kRead, static_cast<u32>(fd), buffer, count, static_cast<u32>(offset), static_cast<u32>(offset >> 32));
        REQUIRE(got >= 0);
        std::string text(static_cast<usize>(got), '\0');
        if (got)
            REQUIRE_FALSE(raw::copy_from_user(text.data(), buffer, static_cast<usize>(got)).is_error());
        return text;
    }
    // A file of `pages` whole pages whose page i starts with "page i".
    i32 make_file(const std::string& path, u32 pages)
    {
        i32 fd = open(path, kOCreat | kORdWr);
        REQUIRE(fd >= 0);
        for (u32 i = 0; i < pages; ++i)
            pwrite(fd, u64 { i } * kPage, "page " + std::to_string(i));
        REQUIRE(call(kFtruncate, static_cast<u32>(fd), pages * kPage) == 0);
        return fd;
    }
    void remove(const std::string& path)
    {
        poke_string(name, path);
        CHECK(call(kUnlink, name) == 0);
    }
};

// A mapping's address, not an errno (addresses above 2 GiB are negative as i32).
bool mapped(i32 result) { return static_cast<u32>(result) < 0xFFFFF000u; }

std::string text_at(uptr address, usize length)
{
    std::string text(length, '\0');
    REQUIRE_FALSE(raw::copy_from_user(text.data(), address, length).is_error());
    return text;
}
void put_text(uptr address, const std::string& text) { poke(address, text.data(), text.size()); }

FileMapping& mapping_of(i32 fd)
{
    auto file = proc::current()->files->get(fd);
    REQUIRE_FALSE(file.is_error());
    FileMapping* mapping = file.value()->inode().file_mapping();
    REQUIRE(mapping);
    return *mapping;
}

AddressSpace& space() { return *proc::current()->space; }

} // namespace

TEST_CASE("MAP_SHARED of a file: writes through the mapping reach read(), write() reaches the mapping", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/shared", 3);
        i32 a = p.map(3 * kPage, kRW, kMapShared, fd);
        REQUIRE(mapped(a));
        uptr at = static_cast<u32>(a);
        CHECK(text_at(at, 6) == "page 0");
        CHECK(text_at(at + 2 * kPage, 6) == "page 2");
        put_text(at + kPage + 100, "through the mapping");
        CHECK(p.pread(fd, kPage + 100, 19) == "through the mapping");
        p.pwrite(fd, 2 * kPage + 8, "by write");
        CHECK(text_at(at + 2 * kPage + 8, 8) == "by write");

        // A second mapping of the same file at an offset sees the same pages.
        i32 b = p.map(kPage, kR, kMapShared, fd, 1);
        REQUIRE(mapped(b));
        CHECK(text_at(static_cast<u32>(b) + 100, 19) == "through the mapping");
        CHECK(mapping_of(fd).area_count() == 2);
        CHECK(space().invariant_violation() == nullptr);

        // The mappings outlive the descriptor and the name.
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/shared");
        CHECK(text_at(at, 6) == "page 0");
        CHECK(call(kMunmap, at, 3 * kPage) == 0);
        CHECK(call(kMunmap, static_cast<u32>(b), kPage) == 0);
    });
}

TEST_CASE("MAP_PRIVATE of a file: a write copies the page; untouched pages follow the file", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/private", 2);
        i32 a = p.map(2 * kPage, kRW, kMapPrivate, fd);
        REQUIRE(mapped(a));
        uptr at = static_cast<u32>(a);
        CHECK(text_at(at + kPage, 6) == "page 1");
        put_text(at, "mine");
        CHECK(p.pread(fd, 0, 6) == "page 0"); // the file is unchanged
        CHECK(text_at(at, 6) == "mine 0");

        // A fork shares the private copy, which keeps its bytes whatever the file does.
        auto forked = space().fork();
        REQUIRE_FALSE(forked.is_error());
        OwnPtr<AddressSpace> child = forked.release_value();
        p.pwrite(fd, 0, "FILE");
        p.pwrite(fd, kPage, "FILE");
        char seen[7] = {};
        REQUIRE(child->read_present(at, seen, 6) == 6);
        CHECK(std::string(seen) == "mine 0");
        CHECK(text_at(at, 6) == "mine 0");
        // The untouched page is still the file's: both see the change.
        CHECK(text_at(at + kPage, 6) == "FILE 1");
        REQUIRE(child->read_present(at + kPage, seen, 6) == 6);
        CHECK(std::string(seen) == "FILE 1");
        CHECK(child->invariant_violation() == nullptr);
        child.reset();

        // MADV_DONTNEED drops the private copy: the file's bytes come back.
        CHECK(call(kMadvise, at, kPage, kMadvDontNeed) == 0);
        CHECK(text_at(at, 6) == "FILE 0");
        CHECK(call(kMunmap, at, 2 * kPage) == 0);
        CHECK(mapping_of(fd).area_count() == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/private");
    });
}

TEST_CASE("A forked child writes a shared file mapping; the parent and the file see it", "[mmap][file][fork]")
{
    ProcessMachine m;
    Children children;
    uptr at = 0;
    children.programs.push_back([&] {
        put_text(at + 10, "from the child");
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        Program p;
        i32 fd = p.make_file("/forked", 1);
        i32 a = p.map(kPage, kRW, kMapShared, fd);
        REQUIRE(mapped(a));
        at = static_cast<u32>(a);
        i32 child = call(kFork);
        REQUIRE(child > 0);
        REQUIRE(call(kWait4, static_cast<u32>(child), 0, 0, 0) == child);
        CHECK(text_at(at + 10, 14) == "from the child");
        CHECK(p.pread(fd, 10, 14) == "from the child");
        CHECK(mapping_of(fd).area_count() == 1); // the child's area went with it
        CHECK(call(kMunmap, at, kPage) == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/forked");
    });
}

TEST_CASE("Truncation under a mapping: pages past the end leave it, and touching them is a bus error", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/cut", 4);
        i32 shared = p.map(4 * kPage, kRW, kMapShared, fd);
        i32 priv = p.map(4 * kPage, kRW, kMapPrivate, fd);
        REQUIRE(mapped(shared));
        REQUIRE(mapped(priv));
        uptr s = static_cast<u32>(shared), q = static_cast<u32>(priv);
        for (u32 i = 0; i < 4; ++i) {
            CHECK(text_at(s + i * kPage, 6) == "page " + std::to_string(i));
            put_text(q + i * kPage, "copy"); // private copies of every page
        }
        usize resident = space().resident_pages();

        REQUIRE(call(kFtruncate, static_cast<u32>(fd), kPage + 10) == 0);
        // Pages 2 and 3 are gone from both mappings, private copies included (as Linux's truncate).
        CHECK(space().resident_pages() == resident - 4);
        CHECK(space().handle_fault(s + 2 * kPage, { false, false }).error() == Errno::NXIO);
        CHECK(space().handle_fault(q + 3 * kPage, { true, false }).error() == Errno::NXIO);
        u8 byte;
        CHECK(raw::copy_from_user(&byte, s + 3 * kPage, 1).error() == Errno::FAULT);
        // The page the end falls in stays, zero past the end.
        CHECK(text_at(s + kPage, 6) == "page 1");
        CHECK(peek<u8>(s + kPage + 10) == 0);
        put_text(s + kPage + 20, "beyond"); // in the last page: allowed, and not part of the file
        CHECK(p.pread(fd, 0, 4 * kPage).size() == kPage + 10);

        // Growing the file again brings zeros, not the old bytes.
        REQUIRE(call(kFtruncate, static_cast<u32>(fd), 4 * kPage) == 0);
        CHECK(peek<u32>(s + 3 * kPage) == 0);
        CHECK(peek<u32>(q + 2 * kPage) == 0);
        CHECK(space().invariant_violation() == nullptr);

        CHECK(call(kMunmap, s, 4 * kPage) == 0);
        CHECK(call(kMunmap, q, 4 * kPage) == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/cut");
    });
}

TEST_CASE("A mapping may reach past the end of the file; that part is a bus error until the file grows", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/short", 1);
        i32 a = p.map(3 * kPage, kRW, kMapShared, fd);
        REQUIRE(mapped(a));
        uptr at = static_cast<u32>(a);
        CHECK(text_at(at, 6) == "page 0");
        CHECK(space().handle_fault(at + kPage, { false, false }).error() == Errno::NXIO);
        p.pwrite(fd, kPage, "grown");
        CHECK(text_at(at + kPage, 5) == "grown");
        CHECK(space().handle_fault(at + 2 * kPage, { true, false }).error() == Errno::NXIO);
        // An offset wholly past the end maps, and faults.
        i32 b = p.map(kPage, kR, kMapPrivate, fd, 100);
        REQUIRE(mapped(b));
        CHECK(space().handle_fault(static_cast<u32>(b), { false, false }).error() == Errno::NXIO);
        CHECK(call(kMunmap, at, 3 * kPage) == 0);
        CHECK(call(kMunmap, static_cast<u32>(b), kPage) == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/short");
    });
}

TEST_CASE("mmap of a file: the errno of each check, in Linux's order", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 rw = p.make_file("/checks", 1);
        i32 ro = p.open("/checks", kORdOnly);
        i32 wo = p.open("/checks", kOWrOnly);
        i32 path = p.open("/checks", kOPath);
        REQUIRE(ro >= 0);
        REQUIRE(wo >= 0);
        REQUIRE(path >= 0);
        poke_string(p.name, "/dir");
        REQUIRE(call(kMkdir, p.name, 0755) == 0);
        i32 dir = p.open("/dir", kORdOnly);
        REQUIRE(dir >= 0);

        CHECK(p.map(kPage, kR, kMapPrivate, 99) == err(Errno::BADF));
        CHECK(p.map(kPage, kR, kMapPrivate, -1) == err(Errno::BADF));
        CHECK(p.map(kPage, kR, kMapPrivate, path) == err(Errno::BADF));
        CHECK(p.map(0, kR, kMapPrivate, rw) == err(Errno::INVAL)); // a bad descriptor comes first, a length next
        CHECK(p.map(kPage, kR, kMapPrivate, wo) == err(Errno::ACCES));
        CHECK(p.map(kPage, kRW, kMapShared, ro) == err(Errno::ACCES));
        CHECK(p.map(kPage, kRW, kMapShared, wo) == err(Errno::ACCES)); // writable, but not readable
        CHECK(p.map(kPage, kR, 0, rw) == err(Errno::INVAL));
        CHECK(p.map(kPage, kR, kMapSharedValidate | kMapSync, rw) == err(Errno::OPNOTSUPP));
        CHECK(mapped(p.map(kPage, kR, kMapShared | kMapSync, rw))); // plain MAP_SHARED ignores it
        CHECK(p.map(kPage, kR, kMapPrivate | kMapGrowsDown, rw) == err(Errno::INVAL));
        CHECK(p.map(kPage, kR, kMapPrivate, dir) == err(Errno::NODEV));
        CHECK(p.map(kPage, kRW, kMapShared, dir) == err(Errno::ACCES)); // a directory is not open for writing

        // What the open granted bounds mprotect: a shared read-only mapping cannot become writable, a private
        // one can.
        i32 shared_ro = p.map(kPage, kR, kMapShared, ro);
        REQUIRE(mapped(shared_ro));
        CHECK(call(kMprotect, static_cast<u32>(shared_ro), kPage, kRW) == err(Errno::ACCES));
        CHECK(call(kMprotect, static_cast<u32>(shared_ro), kPage, kR | kProtExec) == 0);
        i32 private_ro = p.map(kPage, kR, kMapPrivate, ro);
        REQUIRE(mapped(private_ro));
        CHECK(call(kMprotect, static_cast<u32>(private_ro), kPage, kRW) == 0);
        put_text(static_cast<u32>(private_ro), "ok");
        CHECK(p.pread(rw, 0, 6) == "page 0");
        i32 validate = p.map(kPage, kRW, kMapSharedValidate, rw);
        CHECK(mapped(validate));

        for (i32 fd : { rw, ro, wo, path, dir })
            CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/checks");
        poke_string(p.name, "/dir");
        CHECK(call(kRmdir, p.name) == 0);
        // The mappings left hold the file until the program's exit takes them; run_program checks the pages.
    });
}

TEST_CASE("mincore reports a file's cached pages; MADV_REMOVE punches a hole every mapping sees", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/holes", 3);
        i32 a = p.map(3 * kPage, kRW, kMapShared, fd);
        i32 b = p.map(3 * kPage, kR, kMapShared, fd);
        REQUIRE(mapped(a));
        REQUIRE(mapped(b));
        uptr at = static_cast<u32>(a), other = static_cast<u32>(b);
        // Nothing touched yet, but all three pages are in the cache.
        REQUIRE(call(kMincore, at, 3 * kPage, p.buffer) == 0);
        CHECK(peek<u8>(p.buffer) == 1);
        CHECK(peek<u8>(p.buffer + 2) == 1);
        CHECK(text_at(other + kPage, 6) == "page 1");

        CHECK(call(kMadvise, other, kPage, kMadvRemove) == err(Errno::ACCES)); // not writable
        CHECK(call(kMadvise, at + kPage, kPage, kMadvRemove) == 0);
        CHECK(peek<u32>(other + kPage) == 0);
        CHECK(peek<u32>(at + kPage) == 0);
        CHECK(p.pread(fd, kPage, 6) == std::string(6, '\0'));
        CHECK(text_at(at + 2 * kPage, 6) == "page 2");
        CHECK(call(kMadvise, at, kPage, kMadvFree) == err(Errno::INVAL)); // only for anonymous memory

        // msync: flags and ranges as Linux checks them; a tmpfs file has nothing to write back.
        CHECK(call(kMsync, at, 3 * kPage, kMsSync) == 0);
        CHECK(call(kMsync, at, kPage, kMsAsync | kMsInvalidate) == 0);
        CHECK(call(kMsync, at, kPage, kMsAsync | kMsSync) == err(Errno::INVAL));
        CHECK(call(kMsync, at, kPage, 8) == err(Errno::INVAL));
        CHECK(call(kMsync, at + 1, kPage, kMsSync) == err(Errno::INVAL));
        CHECK(call(kMsync, at, 0, kMsSync) == 0);
        CHECK(call(kMsync, 0x10000, kPage, kMsSync) == err(Errno::NOMEM));

        CHECK(call(kMunmap, at, 3 * kPage) == 0);
        CHECK(call(kMunmap, other, 3 * kPage) == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/holes");
    });
}

TEST_CASE("A punched hole leaves private copies of its pages, as Linux's shmem; truncation takes them", "[mmap][file]")
{
    ProcessMachine m;
    run_program(m, [] {
        Program p;
        i32 fd = p.make_file("/cows", 2);
        i32 shared = p.map(2 * kPage, kRW, kMapShared, fd);
        i32 own = p.map(2 * kPage, kRW, kMapPrivate, fd);
        REQUIRE(mapped(shared));
        REQUIRE(mapped(own));
        uptr s = static_cast<u32>(shared), o = static_cast<u32>(own);
        put_text(o, "copy"); // page 0 copied; page 1 read, so it maps the file's page
        CHECK(text_at(o + kPage, 6) == "page 1");

        CHECK(call(kMadvise, s, 2 * kPage, kMadvRemove) == 0);
        CHECK(text_at(o, 6) == "copy 0");                   // the copy stays
        CHECK(text_at(o + kPage, 6) == std::string(6, '\0')); // the file's page is a hole now
        CHECK(space().invariant_violation() == nullptr);

        p.pwrite(fd, 0, "again");
        REQUIRE(call(kFtruncate, static_cast<u32>(fd), 0) == 0); // truncation drops the copy too
        REQUIRE(call(kFtruncate, static_cast<u32>(fd), 2 * kPage) == 0);
        CHECK(text_at(o, 6) == std::string(6, '\0'));
        CHECK(space().invariant_violation() == nullptr);

        CHECK(call(kMunmap, s, 2 * kPage) == 0);
        CHECK(call(kMunmap, o, 2 * kPage) == 0);
        CHECK(mapping_of(fd).area_count() == 0);
        CHECK(call(kClose, static_cast<u32>(fd)) == 0);
        p.remove("/cows");
    });
}
