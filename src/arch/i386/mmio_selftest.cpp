// Kernel self-tests of the kernel window on the real machine. mmio: the VGA text buffer at 0xB8000 mapped
// uncached through the window is the same memory the direct map shows, its page entries carry PCD|PWT, and
// unmapping clears them and gives the window back. kernel_pages: two frames that are not neighbours appear
// side by side, read-only pages refuse the kernel's own writes (CR0.WP), and protect and unmap take effect.
#include "arch/arch.hpp"
#include "arch/i386/kernel_mappings.hpp"
#include "arch/i386/interrupts.hpp"
#include "arch/i386/uaccess_fixup.hpp"
#include "kernel/selftest.hpp"
#include "mm/physical_memory.hpp"

namespace {

constexpr PhysAddr kVgaText = 0xB8000;
constexpr usize kVgaBytes = 80 * 25 * 2;
constexpr u32 kPresent = 1u << 0, kWriteThrough = 1u << 3, kCacheDisable = 1u << 4;

} // namespace

KERNEL_SELFTEST(mmio)
{
    usize free_before = arch::kernel_window_free_pages();
    if (arch::map_mmio(kVgaText, 0).error() != Errno::INVAL)
        return t.fail("an empty range was not EINVAL");
    if (arch::map_mmio(0xFFFFF000, 0x2000).error() != Errno::INVAL)
        return t.fail("a range past 4 GiB was not EINVAL");
    if (arch::map_mmio(0, (arch::kKernelWindowPages + 1) * arch::kPageBytes).error() != Errno::NOMEM)
        return t.fail("a range larger than the window was not ENOMEM");

    // Two bytes into the buffer, so the page offset must be kept.
    auto mapped = arch::map_mmio(kVgaText + 2, kVgaBytes - 2);
    if (mapped.is_error())
        return t.fail("mapping the VGA text buffer failed");
    auto* window = static_cast<u8*>(mapped.value());
    uptr address = reinterpret_cast<uptr>(window);
    if (address < i386::kKernelWindowBase || address % arch::kPageBytes != 2)
        return t.fail("the mapping is not in the window at the buffer's offset");
    if (arch::kernel_window_free_pages() != free_before - 1)
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
    if (i386::kernel_page_entry(address) != 0 || arch::kernel_window_free_pages() != free_before)
        return t.fail("unmapping left the page entry or the window page in use");
    auto again = arch::map_mmio(kVgaText, kVgaBytes);
    if (again.is_error() || reinterpret_cast<uptr>(again.value()) != address - 2)
        return t.fail("the freed window page was not reused");
    arch::unmap_mmio(again.value(), kVgaBytes);
    return t.pass("VGA text through the uncached window matches the direct map; unmapped cleanly");
}

KERNEL_SELFTEST(kernel_pages)
{
    auto& pages = mm::page_allocator();
    usize window_before = arch::kernel_window_free_pages();
    auto low = pages.allocate(0), gap = pages.allocate(0), high = pages.allocate(0);
    if (low.is_error() || gap.is_error() || high.is_error())
        return t.fail("could not allocate three frames");
    pages.free(gap.value(), 0); // so the two kept frames are not neighbours, whatever the allocator's order
    PhysAddr frames[2] = { high.value(), low.value() };
    auto* direct_high = static_cast<u32*>(arch::phys_to_virt(frames[0], arch::kPageBytes));
    auto* direct_low = static_cast<u32*>(arch::phys_to_virt(frames[1], arch::kPageBytes));
    direct_high[0] = 0x11111111;
    direct_low[0] = 0x22222222;

    bool refused = arch::map_kernel_pages(frames, 0, arch::KernelAccess::ReadOnly).error() == Errno::INVAL;
    PhysAddr crooked = frames[0] + 8;
    refused = refused && arch::map_kernel_pages(&crooked, 1, arch::KernelAccess::ReadOnly).error() == Errno::INVAL;
    auto mapped = arch::map_kernel_pages(frames, 2, arch::KernelAccess::ReadOnly);
    if (mapped.is_error()) {
        pages.free(frames[0], 0);
        pages.free(frames[1], 0);
        return t.fail("map_kernel_pages failed");
    }
    uptr base = reinterpret_cast<uptr>(mapped.value());
    u32 first = 0, second = 0;
    bool read_ok = i386::probe_read32(base, first) && i386::probe_read32(base + arch::kPageBytes, second);
    u32 faults = i386::last_page_fault().count;
    bool read_only_write = i386::probe_write32(base + 4, 0xBAD);
    auto fault = i386::last_page_fault();
    arch::PageMapping mapping {};
    bool queried = arch::query_kernel_page(mapped.value(), mapping) && mapping.phys == frames[0] && mapping.access == 0;
    arch::protect_kernel_pages(mapped.value(), 2, arch::KernelAccess::ReadWrite);
    bool write_ok = i386::probe_write32(base + arch::kPageBytes + 4, 0x33333333);
    bool writable = arch::query_kernel_page(mapped.value(), mapping) && mapping.access == arch::kPageWritable;
    bool used_two = arch::kernel_window_free_pages() == window_before - 2;
    arch::unmap_kernel_pages(mapped.value(), 2);
    u32 ignored = 0;
    bool read_after_unmap = i386::probe_read32(base, ignored);
    u32 written = direct_low[1];
    pages.free(frames[0], 0);
    pages.free(frames[1], 0);

    if (!refused)
        return t.fail("no frames, or a frame that is not a page address, was not EINVAL");
    if (!read_ok || first != 0x11111111 || second != 0x22222222)
        return t.fail("the window did not show the two frames side by side, in order");
    if (read_only_write || fault.count != faults + 1 || (fault.error_code & 3) != 3 || fault.address != base + 4)
        return t.fail("a kernel write to a read-only kernel page did not fault as a protection violation");
    if (!queried || !writable)
        return t.fail("query_kernel_page did not report the frame and its access");
    if (!write_ok || written != 0x33333333)
        return t.fail("after protect_kernel_pages a write did not reach the second frame");
    if (!used_two || read_after_unmap || arch::kernel_window_free_pages() != window_before)
        return t.fail("the window pages were not taken and given back, or stayed readable after unmap");
    return t.pass("two scattered frames side by side; read-only refused the kernel's write (CR0.WP); unmapped");
}
