// mmap, munmap, mprotect and brk with Linux's semantics, on a simulated address space.
#include <catch2/catch_test_macros.hpp>

#include "arch/memory.hpp"
#include "user_space.hpp"

using namespace mm;
constexpr uptr kPage = arch::kPageBytes;

TEST_CASE("An anonymous mapping is placed top-down, page-aligned, and filled on first touch")
{
    UserSpace u;
    uptr a = u.map(3 * kPage);
    uptr b = u.map(kPage);
    CHECK(a % kPage == 0);
    CHECK(a + 3 * kPage <= AddressSpace::kMmapTop);
    CHECK(b + kPage <= a); // the second below the first
    CHECK(u.space->resident_pages() == 0);
    CHECK(u.read(a + 5000) == 0); // demand-zero
    CHECK(u.space->resident_pages() == 1);
    u.write(a + 5000, 42);
    CHECK(u.read(a + 5000) == 42);
    CHECK(u.read(a + 2 * kPage) == 0);
    CHECK(u.space->resident_pages() == 2);
    u.check();
}

TEST_CASE("mmap rejects what Linux rejects, with Linux's errno")
{
    UserSpace u;
    u32 rw = kProtRead | kProtWrite, anon = kMapPrivate | kMapAnonymous;
    CHECK(do_mmap(*u.space, 0, 0, rw, anon).error() == Errno::INVAL);
    CHECK(do_mmap(*u.space, 0, kPage, rw, kMapPrivate).error() == Errno::BADF);
    CHECK(do_mmap(*u.space, 0, kPage, rw, kMapAnonymous).error() == Errno::INVAL); // neither shared nor private
    CHECK(do_mmap(*u.space, 0, kPage, rw, kMapSharedValidate | kMapAnonymous).error() == Errno::INVAL);
    CHECK(do_mmap(*u.space, 0, kPage, rw, kMapShared | kMapAnonymous | kMapGrowsDown).error() == Errno::INVAL);
    CHECK(do_mmap(*u.space, 0, 0xFFFFF001, rw, anon).error() == Errno::NOMEM); // rounds past 4 GiB
    CHECK(do_mmap(*u.space, 0, 0xC0000000, rw, anon).error() == Errno::NOMEM); // bigger than user space
    CHECK(do_mmap(*u.space, 0x10001000, kPage, rw, anon | kMapFixed | 0).value() == 0x10001000);
    CHECK(do_mmap(*u.space, 0x10000800, kPage, rw, anon | kMapFixed).error() == Errno::INVAL);
    CHECK(do_mmap(*u.space, 0xBFFFF000, 2 * kPage, rw, anon | kMapFixed).error() == Errno::NOMEM);
    CHECK(do_mmap(*u.space, 0, kPage, rw, anon | kMapFixed).error() == Errno::PERM);
    CHECK(do_mmap(*u.space, 0x10001000, kPage, rw, anon | kMapFixedNoReplace).error() == Errno::EXIST);
    CHECK(do_mmap(*u.space, 0, kPage, rw, anon | kMapHugeTlb).error() == Errno::NOMEM);
    CHECK(do_mmap(*u.space, 0, kPage, rw, anon, 0xFFFFFFFFFFFFFFFFull).error() == Errno::OVERFLOW);
    u.check();
}

TEST_CASE("A hint is used when free, and MAP_FIXED replaces what was there")
{
    UserSpace u;
    uptr a = u.map(2 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, 0x20000000);
    CHECK(a == 0x20000000);
    u.write(a, 7);
    uptr b = u.map(kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, 0x20000000); // taken: elsewhere
    CHECK(b != a);
    uptr c = u.map(kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous | kMapFixed, a);
    CHECK(c == a);
    CHECK(u.read(a) == 0); // the old page is gone
    CHECK(u.space->resident_pages() == 1);
    CHECK(u.area_count() == 2); // [a, a+1) fixed and [a+1, a+2) left over merge: same kind
    u.check();
}

