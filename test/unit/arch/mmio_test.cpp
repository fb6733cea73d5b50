// Kernel mappings of device memory through the arch interface (arch::map_mmio) on the simulated machine: the
// returned address reaches the same bytes as the direct map at the same offset, bad ranges are refused,
// the window fills up and frees, and the register accessors move exactly the bytes of their width.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "arch/memory.hpp"
#include "sim/sim.hpp"

namespace {

constexpr usize kPage = arch::kPageBytes;

// 16 MiB of "device memory" at physical 0x40000000, as a BAR might put it, for phys_to_virt to reach.
struct DeviceMemory {
    static constexpr PhysAddr kBase = 0x40000000;
    std::vector<u8> bytes = std::vector<u8>(16 << 20, 0);
    DeviceMemory()
    {
        sim::reset();
        sim::attach_phys_memory(kBase, bytes.data(), bytes.size());
    }
    ~DeviceMemory() { sim::reset(); }
};

} // namespace

TEST_CASE("mmio: a mapping reaches the physical range at its offset, both ways", "[mmio]")
{
    DeviceMemory memory;
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
    PhysAddr registers = DeviceMemory::kBase + 3 * kPage + 0x10;
    auto mapped = arch::map_mmio(registers, 0x20);
    REQUIRE_FALSE(mapped.is_error());
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 1);
    auto* direct = static_cast<u8*>(arch::phys_to_virt(registers, 0x20));
    arch::mmio_write32(mapped.value(), 0xCAFEF00D);
    CHECK(direct[0] == 0x0D);
    CHECK(direct[3] == 0xCA);
    CHECK(direct[4] == 0); // a 32-bit write is four bytes, no more
    direct[8] = 0x77;
    CHECK(arch::mmio_read8(static_cast<u8*>(mapped.value()) + 8) == 0x77);
    arch::mmio_write16(static_cast<u8*>(mapped.value()) + 12, 0xBEEF);
    CHECK(arch::mmio_read16(direct + 12) == 0xBEEF);
    CHECK(arch::mmio_read32(direct + 12) == 0xBEEF);
    arch::unmap_mmio(mapped.value(), 0x20);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
}

TEST_CASE("mmio: a range takes every page it touches; bad ranges are EINVAL, too large ENOMEM", "[mmio]")
{
    DeviceMemory memory;
    auto straddling = arch::map_mmio(DeviceMemory::kBase + kPage - 4, 8); // two pages for eight bytes
    REQUIRE_FALSE(straddling.is_error());
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 2);
    auto whole = arch::map_mmio(DeviceMemory::kBase, 3 * kPage); // exactly three
    REQUIRE_FALSE(whole.is_error());
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 5);
    // The same range twice is two mappings, as on the machine.
    auto again = arch::map_mmio(DeviceMemory::kBase, 3 * kPage);
    REQUIRE_FALSE(again.is_error());
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 8);
    CHECK(arch::map_mmio(DeviceMemory::kBase, 0).error() == Errno::INVAL);
    CHECK(arch::map_mmio(0xFFFFF000, 0x2000).error() == Errno::INVAL); // past the 32-bit physical space
    CHECK(arch::map_mmio(0xFFFFF000, ~usize { 0 }).error() == Errno::INVAL);
    CHECK(arch::map_mmio(DeviceMemory::kBase, (arch::kKernelWindowPages + 1) * kPage).error() == Errno::NOMEM);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages - 8); // refusals took nothing
    arch::unmap_mmio(again.value(), 3 * kPage);
    arch::unmap_mmio(whole.value(), 3 * kPage);
    arch::unmap_mmio(straddling.value(), 8);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
}

TEST_CASE("mmio: the window fills up, is ENOMEM when full, and takes a mapping again once one goes", "[mmio]")
{
    DeviceMemory memory;
    std::vector<void*> mappings;
    for (usize i = 0; i < arch::kKernelWindowPages; ++i) {
        auto mapped = arch::map_mmio(DeviceMemory::kBase + static_cast<PhysAddr>(i * kPage), kPage);
        REQUIRE_FALSE(mapped.is_error());
        mappings.push_back(mapped.value());
    }
    CHECK(arch::kernel_window_free_pages() == 0);
    CHECK(arch::map_mmio(DeviceMemory::kBase, 1).error() == Errno::NOMEM);
    // Two single pages apart do not make room for two pages together.
    arch::unmap_mmio(mappings[10], kPage);
    arch::unmap_mmio(mappings[12], kPage);
    CHECK(arch::map_mmio(DeviceMemory::kBase, 2 * kPage).error() == Errno::NOMEM);
    arch::unmap_mmio(mappings[11], kPage);
    auto three = arch::map_mmio(DeviceMemory::kBase, 3 * kPage);
    REQUIRE_FALSE(three.is_error());
    CHECK(arch::kernel_window_free_pages() == 0);
    arch::unmap_mmio(three.value(), 3 * kPage);
    for (usize i = 0; i < mappings.size(); ++i)
        if (i < 10 || i > 12)
            arch::unmap_mmio(mappings[i], kPage);
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
    // sim::reset() forgets what a test left mapped.
    REQUIRE_FALSE(arch::map_mmio(DeviceMemory::kBase, kPage).is_error());
    sim::reset();
    CHECK(arch::kernel_window_free_pages() == arch::kKernelWindowPages);
}
