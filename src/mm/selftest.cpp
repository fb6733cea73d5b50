// Self-tests of memory management on the booted machine: real RAM behind the page allocator.
#include "arch/arch.hpp"
#include "kernel/selftest.hpp"
#include "lib/string.hpp"
#include "mm/address_space.hpp"
#include "mm/kmalloc.hpp"
#include "mm/mmap.hpp"
#include "mm/uaccess.hpp"
#include "mm/physical_memory.hpp"

#include <new>

KERNEL_SELFTEST(page_allocator)
{
    auto& pages = mm::page_allocator();
    usize free_before = pages.free_pages();
    if (free_before == 0)
        return t.fail("the page allocator has no free pages");
    // Blocks of every order up to 64 KiB, each filled with its own pattern, then all checked and freed.
    constexpr usize kBlocks = 40;
    PhysAddr blocks[kBlocks];
    for (usize i = 0; i < kBlocks; ++i) {
        auto block = pages.allocate(i % 5);
        if (block.is_error())
            return t.fail("allocation failed with plenty of memory free");
        blocks[i] = block.value();
        auto* bytes = static_cast<u8*>(arch::phys_to_virt(blocks[i], mm::kPageSize << (i % 5)));
        if (!bytes)
            return t.fail("an allocated block is not reachable through the direct map");
        fill_bytes(bytes, static_cast<u8>(i + 1), mm::kPageSize << (i % 5));
    }
    for (usize i = 0; i < kBlocks; ++i) {
        auto* bytes = static_cast<const u8*>(arch::phys_to_virt(blocks[i], mm::kPageSize << (i % 5)));
        for (usize j = 0; j < (mm::kPageSize << (i % 5)); j += 512)
            if (bytes[j] != static_cast<u8>(i + 1))
                return t.fail("two allocated blocks overlap");
        pages.free(blocks[i], i % 5);
    }
    if (pages.free_pages() != free_before)
        return t.fail("freeing every block did not restore the free count");
    if (!pages.check_invariants())
        return t.fail("the allocator's invariants do not hold");
    return t.pass("40 blocks of orders 0-4 written, checked and freed; free count restored");
}

KERNEL_SELFTEST(kmalloc)
{
    usize free_before = mm::page_allocator().free_pages();
    // Every size class and a few whole-block sizes, written through, then freed in another order.
    constexpr usize kSizes[] = { 1, 8, 24, 64, 200, 512, 1000, 2048, 3000, 8192, 65536 };
    constexpr usize kEach = 20;
    void* pointers[sizeof(kSizes) / sizeof(kSizes[0])][kEach];
    for (usize s = 0; s < sizeof(kSizes) / sizeof(kSizes[0]); ++s) {
        for (usize i = 0; i < kEach; ++i) {
            auto memory = mm::kmalloc(kSizes[s]);
            if (memory.is_error())
                return t.fail("kmalloc failed with plenty of memory free");
            if (mm::kmalloc_size(memory.value()) < kSizes[s])
                return t.fail("kmalloc gave less than was asked for");
            fill_bytes(memory.value(), static_cast<u8>(s * kEach + i), kSizes[s]);
            pointers[s][i] = memory.value();
        }
    }
    for (usize i = 0; i < kEach; ++i) {
        for (usize s = 0; s < sizeof(kSizes) / sizeof(kSizes[0]); ++s) {
            auto* bytes = static_cast<const u8*>(pointers[s][i]);
            if (bytes[0] != static_cast<u8>(s * kEach + i) || bytes[kSizes[s] - 1] != bytes[0])
                return t.fail("two allocations overlap");
            mm::kfree(pointers[s][i]);
        }
    }
    auto* object = new (std::nothrow) u32[16];
    if (!object)
        return t.fail("operator new (nothrow) failed");
    delete[] object;
    mm::kmalloc_shrink();
    if (mm::page_allocator().free_pages() != free_before || mm::kmalloc_pages() != 0)
        return t.fail("pages were not all returned after freeing and shrinking");
    return t.pass("220 allocations of 1 B to 64 KiB written, checked and freed; every page returned");
}

