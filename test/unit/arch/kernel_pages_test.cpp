// Kernel page mappings (arch::map_kernel_pages) on the simulated machine: scattered frames side by side at
// the returned address, the same bytes as the direct map, access reported and changed, bad requests refused,
// and the window shared with device mappings.
#include <catch2/catch_test_macros.hpp>

#include "arch/memory.hpp"
#include "mm/physical_memory.hpp"
#include "../mm/sim_ram.hpp"

namespace {

constexpr usize kPage = arch::kPageBytes;

u32* direct(PhysAddr frame) { return static_cast<u32*>(arch::phys_to_virt(frame, kPage)); }

} // namespace

TEST_CASE("kernel pages: scattered frames appear side by side, in the order given", "[kernel_pages]")
{
    SimRam ram(8);
    auto& pages = mm::page_allocator();
    PhysAddr a = pages.allocate(0).value(), b = pages.allocate(0).value(), c = pages.allocate(0).value();
    PhysAddr frames[3] = { c, a, b }; // not the physical order
    direct(a)[0] = 0xAAAA;
    direct(b)[0] = 0xBBBB;
    direct(c)[0] = 0xCCCC;

    auto mapped = arch::map_kernel_pages(frames, 3, arch::KernelAccess::ReadWrite);
    REQUIRE_FALSE(mapped.is_error());
    auto* window = static_cast<u32*>(mapped.value());
    CHECK(window[0] == 0xCCCC);
    CHECK(window[kPage / 4] == 0xAAAA);
    CHECK(window[2 * kPage / 4] == 0xBBBB);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 3);

    // Writes go both ways: the window and the direct map are the same memory.
    window[2 * kPage / 4 + 1] = 0x1234;
    CHECK(direct(b)[1] == 0x1234);
    direct(a)[2] = 0x5678;
    CHECK(window[kPage / 4 + 2] == 0x5678);

    arch::PageMapping mapping {};
    REQUIRE(arch::query_kernel_page(window + kPage / 4 + 3, mapping));
    CHECK(mapping.phys == a);
    CHECK(mapping.access == arch::kPageWritable);

    arch::unmap_kernel_pages(mapped.value(), 3);
    CHECK_FALSE(arch::query_kernel_page(mapped.value(), mapping));
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
    CHECK(direct(b)[1] == 0x1234); // the frames are the caller's, untouched by the unmap
    for (PhysAddr frame : frames)
        pages.free(frame, 0);
    CHECK(pages.free_pages() == ram.free_at_start);
}

TEST_CASE("kernel pages: read-only, then writable, page by page", "[kernel_pages]")
{
    SimRam ram(8);
    auto& pages = mm::page_allocator();
    PhysAddr frames[2] = { pages.allocate(0).value(), pages.allocate(0).value() };
    auto mapped = arch::map_kernel_pages(frames, 2, arch::KernelAccess::ReadWrite);
    REQUIRE_FALSE(mapped.is_error());
    auto* bytes = static_cast<u8*>(mapped.value());
    bytes[kPage] = 7; // written while writable, as a loader relocates text

    arch::protect_kernel_pages(bytes + kPage, 1, arch::KernelAccess::ReadOnly);
    arch::PageMapping mapping {};
    REQUIRE(arch::query_kernel_page(bytes, mapping));
    CHECK(mapping.access == arch::kPageWritable);
    REQUIRE(arch::query_kernel_page(bytes + kPage, mapping));
    CHECK(mapping.phys == frames[1]);
    CHECK(mapping.access == 0);
    CHECK(bytes[kPage] == 7); // still readable

    arch::protect_kernel_pages(bytes, 2, arch::KernelAccess::ReadWrite);
    REQUIRE(arch::query_kernel_page(bytes + kPage, mapping));
    CHECK(mapping.access == arch::kPageWritable);
    bytes[kPage + 1] = 9;
    CHECK(static_cast<u8*>(arch::phys_to_virt(frames[1], kPage))[1] == 9);

    arch::unmap_kernel_pages(bytes, 2);
    pages.free(frames[0], 0);
    pages.free(frames[1], 0);
}

TEST_CASE("kernel pages: bad requests are refused and take nothing", "[kernel_pages]")
{
    SimRam ram(8);
    PhysAddr frame = mm::page_allocator().allocate(0).value();
    CHECK(arch::map_kernel_pages(&frame, 0, arch::KernelAccess::ReadOnly).error() == Errno::INVAL);
    PhysAddr crooked = frame + 12;
    CHECK(arch::map_kernel_pages(&crooked, 1, arch::KernelAccess::ReadOnly).error() == Errno::INVAL);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
    mm::page_allocator().free(frame, 0);
}

TEST_CASE("kernel pages: the window is shared with device mappings and runs out as one", "[kernel_pages]")
{
    SimRam ram(40);
    auto& pages = mm::page_allocator();
    // Device mappings take all but two pages of the window.
    auto device = arch::map_mmio(0x100000, (arch::kKernelWindowPages - 2) * kPage);
    REQUIRE_FALSE(device.is_error());
    PhysAddr frames[3] = { pages.allocate(0).value(), pages.allocate(0).value(), pages.allocate(0).value() };
    CHECK(arch::map_kernel_pages(frames, 3, arch::KernelAccess::ReadOnly).error() == Errno::NOMEM);
    auto two = arch::map_kernel_pages(frames, 2, arch::KernelAccess::ReadOnly);
    REQUIRE_FALSE(two.is_error());
    CHECK(arch::kernel_window_free_pages() == 0);

    arch::PageMapping mapping {};
    REQUIRE(arch::query_kernel_page(static_cast<u8*>(device.value()) + 5 * kPage, mapping));
    CHECK(mapping.phys == 0x100000 + 5 * kPage);

    arch::unmap_kernel_pages(two.value(), 2);
    arch::unmap_mmio(device.value(), (arch::kKernelWindowPages - 2) * kPage);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
    for (PhysAddr frame : frames)
        pages.free(frame, 0);
}
