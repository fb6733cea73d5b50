// Bugs that test/fuzz/address_space.cpp found in the address space and the memory system calls, one case each.
#include <catch2/catch_test_macros.hpp>

#include "arch/memory.hpp"
#include "user_space.hpp"

using namespace mm;
constexpr uptr kPage = arch::kPageBytes;

TEST_CASE("A PROT_WRITE-only page reads before its first write as well as after it")
{
    // x86 has no write-only pages: Linux lets any access right read (vma_is_accessible). The fault handler
    // asked for PROT_READ or PROT_EXEC, so the first read of a fresh page failed while the same read after a
    // write succeeded.
    UserSpace u;
    uptr a = u.map(2 * kPage, kProtWrite);
    CHECK(u.read(a + 10) == 0);
    u.write(a + kPage, 5);
    CHECK(u.read(a + kPage) == 5);
    CHECK_FALSE(u.can_write(u.map(kPage, kProtRead)));
    CHECK_FALSE(u.can_read(u.map(kPage, kProtNone)));
    // And below a write-only grows-down area, which grows before the access is checked.
    uptr stack = u.map(kPage, kProtWrite, kMapPrivate | kMapAnonymous | kMapFixed | kMapGrowsDown, 0x20010000);
    CHECK(u.read(stack - 3 * kPage) == 0);
    CHECK(u.space->find_area(stack)->start == stack - 3 * kPage);
    u.check();
}

TEST_CASE("mremap of old size 0 with MREMAP_FIXED onto the old address itself fails with EFAULT")
{
    // The target range is unmapped first, and it held the source: the area was looked up again and
    // dereferenced without a check (a null pointer). Linux unmaps the target too and then reports EFAULT.
    UserSpace u;
    uptr a = u.map(2 * kPage, kProtRead | kProtWrite, kMapShared | kMapAnonymous, 0x20000000);
    u.write(a, 1);
    CHECK(do_mremap(*u.space, a, 0, kPage, kMremapMayMove | kMremapFixed, a).error() == Errno::FAULT);
    CHECK_FALSE(u.can_read(a));
    CHECK(u.read(a + kPage) == 0); // the rest of the mapping stays
    u.check();
}

TEST_CASE("mremap of an unmapped old address fails with EFAULT first and leaves a fixed target alone")
{
    // Linux 6.1 looks the old address up before anything else. The kernel checked the target first and, with
    // MREMAP_FIXED, unmapped it before noticing that there was nothing to move; a shrink succeeded.
    UserSpace u;
    uptr target = u.map(kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous | kMapFixed, 0x30000000);
    u.write(target, 9);
    uptr hole = 0x20000000;
    CHECK(do_mremap(*u.space, hole, kPage, kPage, kMremapMayMove | kMremapFixed, target).error() == Errno::FAULT);
    CHECK(u.read(target) == 9);
    CHECK(do_mremap(*u.space, hole, 2 * kPage, kPage, 0, 0).error() == Errno::FAULT);
    CHECK(do_mremap(*u.space, hole, kPage, kPage, kMremapMayMove | kMremapFixed, target + 1).error() == Errno::FAULT);
    CHECK(do_mremap(*u.space, hole, kPage, 2 * kPage, kMremapMayMove | kMremapFixed, hole + kPage).error()
        == Errno::FAULT); // not EINVAL for the overlap: the lookup comes first
    u.check();
}
