// Kernel self-test of the device-memory window (arch::map_mmio) on the real machine: the VGA text buffer at
// 0xB8000 mapped uncached through the window is the same memory the direct map shows, its page entries carry
// PCD|PWT, and unmapping clears them and gives the window back.
#include "arch/arch.hpp"
#include "arch/i386/kernel_mappings.hpp"
#include "kernel/selftest.hpp"

namespace {

constexpr PhysAddr kVgaText = 0xB8000;
constexpr usize kVgaBytes = 80 * 25 * 2;
constexpr u32 kPresent = 1u << 0, kWriteThrough = 1u << 3, kCacheDisable = 1u << 4;

} // namespace

KERNEL_SELFTEST(mmio)
{
    usize free_before = arch::mmio_window_free_pages();
    if (arch::map_mmio(kVgaText, 0).error() != Errno::INVAL)
        return t.fail("an empty range was not EINVAL");
    if (arch::map_mmio(0xFFFFF000, 0x2000).error() != Errno::INVAL)
        return t.fail("a range past 4 GiB was not EINVAL");
    if (arch::map_mmio(0, (arch::kMmioWindowPages + 1) * arch::kPageBytes).error() != Errno::NOMEM)
        return t.fail("a range larger than the window was not ENOMEM");

    // Two bytes into the buffer, so the page offset must be kept.
    auto mapped = arch::map_mmio(kVgaText + 2, kVgaBytes - 2);
    if (mapped.is_error())
        return t.fail("mapping the VGA text buffer failed");
    auto* window = static_cast<u8*>(mapped.value());
    uptr address = reinterpret_cast<uptr>(window);
    if (address < i386::kMmioWindowBase || address % arch::kPageBytes != 2)
        return t.fail("the mapping is not in the window at the buffer's offset");
    if (arch::mmio_window_free_pages() != free_before - 1)
        return t.fail("4000 bytes from 0xB8002 did not take exactly one window page");
    u32 entry = i386::kernel_page_entry(address);
    if ((entry & ~0xFFFu) != kVgaText || !(entry & kPresent) || !(entry & kCacheDisable) || !(entry & kWriteThrough))
        return t.fail("the window's page entry is not 0xB8000 present with PCD|PWT");

    // The last cell of the screen, written both ways and put back.
    auto* direct = static_cast<u8*>(arch::phys_to_virt(kVgaText, kVgaBytes));
    usize cell = kVgaBytes - 2;
    u16 saved = arch::mmio_read16(direct + cell);
    arch::mmio_write16(window + cell - 2, 0x1F21); // '!' white on blue
    bool seen_direct = arch::mmio_read16(direct + cell) == 0x1F21;
    arch::mmio_write16(direct + cell, 0x2E3F);
    bool seen_window = arch::mmio_read16(window + cell - 2) == 0x2E3F;
    arch::mmio_write16(direct + cell, saved);
    if (!seen_direct || !seen_window)
        return t.fail("a write through one mapping was not seen through the other");

    arch::unmap_mmio(window, kVgaBytes - 2);
    if (i386::kernel_page_entry(address) != 0 || arch::mmio_window_free_pages() != free_before)
        return t.fail("unmapping left the page entry or the window page in use");
    auto again = arch::map_mmio(kVgaText, kVgaBytes);
    if (again.is_error() || reinterpret_cast<uptr>(again.value()) != address - 2)
        return t.fail("the freed window page was not reused");
    arch::unmap_mmio(again.value(), kVgaBytes);
    return t.pass("VGA text through the uncached window matches the direct map; unmapped cleanly");
}
