// Self-tests of memory management on the booted machine: real RAM behind the page allocator.
#include "arch/arch.hpp"
#include "kernel/selftest.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

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
