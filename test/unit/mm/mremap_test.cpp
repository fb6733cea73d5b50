// mremap, madvise and mincore with Linux's semantics.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "arch/memory.hpp"
#include "user_space.hpp"

using namespace mm;
constexpr uptr kPage = arch::kPageBytes;

TEST_CASE("mremap grows in place, shrinks, and moves with MREMAP_MAYMOVE keeping the contents")
{
    UserSpace u;
    uptr a = u.map(2 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, 0x20000000);
    u.write(a + 10, 1);
    u.write(a + kPage + 10, 2);
    CHECK(do_mremap(*u.space, a, 2 * kPage, 4 * kPage, 0, 0).value() == a); // room after: in place
    u.write(a + 3 * kPage, 3);
    CHECK(do_mremap(*u.space, a, 4 * kPage, 3 * kPage, 0, 0).value() == a);
    CHECK_FALSE(u.can_read(a + 3 * kPage));
    u.map(kPage, kProtRead, kMapPrivate | kMapAnonymous | kMapFixed, a + 3 * kPage); // block growth
    CHECK(do_mremap(*u.space, a, 3 * kPage, 5 * kPage, 0, 0).error() == Errno::NOMEM);
    usize resident = u.space->resident_pages();
    uptr moved = do_mremap(*u.space, a, 3 * kPage, 5 * kPage, kMremapMayMove, 0).value();
    CHECK(moved != a);
    CHECK(u.space->resident_pages() == resident); // moved, not copied
    CHECK(u.read(moved + 10) == 1);
    CHECK(u.read(moved + kPage + 10) == 2);
    CHECK(u.read(moved + 4 * kPage) == 0);
    CHECK_FALSE(u.can_read(a));
    u.check();
}

TEST_CASE("mremap with MREMAP_FIXED and MREMAP_DONTUNMAP")
{
    UserSpace u;
    uptr a = u.map(2 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous, 0x20000000);
    u.write(a, 5);
    uptr target = 0x30000000;
    u.map(kPage, kProtRead, kMapPrivate | kMapAnonymous | kMapFixed, target); // replaced by the move
    CHECK(do_mremap(*u.space, a, 2 * kPage, 2 * kPage, kMremapMayMove | kMremapFixed, target).value() == target);
    CHECK(u.read(target) == 5);
    CHECK(u.can_write(target + kPage));
    CHECK_FALSE(u.can_read(a));
    uptr kept = do_mremap(*u.space, target, 2 * kPage, 2 * kPage, kMremapMayMove | kMremapDontUnmap, 0).value();
    CHECK(u.read(kept) == 5);
    CHECK(u.read(target) == 0); // still mapped, now empty
    u.check();
}

TEST_CASE("mremap errors follow Linux")
{
    UserSpace u;
    uptr a = u.map(2 * kPage);
    CHECK(do_mremap(*u.space, a, kPage, kPage, 8, 0).error() == Errno::INVAL);
    CHECK(do_mremap(*u.space, a, kPage, 2 * kPage, kMremapFixed, 0x30000000).error() == Errno::INVAL);
    CHECK(do_mremap(*u.space, a, kPage, 2 * kPage, kMremapMayMove | kMremapDontUnmap, 0).error() == Errno::INVAL);
    CHECK(do_mremap(*u.space, a + 1, kPage, 2 * kPage, 0, 0).error() == Errno::INVAL);
    CHECK(do_mremap(*u.space, a, kPage, 0, 0, 0).error() == Errno::INVAL);
    CHECK(do_mremap(*u.space, 0x30000000, kPage, 2 * kPage, kMremapMayMove, 0).error() == Errno::FAULT);
    CHECK(do_mremap(*u.space, a, 3 * kPage, 4 * kPage, kMremapMayMove, 0).error() == Errno::FAULT);
    CHECK(do_mremap(*u.space, a, 0, kPage, kMremapMayMove, 0).error() == Errno::INVAL); // private: nothing to share
    CHECK(do_mremap(*u.space, a, 2 * kPage, 2 * kPage, kMremapMayMove | kMremapFixed, a + kPage).error()
        == Errno::INVAL); // the ranges overlap
    u.check();
}

TEST_CASE("mremap of old size 0 maps the same shared pages a second time")
{
    UserSpace u;
    uptr a = u.map(kPage, kProtRead | kProtWrite, kMapShared | kMapAnonymous);
    uptr b = do_mremap(*u.space, a, 0, kPage, kMremapMayMove, 0).value();
    CHECK(b != a);
    u.write(a + 100, 77);
    CHECK(u.read(b + 100) == 77);
    u.check();
}

TEST_CASE("madvise(MADV_DONTNEED) drops pages; bad advice and holes are reported")
{
    UserSpace u;
    uptr a = u.map(4 * kPage);
    for (uptr i = 0; i < 4; ++i)
        u.write(a + i * kPage, 0xEE);
    REQUIRE_FALSE(do_madvise(*u.space, a, 2 * kPage, kMadvDontNeed).is_error());
    CHECK(u.space->resident_pages() == 2);
    CHECK(u.read(a) == 0);
    CHECK(u.read(a + 3 * kPage) == 0xEE);
    CHECK(do_madvise(*u.space, a, kPage, 77).error() == Errno::INVAL);
    CHECK(do_madvise(*u.space, a + 1, kPage, kMadvNormal).error() == Errno::INVAL);
    CHECK(do_madvise(*u.space, a, 8 * kPage, kMadvNormal).error() == Errno::NOMEM);
    CHECK(do_madvise(*u.space, a, kPage, kMadvRemove).error() == Errno::INVAL); // private anonymous: no file
    CHECK(do_madvise(*u.space, a, kPage, kMadvHwPoison).error() == Errno::INVAL);
    CHECK_FALSE(do_madvise(*u.space, a, 0, kMadvDontNeed).is_error());
    REQUIRE_FALSE(do_madvise(*u.space, a, 4 * kPage, kMadvPopulateWrite).is_error());
    CHECK(u.space->resident_pages() == 4);
    u.check();
}

TEST_CASE("mincore reports which pages are resident")
{
    UserSpace u;
    uptr a = u.map(4 * kPage);
    u.write(a + kPage, 1);
    u.write(a + 3 * kPage, 1);
    std::vector<u8> residency(4, 0xFF);
    REQUIRE_FALSE(do_mincore(*u.space, a, 4 * kPage - 100, residency.data()).is_error());
    CHECK(residency == std::vector<u8> { 0, 1, 0, 1 });
    CHECK(do_mincore(*u.space, a + 1, kPage, residency.data()).error() == Errno::INVAL);
    CHECK(do_mincore(*u.space, a, 5 * kPage, residency.data()).error() == Errno::NOMEM);
}
