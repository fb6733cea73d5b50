// The memory system calls through the table (mmap2, old mmap, munmap, mprotect, brk, mremap, madvise,
// mincore): each call is made by a simulated program, and the same call is made on the mm layer over a fork of
// the address space taken just before it; the value in eax and the areas afterwards must agree.
#include <catch2/catch_test_macros.hpp>
#include <tuple>
#include <vector>

#include "../proc/process_machine.hpp"
#include "mm/mmap.hpp"
#include "syscall/handlers.hpp"
#include "syscall/invoke.hpp"

using namespace proc_test;
using namespace mm;

namespace {

constexpr u32 kRW = kProtRead | kProtWrite, kAnon = kMapPrivate | kMapAnonymous, kNoFd = 0xFFFFFFFF;

AddressSpace& space() { return *proc::current()->space; }

using AreaShape = std::tuple<uptr, uptr, u32, u32>;
std::vector<AreaShape> shape(const AddressSpace& s)
{
    std::vector<AreaShape> out;
    for (const VmArea& area : s.areas())
        out.emplace_back(area.start, area.end, area.prot, area.flags);
    return out;
}

// Makes system call `number` and runs `mm_call` on a fork of the space from just before; both must agree on
// the result and leave the same areas and break. Returns the system call's result.
template<typename MmCall>
i32 agree(MmCall mm_call, u32 number, u32 a = 0, u32 b = 0, u32 c = 0, u32 d = 0, u32 e = 0, u32 f = 0)
{
    auto forked = space().fork();
    REQUIRE_FALSE(forked.is_error());
    OwnPtr<AddressSpace> shadow = forked.release_value();
    i32 expected = mm_call(*shadow);
    i32 got = call(number, a, b, c, d, e, f);
    CAPTURE(number, a, b, c, d, e);
    CHECK(got == expected);
    CHECK(shape(space()) == shape(*shadow));
    CHECK(space().current_break() == shadow->current_break());
    CHECK(space().invariant_violation() == nullptr);
    return got;
}

i32 mmap2(u32 address, u32 length, u32 prot, u32 flags, u32 page_offset = 0)
{
    return agree([&](AddressSpace& s) { return sys::to_register(do_mmap(s, address, length, prot, flags, page_offset)); },
        kSysMmap2, address, length, prot, flags, kNoFd, page_offset);
}
i32 munmap(u32 address, u32 length)
{
    return agree([&](AddressSpace& s) { return sys::to_register(do_munmap(s, address, length)); }, kSysMunmap, address, length);
}
i32 mprotect(u32 address, u32 length, u32 prot)
{
    return agree([&](AddressSpace& s) { return sys::to_register(do_mprotect(s, address, length, prot)); }, kSysMprotect,
        address, length, prot);
}
i32 brk(u32 address)
{
    return agree([&](AddressSpace& s) { return static_cast<i32>(do_brk(s, address)); }, kSysBrk, address);
}
i32 mremap(u32 old_address, u32 old_length, u32 new_length, u32 flags, u32 new_address = 0)
{
    return agree([&](AddressSpace& s) {
        return sys::to_register(do_mremap(s, old_address, old_length, new_length, flags, new_address));
    },
        kSysMremap, old_address, old_length, new_length, flags, new_address);
}
i32 madvise(u32 address, u32 length, u32 advice)
{
    return agree([&](AddressSpace& s) { return sys::to_register(do_madvise(s, address, length, advice)); }, kSysMadvise,
        address, length, advice);
}

u8 read_byte(uptr address) { return peek<u8>(address); }
bool can_write(uptr address)
{
    u8 byte = 0x5A;
    return !mm::raw::copy_to_user(address, &byte, 1).is_error();
}

} // namespace

