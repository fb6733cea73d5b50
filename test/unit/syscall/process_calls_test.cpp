// Identity, uname and thread-local storage (set_thread_area / get_thread_area) through the system-call table,
// as musl's startup makes them, with what reaches the simulated CPU's GDT entries.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "kernel/main.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysGetuid16 = sys::nr("getuid"), kSysGetgid16 = sys::nr("getgid"), kSysGeteuid16 = sys::nr("geteuid"),
              kSysGetegid16 = sys::nr("getegid"), kSysGetgid32 = sys::nr("getgid32"),
              kSysGeteuid32 = sys::nr("geteuid32"), kSysGetegid32 = sys::nr("getegid32");

// What musl's __set_thread_area passes: a 4 GiB 32-bit data segment (seg_32bit, limit_in_pages, useable).
constexpr u32 kMuslFlags = 0x51;
constexpr u32 kAllocate = 0xFFFFFFFF;
// LDT_empty(): base and limit 0, read_exec_only and seg_not_present.
constexpr u32 kClearFlags = 8 | 32;

i32 set_thread_area(uptr at, const sys::UserDesc& desc)
{
    poke(at, desc);
    return call(kSysSetThreadArea, at);
}

sys::UserDesc get_thread_area(uptr at, u32 entry, i32 expected = 0)
{
    poke(at, sys::UserDesc { entry, 0xAAAAAAAA, 0xBBBBBBBB, 0xCCCCCCCC });
    CHECK(call(kSysGetThreadArea, at) == expected);
    return peek<sys::UserDesc>(at);
}

} // namespace

TEST_CASE("ids: pid 1, parent 0, root credentials, in every width")
{
    ProcessMachine m;
    run_program(m, [] {
        CHECK(call(kSysGetpid) == 1);
        CHECK(call(kSysGettid) == 1);
        CHECK(call(kSysGetppid) == 0);
        for (u32 number : { kSysGetuid16, kSysGetgid16, kSysGeteuid16, kSysGetegid16, kSysGetuid32, kSysGetgid32,
                 kSysGeteuid32, kSysGetegid32 })
            CHECK(call(number) == 0);
        CHECK(call(kSysSetTidAddress, 0x0804A100) == 1);
        CHECK(proc::current()->clear_child_tid == 0x0804A100);
    });
}

TEST_CASE("ids: the 16-bit calls report IDs above 65535 as the overflow ID")
{
    ProcessMachine m;
    run_program(m, [] {
        proc::current()->credentials.uid = 70000;
        proc::current()->credentials.egid = 65535;
        CHECK(call(kSysGetuid32) == 70000);
        CHECK(call(kSysGetuid16) == 65534);
        CHECK(call(kSysGetegid16) == 65535);
    });
}

TEST_CASE("uname: Linux-compatible fields, each NUL-terminated in its 65 bytes")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr buffer = scratch();
        std::vector<u8> junk(sizeof(sys::NewUtsname), 0xEE);
        poke(buffer, junk.data(), junk.size());
        CHECK(call(kSysUname, buffer) == 0);
        auto name = peek<sys::NewUtsname>(buffer);
        CHECK(std::string(name.sysname) == "Linux");
        CHECK(std::string(name.nodename) == "cadenza");
        CHECK(std::string(name.release) == "6.1.0-cadenza");
        CHECK(std::string(name.version) == std::string("#1 Cadenza ") + kKernelVersion);
        CHECK(std::string(name.machine) == "i686");
        CHECK(std::string(name.domainname) == "(none)");
        // Zero-filled after each string: no kernel stack bytes leak to the program.
        for (const char* field :
            { name.sysname, name.nodename, name.release, name.version, name.machine, name.domainname })
            for (usize i = std::string(field).size(); i < 65; ++i)
                CHECK(field[i] == 0);

        CHECK(call(kSysUname, 0) == err(Errno::FAULT));
        CHECK(call(kSysUname, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kSysUname, buffer + 4 * kPage - 100) == err(Errno::FAULT)); // runs off the mapping
        CHECK(call(kSysUname, kEntry) == err(Errno::FAULT)); // read-only text
    });
}

TEST_CASE("prctl PR_CAPBSET_READ: every capability Linux 6.1 knows is in the bounding set, none past it")
{
    ProcessMachine m;
    run_program(m, [] {
        constexpr u32 kPrctl = sys::nr("prctl"), kCapbsetRead = 23;
        CHECK(call(kPrctl, kCapbsetRead, 0) == 1);
        CHECK(call(kPrctl, kCapbsetRead, 40) == 1); // CAP_CHECKPOINT_RESTORE
        CHECK(call(kPrctl, kCapbsetRead, 41) == err(Errno::INVAL)); // how libcap finds the last one
        CHECK(call(kPrctl, kCapbsetRead, 0xFFFFFFFF) == err(Errno::INVAL));
    });
}

