// The page-fault handler: demand paging, copy-on-write after fork, shared memory, stack growth, and the
// accounting that must bring every page back.
#include <catch2/catch_test_macros.hpp>

#include "arch/memory.hpp"
#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "user_space.hpp"

using namespace mm;
constexpr uptr kPage = arch::kPageBytes;

TEST_CASE("A write after fork copies exactly one page, and reference counts return to one")
{
    UserSpace u;
    uptr a = u.map(4 * kPage);
    for (uptr i = 0; i < 4; ++i)
        u.write(a + i * kPage, static_cast<u8>(10 + i));
    arch::PageMapping mapping;
    REQUIRE(arch::query_page(u.space->page_tables(), a, mapping));
    PhysAddr frame = mapping.phys;

    auto child = u.space->fork().release_value();
    CHECK(page_allocator().refcount(frame) == 2);
    CHECK(child->resident_pages() == 4);
    child->activate();
    CHECK(u.read(a) == 10);
    usize free_before = page_allocator().free_pages();
    u.write(a, 99); // the child writes: one copy
    CHECK(page_allocator().free_pages() == free_before - 1);
    CHECK(page_allocator().refcount(frame) == 1);
    CHECK(u.read(a + kPage) == 11);
    u.space->activate();
    CHECK(u.read(a) == 10); // the parent still sees its own data
    u.write(a, 11);         // sole owner again: no copy
    CHECK(page_allocator().free_pages() == free_before - 1);
    REQUIRE(arch::query_page(u.space->page_tables(), a, mapping));
    CHECK(mapping.phys == frame);
    const char* child_violation = child->invariant_violation();
    CHECK(child_violation == nullptr);
    child.reset();
    for (uptr i = 1; i < 4; ++i) {
        REQUIRE(arch::query_page(u.space->page_tables(), a + i * kPage, mapping));
        CHECK(page_allocator().refcount(mapping.phys) == 1);
    }
    u.check();
}

TEST_CASE("Destroying address spaces returns every page, tables included")
{
    UserSpace u;
    kmalloc_shrink();
    usize free_at_start = page_allocator().free_pages();
    {
        auto space = AddressSpace::create().release_value();
        space->activate();
        uptr a = do_mmap(*space, 0, 64 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous).value();
        uptr s = do_mmap(*space, 0, 8 * kPage, kProtRead | kProtWrite, kMapShared | kMapAnonymous).value();
        for (uptr i = 0; i < 64; ++i)
            u.write(a + i * kPage, 1);
        u.write(s, 1);
        auto child = space->fork().release_value();
        child->activate();
        u.write(a, 2);
        u.write(s + kPage, 2);
        space->activate();
    }
    u.space->activate();
    kmalloc_shrink(); // the shared memory's frame array came from a slab that is kept for reuse
    CHECK(page_allocator().free_pages() == free_at_start);
    CHECK(sim::live_page_tables() == 1); // only the fixture's own
}

TEST_CASE("Shared anonymous memory stays shared across fork, in both directions")
{
    UserSpace u;
    uptr s = u.map(2 * kPage, kProtRead | kProtWrite, kMapShared | kMapAnonymous);
    u.write(s, 1);
    auto child = u.space->fork().release_value();
    child->activate();
    u.write(s, 2);
    u.write(s + kPage, 3); // first touched after the fork, by the child
    u.space->activate();
    CHECK(u.read(s) == 2);
    CHECK(u.read(s + kPage) == 3);
    u.write(s + kPage, 4);
    child->activate();
    CHECK(u.read(s + kPage) == 4);
    u.space->activate();
    child.reset();
    CHECK(u.read(s + kPage) == 4);
    u.check();
}

TEST_CASE("MADV_DONTFORK and MADV_WIPEONFORK shape what a child gets")
{
    UserSpace u;
    uptr kept = u.map(kPage), skipped = u.map(kPage), wiped = u.map(kPage);
    u.write(kept, 1);
    u.write(skipped, 2);
    u.write(wiped, 3);
    REQUIRE_FALSE(do_madvise(*u.space, skipped, kPage, kMadvDontFork).is_error());
    REQUIRE_FALSE(do_madvise(*u.space, wiped, kPage, kMadvWipeOnFork).is_error());
    auto child = u.space->fork().release_value();
    child->activate();
    CHECK(u.read(kept) == 1);
    CHECK_FALSE(u.can_read(skipped));
    CHECK(u.read(wiped) == 0);
    u.space->activate();
    CHECK(u.read(wiped) == 3);
}

TEST_CASE("A grows-down area extends on a fault below it, within the stack limit and the guard gap")
{
    UserSpace u;
    uptr top = arch::kUserEnd;
    REQUIRE_FALSE(u.space->add_area(top - 16 * kPage, top, kProtRead | kProtWrite, kVmGrowsDown | kVmStack).is_error());
    u.write(top - 100 * kPage, 1); // below the area: it grows
    CHECK(u.space->find_area(top - 100 * kPage)->start == top - 100 * kPage);
    u.space->set_stack_limit(1024 * kPage);
    CHECK_FALSE(u.can_write(top - 1025 * kPage)); // past RLIMIT_STACK
    u.map(kPage, kProtRead, kMapPrivate | kMapAnonymous | kMapFixed, top - 600 * kPage);
    CHECK_FALSE(u.can_write(top - 500 * kPage + 100)); // would come within the guard gap of that mapping
    CHECK(u.can_write(top - 300 * kPage));
    CHECK_FALSE(u.can_write(top - 599 * kPage - 1)); // a write there is the read-only mapping's business
    u.check();
}