TEST_CASE("mmap2 through the table: placement and every errno as the mm layer gives them")
{
    ProcessMachine m;
    run_program(m, [] {
        i32 a = mmap2(0, 3 * kPage, kRW, kAnon);
        CHECK(static_cast<u32>(a) % kPage == 0);
        CHECK(static_cast<u32>(a) + 3 * kPage <= AddressSpace::kMmapTop);
        poke(static_cast<u32>(a) + 5000, u32 { 99 });
        CHECK(mmap2(0x20000000, kPage, kRW, kAnon | kMapFixed) == 0x20000000);
        CHECK(mmap2(0x20000000, kPage, kProtRead, kAnon) != 0x20000000); // a taken hint: elsewhere
        CHECK(mmap2(0x30000000, 2 * kPage, kRW, kAnon | kMapFixed | kMapPopulate) == 0x30000000);
        CHECK(space().resident_pages() > 0);

        CHECK(mmap2(0, 0, kRW, kAnon) == err(Errno::INVAL));
        CHECK(mmap2(0, kPage, kRW, kMapPrivate) == err(Errno::BADF));
        CHECK(mmap2(0, kPage, kRW, kMapAnonymous) == err(Errno::INVAL));
        CHECK(mmap2(0, kPage, kRW, kAnon | kMapFixed) == err(Errno::PERM));
        CHECK(mmap2(0x20000800, kPage, kRW, kAnon | kMapFixed) == err(Errno::INVAL));
        CHECK(mmap2(0x20000000, kPage, kRW, kAnon | kMapFixedNoReplace) == err(Errno::EXIST));
        CHECK(mmap2(0, 0xFFFFF001, kRW, kAnon) == err(Errno::NOMEM));
        CHECK(mmap2(0xBFFFF000, 2 * kPage, kRW, kAnon | kMapFixed) == err(Errno::NOMEM));
        CHECK(mmap2(0, kPage, kRW, kAnon | kMapHugeTlb) == err(Errno::NOMEM));
        // Over the program's own text with MAP_FIXED: replaced, as Linux does.
        CHECK(mmap2(kExecBase, kPage, kRW, kAnon | kMapFixed) == static_cast<i32>(kExecBase));
        CHECK(read_byte(kExecBase) == 0);
    });
}

TEST_CASE("old mmap (90) reads its arguments from a struct in user memory")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr at = static_cast<u32>(mmap2(0, kPage, kRW, kAnon));
        auto old_mmap = [&](const sys::MmapArgs& args) {
            poke(at, args);
            return agree([&](AddressSpace& s) {
                return sys::to_register(do_mmap(s, args.address, args.length, args.prot, args.flags, args.offset / kPage));
            },
                kSysOldMmap, at);
        };
        i32 a = old_mmap({ 0, 2 * kPage, kRW, kAnon, kNoFd, 0 });
        CHECK(static_cast<u32>(a) % kPage == 0);
        CHECK(can_write(static_cast<u32>(a) + 2 * kPage - 1));
        CHECK(old_mmap({ 0x40000000, kPage, kProtRead, kAnon | kMapFixed, kNoFd, 0 }) == 0x40000000);
        i32 with_offset = old_mmap({ 0, kPage, kRW, kAnon, kNoFd, 2 * kPage }); // ignored for anonymous memory
        CHECK(static_cast<u32>(with_offset) % kPage == 0);
        CHECK(static_cast<u32>(with_offset) < AddressSpace::kMmapTop);
        CHECK(old_mmap({ 0, 0, kRW, kAnon, kNoFd, 0 }) == err(Errno::INVAL));
        CHECK(old_mmap({ 0, kPage, kRW, kMapPrivate, 3, 0 }) == err(Errno::BADF));

        // An offset that is not a whole number of pages: EINVAL before anything else.
        for (u32 offset : { 1u, 0x123u, 0xFFFu, 0x1001u, 0xFFFFFFFFu }) {
            poke(at, sys::MmapArgs { 0, kPage, kRW, kAnon, kNoFd, offset });
            CHECK(call(kSysOldMmap, at) == err(Errno::INVAL));
        }
        // The struct unreadable.
        CHECK(call(kSysOldMmap, 0) == err(Errno::FAULT));
        CHECK(call(kSysOldMmap, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kSysOldMmap, at + kPage - 12) == err(Errno::FAULT)); // runs off its page
    });
}