KERNEL_SELFTEST(address_space)
{
    // Demand paging, copy-on-write and EFAULT through the real MMU and #PF handler: every user access here
    // is a copy_*_user whose faults the exception table routes to the address space.
    mm::kmalloc_shrink();
    usize free_before = mm::page_allocator().free_pages();
    const char* failure = nullptr;
    {
        auto parent = mm::AddressSpace::create();
        if (parent.is_error())
            return t.fail("could not create an address space");
        auto& space = *parent.value();
        space.activate();
        constexpr usize kPages = 64;
        auto mapped = mm::do_mmap(space, 0, kPages * arch::kPageBytes, mm::kProtRead | mm::kProtWrite,
            mm::kMapPrivate | mm::kMapAnonymous);
        if (mapped.is_error())
            return t.fail("mmap failed");
        uptr base = mapped.value();
        for (usize i = 0; i < kPages && !failure; ++i) {
            u32 value = 0x1000 + i;
            if (mm::raw::copy_to_user(base + i * arch::kPageBytes + 12, &value, sizeof(value)).is_error())
                failure = "a copy to a fresh anonymous page failed";
        }
        if (!failure && space.resident_pages() != kPages)
            failure = "demand paging did not bring in exactly one page per page touched";
        auto child = space.fork();
        if (!failure && child.is_error())
            failure = "fork of the address space failed";
        if (!failure) {
            child.value()->activate();
            u32 value = 0xDEAD;
            usize free_before_copy = mm::page_allocator().free_pages();
            if (mm::raw::copy_to_user(base + 12, &value, sizeof(value)).is_error())
                failure = "a copy into a copy-on-write page failed";
            else if (mm::page_allocator().free_pages() != free_before_copy - 1)
                failure = "a write after fork did not copy exactly one page";
            space.activate();
            u32 seen = 0;
            if (!failure && (mm::raw::copy_from_user(&seen, base + 12, sizeof(seen)).is_error() || seen != 0x1000))
                failure = "the parent saw the child's write";
        }
        u32 scratch;
        if (!failure && mm::raw::copy_from_user(&scratch, 0xC0000000, sizeof(scratch)).error() != Errno::FAULT)
            failure = "a kernel address was not EFAULT";
        if (!failure && mm::raw::copy_from_user(&scratch, base + kPages * arch::kPageBytes, sizeof(scratch)).error() != Errno::FAULT)
            failure = "an unmapped address was not EFAULT";
        // A copy running off the end of the mapping stops at the first byte that faults, not a word early.
        u8 bytes[23];
        usize last = base + kPages * arch::kPageBytes - 13;
        if (!failure && arch::copy_from_user_raw(bytes, last, sizeof(bytes)) != sizeof(bytes) - 13)
            failure = "a copy across the end of the mapping did not stop at its last byte";
        if (!failure && arch::copy_to_user_raw(last + 1, bytes, sizeof(bytes)) != sizeof(bytes) - 12)
            failure = "a copy to the end of the mapping did not stop at its last byte";
        if (!failure && mm::do_mprotect(space, base, arch::kPageBytes, mm::kProtNone).is_error())
            failure = "mprotect failed";
        if (!failure && mm::raw::copy_from_user(&scratch, base, sizeof(scratch)).error() != Errno::FAULT)
            failure = "a PROT_NONE page was readable by the kernel";
    } // both address spaces go here, with every page they held
    mm::kmalloc_shrink();
    if (failure)
        return t.fail(failure);
    if (mm::page_allocator().free_pages() != free_before)
        return t.fail("pages leaked: the free count did not come back");
    return t.pass("64 pages demand-faulted, one copied on write after fork, EFAULT for kernel, unmapped and "
                  "PROT_NONE addresses, partial copies exact to the byte; every page returned");
}