TEST_CASE("Faults say what is wrong: nothing mapped, or protection")
{
    UserSpace u;
    uptr r = u.map(kPage, kProtRead);
    CHECK(u.space->handle_fault(0x1000, { false, false }).error() == Errno::FAULT);
    CHECK(u.space->handle_fault(r, { true, false }).error() == Errno::ACCES);
    CHECK(u.space->handle_fault(0xC0001000, { false, false }).error() == Errno::FAULT);
    CHECK_FALSE(u.space->handle_fault(r, { false, false }).is_error());
    CHECK(u.space->resident_pages() == 1);
}

TEST_CASE("Running out of pages makes a fault ENOMEM, not a crash")
{
    UserSpace u(4);
    uptr a = u.map(8 * 1024 * 1024);
    uptr page = a;
    Result<void> fault;
    while (!(fault = u.space->handle_fault(page, { true, false })).is_error())
        page += kPage;
    CHECK(fault.error() == Errno::NOMEM);
    CHECK_FALSE(u.can_write(page)); // a system call's copy sees EFAULT
    REQUIRE_FALSE(do_munmap(*u.space, a, 8 * 1024 * 1024).is_error());
    CHECK(u.can_write(u.map(kPage))); // and memory comes back
    u.check();
}

TEST_CASE("The page query reports what the MMU recorded: accessed on a read, dirty on a write, kept by mprotect")
{
    UserSpace u;
    uptr a = u.map(2 * kPage);
    u.write(a, 1); // faulted in by the write
    (void)u.read(a + kPage);
    arch::PageMapping written, read;
    REQUIRE(arch::query_page(u.space->page_tables(), a, written));
    REQUIRE(arch::query_page(u.space->page_tables(), a + kPage, read));
    CHECK(written.accessed);
    CHECK(written.dirty);
    CHECK(read.accessed);
    CHECK_FALSE(read.dirty);
    REQUIRE_FALSE(do_mprotect(*u.space, a, 2 * kPage, kProtRead).is_error());
    REQUIRE(arch::query_page(u.space->page_tables(), a, written));
    CHECK(written.dirty);
    CHECK(written.access == arch::kPageUser);
    u.check();
}

TEST_CASE("fork copies page tables a table at a time: every page once, private ones write-protected, clean bits")
{
    UserSpace u(32);
    // Three page tables' worth, with holes: a private area across a 4 MiB boundary and a shared one.
    uptr a = u.map(1200 * kPage, kProtRead | kProtWrite, kMapPrivate | kMapAnonymous | kMapFixed, 0x10000000 - 600 * kPage);
    uptr s = u.map(8 * kPage, kProtRead | kProtWrite, kMapShared | kMapAnonymous);
    usize touched = 0;
    for (uptr i = 0; i < 1200; i += (i % 7) ? 1 : 3, ++touched)
        u.write(a + i * kPage, static_cast<u8>(i));
    u.write(s, 5);
    usize resident = u.space->resident_pages();
    CHECK(resident == touched + 1);

    auto child = u.space->fork().release_value();
    CHECK(child->resident_pages() == resident);
    CHECK(child->invariant_violation() == nullptr);
    arch::PageMapping parent_page, child_page;
    usize checked = 0;
    for (uptr page = a; arch::next_mapped_page(u.space->page_tables(), page, a + 1200 * kPage, page, parent_page);
         page += kPage, ++checked) {
        REQUIRE(arch::query_page(child->page_tables(), page, child_page));
        CHECK(child_page.phys == parent_page.phys);
        CHECK_FALSE(parent_page.access & arch::kPageWritable);
        CHECK_FALSE(child_page.access & arch::kPageWritable);
        CHECK_FALSE(child_page.dirty);
        CHECK(page_allocator().refcount(parent_page.phys) == 2);
    }
    CHECK(checked == touched);
    REQUIRE(arch::query_page(child->page_tables(), s, child_page));
    CHECK(child_page.access & arch::kPageWritable); // shared stays writable
    child->activate();
    CHECK(u.read(a + 4 * kPage) == 4);
    u.write(a + 4 * kPage, 40); // the child's copy
    u.space->activate();
    CHECK(u.read(a + 4 * kPage) == 4);
    child.reset();
    u.check();
}

TEST_CASE("fork that runs out of memory for a page table fails with ENOMEM and leaks nothing")
{
    UserSpace u(32);
    uptr a = u.map(3000 * kPage);
    for (uptr i = 0; i < 3000; i += 5)
        u.write(a + i * kPage, 1);
    kmalloc_shrink();
    usize free_before = page_allocator().free_pages();
    int failures = 0;
    for (u64 after = 0; after < 8; ++after) {
        {
            inject_allocation_failures(after);
            auto child = u.space->fork();
            stop_allocation_failures();
            if (child.is_error()) {
                CHECK(child.error() == Errno::NOMEM);
                ++failures;
            }
        }
        kmalloc_shrink();
        CHECK(page_allocator().free_pages() == free_before);
        u.check();
    }
    CHECK(failures >= 3); // the directory, the area and each of the tables
    for (uptr i = 0; i < 3000; i += 5)
        CHECK(u.read(a + i * kPage) == 1);
}