TEST_CASE("munmap and mprotect through the table")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr a = static_cast<u32>(mmap2(0, 4 * kPage, kRW, kAnon));
        for (u32 i = 0; i < 4; ++i)
            poke(a + i * kPage, static_cast<u8>(i + 1));
        CHECK(munmap(a + kPage, kPage) == 0);
        CHECK_FALSE(can_write(a + kPage));
        CHECK(read_byte(a + 2 * kPage) == 3);
        CHECK(munmap(a + 1, kPage) == err(Errno::INVAL));
        CHECK(munmap(a, 0) == err(Errno::INVAL));
        CHECK(munmap(0xBFFFF000, 2 * kPage) == err(Errno::INVAL));
        CHECK(munmap(0x50000000, kPage) == 0); // nothing there: fine

        CHECK(mprotect(a + 2 * kPage, kPage, kProtRead) == 0);
        CHECK_FALSE(can_write(a + 2 * kPage));
        CHECK(read_byte(a + 2 * kPage) == 3);
        CHECK(can_write(a + 3 * kPage));
        CHECK(mprotect(a + 2 * kPage, kPage, kProtNone) == 0);
        u8 byte;
        CHECK(mm::raw::copy_from_user(&byte, a + 2 * kPage, 1).error() == Errno::FAULT);
        CHECK(mprotect(a + 2 * kPage, kPage, kRW) == 0);
        CHECK(read_byte(a + 2 * kPage) == 3); // contents kept across PROT_NONE
        CHECK(mprotect(a, 2 * kPage, kProtRead) == err(Errno::NOMEM)); // runs into the hole
        CHECK(mprotect(a + 1, kPage, kProtRead) == err(Errno::INVAL));
        CHECK(mprotect(a, kPage, 0x10) == err(Errno::INVAL));
        CHECK(mprotect(a, kPage, kRW | kProtGrowsUp) == err(Errno::INVAL));
        CHECK(mprotect(0x50000000, kPage, kProtRead) == err(Errno::NOMEM));
        // The program's text made writable, as a JIT or a debugger would.
        CHECK(mprotect(kExecBase, kPage, kRW | kProtExec) == 0);
        CHECK(can_write(kExecBase));
    });
}

TEST_CASE("brk through the table: grows, shrinks, and refuses what it cannot do by returning the old break")
{
    ProcessMachine m;
    run_program(m, [] {
        CHECK(static_cast<u32>(brk(0)) == kBreakStart);
        CHECK(static_cast<u32>(brk(kBreakStart + 0x5000)) == kBreakStart + 0x5000);
        poke(kBreakStart + 0x4FFF, u8 { 7 });
        CHECK(static_cast<u32>(brk(kBreakStart + 0x5123)) == kBreakStart + 0x5123);
        CHECK(static_cast<u32>(brk(kBreakStart + 0x1000)) == kBreakStart + 0x1000);
        CHECK_FALSE(can_write(kBreakStart + 0x1000));
        CHECK(static_cast<u32>(brk(kBreakStart - 1)) == kBreakStart + 0x1000);  // below the start
        CHECK(static_cast<u32>(brk(0xC0001000)) == kBreakStart + 0x1000);       // into the kernel
        CHECK(static_cast<u32>(brk(0xBFFF0000)) == kBreakStart + 0x1000);       // into the stack
        // Up to a mapping, less the guard page.
        CHECK(mmap2(kBreakStart + 0x10000, kPage, kRW, kAnon | kMapFixed) == static_cast<i32>(kBreakStart + 0x10000));
        CHECK(static_cast<u32>(brk(kBreakStart + 0x10000)) == kBreakStart + 0x1000);
        CHECK(static_cast<u32>(brk(kBreakStart + 0xF000)) == kBreakStart + 0xF000);
        CHECK(static_cast<u32>(brk(kBreakStart)) == kBreakStart);
    });
}

TEST_CASE("mremap through the table: in place, moved, and its errnos")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr a = static_cast<u32>(mmap2(0x20000000, 2 * kPage, kRW, kAnon | kMapFixed));
        poke(a, u32 { 0x11223344 });
        CHECK(mremap(a, 2 * kPage, 4 * kPage, 0) == static_cast<i32>(a)); // room after it: grows in place
        CHECK(can_write(a + 4 * kPage - 1));
        CHECK(mmap2(a + 4 * kPage, kPage, kRW, kAnon | kMapFixed) == static_cast<i32>(a + 4 * kPage));
        CHECK(mremap(a, 4 * kPage, 8 * kPage, 0) == err(Errno::NOMEM)); // blocked, may not move
        i32 moved = mremap(a, 4 * kPage, 8 * kPage, kMremapMayMove);
        CHECK(moved != static_cast<i32>(a));
        CHECK(peek<u32>(static_cast<u32>(moved)) == 0x11223344);
        CHECK(mremap(static_cast<u32>(moved), 8 * kPage, kPage, 0) == moved); // shrinks
        CHECK(mremap(static_cast<u32>(moved), kPage, kPage, kMremapMayMove | kMremapFixed, 0x30000000) == 0x30000000);
        CHECK(peek<u32>(0x30000000) == 0x11223344);

        CHECK(mremap(0x30000000, kPage, 2 * kPage, 8) == err(Errno::INVAL));             // unknown flag
        CHECK(mremap(0x30000001, kPage, 2 * kPage, kMremapMayMove) == err(Errno::INVAL)); // unaligned
        CHECK(mremap(0x30000000, kPage, 0, kMremapMayMove) == err(Errno::INVAL));        // to nothing
        CHECK(mremap(0x30000000, kPage, kPage, kMremapFixed, 0x31000000) == err(Errno::INVAL)); // FIXED alone
        CHECK(mremap(0x50000000, kPage, 2 * kPage, kMremapMayMove) == err(Errno::FAULT)); // nothing there
    });
}