TEST_CASE("munmap splits areas, frees their pages and leaves a hole that faults")
{
    UserSpace u;
    uptr a = u.map(4 * kPage);
    for (uptr i = 0; i < 4; ++i)
        u.write(a + i * kPage, static_cast<u8>(i + 1));
    usize free_before = page_allocator().free_pages();
    REQUIRE_FALSE(do_munmap(*u.space, a + kPage, 2 * kPage).is_error());
    CHECK(page_allocator().free_pages() == free_before + 2);
    CHECK(u.area_count() == 2);
    CHECK(u.read(a) == 1);
    CHECK(u.read(a + 3 * kPage) == 4);
    CHECK_FALSE(u.can_read(a + kPage));
    CHECK_FALSE(u.can_write(a + 2 * kPage));
    CHECK(do_munmap(*u.space, a + 1, kPage).error() == Errno::INVAL);
    CHECK(do_munmap(*u.space, a, 0).error() == Errno::INVAL);
    CHECK(do_munmap(*u.space, 0xBFFFF000, 2 * kPage).error() == Errno::INVAL);
    CHECK_FALSE(do_munmap(*u.space, 0x30000000, 10 * kPage).is_error()); // nothing there: fine
    u.check();
}

TEST_CASE("mprotect changes access, splits and merges areas, and keeps contents across PROT_NONE")
{
    UserSpace u;
    uptr a = u.map(3 * kPage);
    u.write(a + kPage, 9);
    REQUIRE_FALSE(do_mprotect(*u.space, a + kPage, kPage, kProtRead).is_error());
    CHECK(u.area_count() == 3);
    CHECK(u.read(a + kPage) == 9);
    CHECK_FALSE(u.can_write(a + kPage));
    CHECK(u.can_write(a));
    REQUIRE_FALSE(do_mprotect(*u.space, a + kPage, kPage, kProtNone).is_error());
    CHECK_FALSE(u.can_read(a + kPage)); // not even the kernel reads a PROT_NONE page
    REQUIRE_FALSE(do_mprotect(*u.space, a + kPage, kPage, kProtRead | kProtWrite).is_error());
    CHECK(u.read(a + kPage) == 9);
    CHECK(u.area_count() == 1); // merged back
    u.check();
}

TEST_CASE("mprotect errors follow Linux")
{
    UserSpace u;
    uptr a = u.map(2 * kPage);
    CHECK(do_mprotect(*u.space, a + 1, kPage, kProtRead).error() == Errno::INVAL);
    CHECK(do_mprotect(*u.space, a, kPage, 0x10).error() == Errno::INVAL);
    CHECK(do_mprotect(*u.space, a, kPage, kProtRead | kProtGrowsDown | kProtGrowsUp).error() == Errno::INVAL);
    CHECK(do_mprotect(*u.space, a, 3 * kPage, kProtRead).error() == Errno::NOMEM); // runs past the mapping
    CHECK(do_mprotect(*u.space, a, kPage, kProtRead | kProtGrowsDown).error() == Errno::INVAL); // not a stack
    CHECK_FALSE(do_mprotect(*u.space, a, 0, kProtRead).is_error()); // empty: nothing to do
    CHECK(u.can_write(a)); // and nothing changed by the failures
    u.check();
}

TEST_CASE("brk grows and shrinks the heap and refuses what it cannot do")
{
    UserSpace u;
    u.space->set_break_start(0x08100000);
    CHECK(do_brk(*u.space, 0) == 0x08100000);
    CHECK(do_brk(*u.space, 0x08100010) == 0x08100010);
    u.write(0x0810000F, 3);
    CHECK(do_brk(*u.space, 0x08105000) == 0x08105000);
    u.write(0x08104FFF, 4);
    CHECK(u.read(0x0810000F) == 3);
    CHECK_FALSE(u.can_write(0x08105000));
    CHECK(do_brk(*u.space, 0x08100100) == 0x08100100); // shrink: pages above are gone
    CHECK_FALSE(u.can_read(0x08101000));
    CHECK(do_brk(*u.space, 0x08000000) == 0x08100100); // below the start: unchanged
    u.map(kPage, kProtRead, kMapPrivate | kMapAnonymous | kMapFixed, 0x08200000);
    CHECK(do_brk(*u.space, 0x08200000) == 0x08100100); // would run into a mapping
    CHECK(do_brk(*u.space, 0x081FF001) == 0x08100100); // no page of gap would be left before it
    CHECK(do_brk(*u.space, 0x081FF000) == 0x081FF000); // exactly one page of gap: allowed
    CHECK(u.space->find_area(0x08100000)->flags & kVmHeap);
    u.check();
}

TEST_CASE("MAP_POPULATE faults every page in at once")
{
    UserSpace u;
    uptr a = u.map(8 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous | kMapPopulate);
    CHECK(u.space->resident_pages() == 8);
    CHECK(u.read(a + 7 * kPage) == 0);
}