TEST_CASE("set_thread_area: entry -1 takes the free TLS entries 6, 7 and 8 in turn, then ESRCH")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        CHECK(set_thread_area(at, { kAllocate, 0x0804C000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 6); // written back for the program's %gs
        CHECK(peek<sys::UserDesc>(at).base_addr == 0x0804C000);

        arch::TlsDescriptor loaded = sim::loaded_tls(6);
        CHECK(loaded.base == 0x0804C000);
        CHECK(loaded.limit == 0xFFFFF);
        CHECK(loaded.seg_32bit);
        CHECK(loaded.limit_in_pages);
        CHECK(loaded.useable);
        CHECK_FALSE(loaded.read_exec_only);
        CHECK_FALSE(loaded.seg_not_present);
        CHECK(loaded.contents == 0);

        CHECK(set_thread_area(at, { kAllocate, 0x1000, 0x10, 1 }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 7);
        CHECK(sim::loaded_tls(7).base == 0x1000);
        CHECK(sim::loaded_tls(7).limit == 0x10);
        CHECK_FALSE(sim::loaded_tls(7).limit_in_pages);
        CHECK(set_thread_area(at, { kAllocate, 0x2000, 0x20, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 8);
        CHECK(sim::loaded_tls(8).base == 0x2000);

        CHECK(set_thread_area(at, { kAllocate, 0x3000, 0x30, kMuslFlags }) == err(Errno::SRCH));
        CHECK(peek<sys::UserDesc>(at).entry_number == kAllocate); // nothing written back
        CHECK(sim::loaded_tls(6).base == 0x0804C000); // and nothing replaced

        // get_thread_area returns each as it was set.
        auto six = get_thread_area(at, 6);
        CHECK(six.entry_number == 6);
        CHECK(six.base_addr == 0x0804C000);
        CHECK(six.limit == 0xFFFFF);
        CHECK(six.flags == kMuslFlags);
        auto seven = get_thread_area(at, 7);
        CHECK(seven.base_addr == 0x1000);
        CHECK(seven.limit == 0x10);
        CHECK(seven.flags == 1);
    });
}

TEST_CASE("set_thread_area: an explicit entry is replaced or cleared, and a cleared entry is free again")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        CHECK(set_thread_area(at, { 7, 0x5000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(sim::loaded_tls(7).base == 0x5000);
        CHECK(set_thread_area(at, { kAllocate, 0x6000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 6); // the first free one
        CHECK(set_thread_area(at, { 7, 0x7000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(sim::loaded_tls(7).base == 0x7000);

        // Clearing: the CPU entry becomes the empty descriptor, and get_thread_area reports it empty.
        CHECK(set_thread_area(at, { 6, 0, 0, kClearFlags }) == 0);
        CHECK(sim::loaded_tls(6).base == 0);
        CHECK(sim::loaded_tls(6).seg_not_present);
        CHECK(sim::loaded_tls(6).read_exec_only);
        auto cleared = get_thread_area(at, 6);
        CHECK(cleared.entry_number == 6);
        CHECK(cleared.base_addr == 0);
        CHECK(cleared.limit == 0);
        CHECK(cleared.flags == kClearFlags);
        CHECK(set_thread_area(at, { kAllocate, 0x8000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 6);
        // An entry never set reads as empty.
        CHECK(get_thread_area(at, 8).flags == kClearFlags);
    });
}

TEST_CASE("set_thread_area and get_thread_area: EINVAL for a non-TLS entry or a descriptor TLS may not use")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        for (u32 entry : { 0u, 3u, 5u, 9u, 12u, 0xFFFFFFFEu }) {
            CAPTURE(entry);
            CHECK(set_thread_area(at, { entry, 0x1000, 0xFFFFF, kMuslFlags }) == err(Errno::INVAL));
            get_thread_area(at, entry, err(Errno::INVAL));
        }
        // Only 32-bit data segments: not a 16-bit segment, not code (contents 2 and 3).
        CHECK(set_thread_area(at, { 6, 0x1000, 0xFFFFF, kMuslFlags & ~1u }) == err(Errno::INVAL));
        CHECK(set_thread_area(at, { 6, 0x1000, 0xFFFFF, kMuslFlags | 2u << 1 }) == err(Errno::INVAL));
        CHECK(set_thread_area(at, { 6, 0x1000, 0xFFFFF, kMuslFlags | 3u << 1 }) == err(Errno::INVAL));
        // Not present but not the empty descriptor either (Linux 4.6+ refuses these).
        CHECK(set_thread_area(at, { 6, 0x1000, 0xFFFFF, kMuslFlags | 32u }) == err(Errno::INVAL));
        CHECK(set_thread_area(at, { 6, 0, 0, 1 | 32u }) == err(Errno::INVAL));
        CHECK(set_thread_area(at, { 6, 0x1000, 0xFFFFF, kMuslFlags | 1u << 1 }) == 0); // expand-down data is fine
        CHECK(sim::loaded_tls(6).contents == 1);
        // A failed allocation takes no entry.
        CHECK(set_thread_area(at, { kAllocate, 0x1000, 0xFFFFF, kMuslFlags & ~1u }) == err(Errno::INVAL));
        CHECK(set_thread_area(at, { kAllocate, 0x1000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 7);
    });
}

TEST_CASE("set_thread_area and get_thread_area: bad pointers are EFAULT and take no entry")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = scratch();
        CHECK(call(kSysSetThreadArea, 0) == err(Errno::FAULT));
        CHECK(call(kSysSetThreadArea, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kSysGetThreadArea, 0xBFFFFFF8) == err(Errno::FAULT));
        // Readable but not writable: entry -1 cannot be written back, so nothing may be allocated.
        poke(at, sys::UserDesc { kAllocate, 0x1000, 0xFFFFF, kMuslFlags });
        poke(at + kPage, sys::UserDesc { 6, 0, 0, 0 });
        REQUIRE(call(kSysMprotect, at, 2 * kPage, 1 /* PROT_READ */) == 0);
        CHECK(call(kSysSetThreadArea, at) == err(Errno::FAULT));
        CHECK(call(kSysGetThreadArea, at + kPage) == err(Errno::FAULT)); // cannot write the answer
        REQUIRE(call(kSysMprotect, at, 2 * kPage, 3) == 0);
        CHECK(set_thread_area(at, { kAllocate, 0x1000, 0xFFFFF, kMuslFlags }) == 0);
        CHECK(peek<sys::UserDesc>(at).entry_number == 6);
    });
}