TEST_CASE("madvise through the table: DONTNEED drops pages, unknown advice is EINVAL, holes ENOMEM")
{
    ProcessMachine m;
    run_program(m, [] {
        uptr a = static_cast<u32>(mmap2(0, 4 * kPage, kRW, kAnon));
        poke(a, u8 { 9 });
        poke(a + kPage, u8 { 9 });
        CHECK(madvise(a, 2 * kPage, kMadvDontNeed) == 0);
        CHECK(read_byte(a) == 0);
        CHECK(read_byte(a + kPage) == 0);
        CHECK(madvise(a, 4 * kPage, kMadvWillNeed) == 0);
        CHECK(madvise(a, 4 * kPage, kMadvPopulateWrite) == 0);
        CHECK(madvise(a, 4 * kPage, kMadvSequential) == 0);
        CHECK(madvise(a, 0, kMadvNormal) == 0);
        CHECK(madvise(a, kPage, 7) == err(Errno::INVAL));
        CHECK(madvise(a, kPage, kMadvHwPoison) == err(Errno::INVAL));
        CHECK(madvise(a, kPage, 0xFFFFFFFF) == err(Errno::INVAL)); // advice is an int: -1
        CHECK(madvise(a + 1, kPage, kMadvNormal) == err(Errno::INVAL));
        CHECK(madvise(a, 8 * kPage, kMadvNormal) == err(Errno::NOMEM));
        CHECK(madvise(0x50000000, kPage, kMadvDontNeed) == err(Errno::NOMEM));
        CHECK(madvise(a, kPage, kMadvRemove) == err(Errno::INVAL));
    });
}

TEST_CASE("mincore through the table: one byte per page, in chunks, the same as the mm layer")
{
    ProcessMachine m;
    run_program(m, [] {
        constexpr u32 kPages = 600; // more than one of the handler's 256-page chunks
        uptr a = static_cast<u32>(mmap2(0, kPages * kPage, kRW, kAnon));
        uptr vector = static_cast<u32>(mmap2(0, kPage, kRW, kAnon));
        for (u32 page : { 0u, 1u, 255u, 256u, 257u, 511u, 512u, 599u })
            poke(a + page * kPage, u8 { 1 });
        std::vector<u8> expected(kPages, 0xEE);
        REQUIRE_FALSE(do_mincore(space(), a, kPages * kPage, expected.data()).is_error());
        CHECK(call(kSysMincore, a, kPages * kPage, vector) == 0);
        std::vector<u8> got(kPages);
        REQUIRE_FALSE(mm::raw::copy_from_user(got.data(), vector, kPages).is_error());
        CHECK(got == expected);
        CHECK(got[255] == 1);
        CHECK(got[256] == 1);
        CHECK(got[258] == 0);
        // A length that is not a whole page counts the partial page.
        CHECK(call(kSysMincore, a + 599 * kPage, 1, vector) == 0);
        CHECK(peek<u8>(vector) == 1);
        CHECK(call(kSysMincore, a, 0, vector) == 0);

        CHECK(call(kSysMincore, a + 1, kPage, vector) == err(Errno::INVAL));
        CHECK(call(kSysMincore, 0x50000000, kPage, vector) == err(Errno::NOMEM));
        CHECK(call(kSysMincore, a, (kPages + 1) * kPage, vector) == err(Errno::NOMEM));
        CHECK(call(kSysMincore, a, 0xFFFFFFFF, vector) == err(Errno::NOMEM));
        CHECK(call(kSysMincore, a, kPage, 0xC0000000) == err(Errno::FAULT));
        CHECK(call(kSysMincore, a, kPage, kEntry) == err(Errno::FAULT)); // read-only text
        u8 mm_vector[1];
        CHECK(do_mincore(space(), a + 1, kPage, mm_vector).error() == Errno::INVAL);
        CHECK(do_mincore(space(), 0x50000000, kPage, mm_vector).error() == Errno::NOMEM);
    });
}
