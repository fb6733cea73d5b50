// Kernel self-tests of i386-only paths no host test can reach: the #BP and #PF handlers, the exception table.
#include "arch/arch.hpp"
#include "arch/i386/interrupts.hpp"
#include "arch/i386/uaccess_fixup.hpp"
#include "kernel/selftest.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"

namespace {

volatile u32 g_breakpoints_seen;
volatile u32 g_breakpoint_eip;

void on_breakpoint(const i386::InterruptFrame& frame)
{
    g_breakpoints_seen = g_breakpoints_seen + 1;
    g_breakpoint_eip = frame.eip;
}

} // namespace

KERNEL_SELFTEST(breakpoint)
{
    i386::set_breakpoint_hook(on_breakpoint);
    u32 before = g_breakpoints_seen;
    u32 expected_eip;
    // The #BP frame's eip is the address right after the one-byte int3.
    asm volatile("int3\n"
                 "1: movl $1b, %0"
                 : "=r"(expected_eip));
    i386::set_breakpoint_hook(nullptr);
    if (g_breakpoints_seen != before + 1)
        return t.fail("the breakpoint handler did not run exactly once");
    if (g_breakpoint_eip != expected_eip)
        return t.fail("the breakpoint handler saw the wrong eip");
    return t.pass("breakpoint handled and execution resumed after int3");
}

namespace {

constexpr u16 kCom1 = 0x3F8, kCom1InterruptEnable = kCom1 + 1;
constexpr u32 kCom1Irq = 4;
constexpr u8 kTransmitterEmpty = 0x02; // IER: interrupt when the transmit holding register is empty

volatile u32 g_com1_interrupts;

// Turns the source off again: the line stays quiet until the next test asks for an interrupt.
void on_com1(u32, void*)
{
    g_com1_interrupts = g_com1_interrupts + 1;
    arch::port_write8(kCom1InterruptEnable, 0);
}

// Waits up to `ms` milliseconds for COM1's interrupt count to pass `count`.
bool com1_interrupts_pass(u32 count, u32 ms)
{
    u64 end = arch::clock_ns() + u64 { ms } * 1000 * 1000;
    while (g_com1_interrupts <= count && arch::clock_ns() < end)
        arch::wait_for_interrupt();
    return g_com1_interrupts > count;
}

} // namespace

// A real device's interrupt through register_irq: the 16550 on COM1 raises IRQ 4 as soon as its transmitter
// interrupt is enabled with the holding register empty; masked, the line waits until unmasked.
KERNEL_SELFTEST(irq)
{
    if (arch::register_irq(0, on_com1, nullptr).error() != Errno::BUSY)
        return t.fail("the timer's line was not refused");
    if (auto registered = arch::register_irq(kCom1Irq, on_com1, nullptr); registered.is_error())
        return t.fail("IRQ 4 could not be registered");
    bool ok = true;
    const char* why = "";
    if (arch::register_irq(kCom1Irq, on_com1, nullptr).error() != Errno::BUSY) {
        ok = false;
        why = "IRQ 4 was registered twice";
    }
    arch::port_write8(kCom1InterruptEnable, kTransmitterEmpty);
    if (ok && !com1_interrupts_pass(0, 100)) {
        ok = false;
        why = "no interrupt from COM1 within 100 ms";
    }
    arch::mask_irq(kCom1Irq);
    u32 before = g_com1_interrupts;
    arch::port_write8(kCom1InterruptEnable, kTransmitterEmpty);
    if (ok && com1_interrupts_pass(before, 20)) {
        ok = false;
        why = "a masked line's interrupt ran";
    }
    arch::unmask_irq(kCom1Irq);
    if (ok && !com1_interrupts_pass(before, 100)) {
        ok = false;
        why = "the held interrupt did not run once unmasked";
    }
    arch::port_write8(kCom1InterruptEnable, 0);
    arch::unregister_irq(kCom1Irq);
    if (!ok)
        return t.fail(why);
    return t.pass("COM1's interrupt ran its handler, waited while masked and ran when unmasked");
}

KERNEL_SELFTEST(page_fault)
{
    // 0xDEAD0000 is above the boot direct map; 0x1000 is in the identity map boot.asm removed.
    const uptr addresses[] = { 0xDEAD0000u, 0x1000u, 0x0u };
    for (uptr address : addresses) {
        u32 before = i386::last_page_fault().count;
        u32 value = 0x12345678;
        if (i386::probe_read32(address, value))
            return t.fail("a read of an unmapped address did not fault");
        auto record = i386::last_page_fault();
        if (record.count != before + 1)
            return t.fail("the page-fault handler did not run exactly once");
        if (record.address != address)
            return t.fail("cr2 did not hold the faulting address");
        if (record.error_code & 0x7)
            return t.fail("the error code should say: not present, read, kernel mode");
    }
    u32 value = 0;
    if (!i386::probe_read32(reinterpret_cast<uptr>(&g_breakpoints_seen), value))
        return t.fail("a read of mapped kernel memory faulted");
    return t.pass("three unmapped reads faulted with the right cr2 and recovered through the exception table");
}

KERNEL_SELFTEST(divide_error)
{
    // Not recoverable on purpose: the harness expects the #DE panic report and the failure exit.
    // In asm: GCC folds `1 / x` into `x == 1` and would never divide.
    u32 quotient, remainder;
    asm volatile("divl %4" : "=a"(quotient), "=d"(remainder) : "a"(1u), "d"(0u), "r"(0u));
    (void)quotient;
    (void)remainder;
    return t.fail("division by zero did not trap");
}

KERNEL_SELFTEST(page_tables)
{
    // A user page mapped, read and written through its user address, write-protected, then unmapped, on the
    // real MMU; everything allocated for it goes back.
    auto& pages = mm::page_allocator();
    mm::kmalloc_shrink(); // so that the count compares pages, not slabs kept for reuse
    usize free_before = pages.free_pages();
    auto tables = arch::create_page_tables();
    auto frame = pages.allocate(0);
    if (tables.is_error() || frame.is_error())
        return t.fail("could not allocate the tables or a frame");
    auto* bytes = static_cast<u32*>(arch::phys_to_virt(frame.value(), arch::kPageBytes));
    bytes[0] = 0xCAFEF00D;
    constexpr uptr kUser = 0x08048000;
    if (arch::map_page(tables.value(), kUser, frame.value(), arch::kPageWritable | arch::kPageUser).is_error())
        return t.fail("map_page failed");
    arch::activate_page_tables(tables.value());
    u32 value = 0;
    bool read_ok = i386::probe_read32(kUser, value);
    bool write_ok = i386::probe_write32(kUser + 4, 0x12345678);
    arch::protect_page(tables.value(), kUser, arch::kPageUser);
    u32 faults = i386::last_page_fault().count;
    bool protected_write = i386::probe_write32(kUser + 8, 1);
    auto fault = i386::last_page_fault();
    arch::PageMapping mapping {};
    bool queried = arch::query_page(tables.value(), kUser, mapping);
    arch::unmap_page(tables.value(), kUser);
    u32 ignored = 0;
    bool read_after_unmap = i386::probe_read32(kUser, ignored);
    arch::activate_page_tables(nullptr);
    arch::destroy_page_tables(tables.value());
    u32 written = bytes[1];
    pages.free(frame.value(), 0);
    mm::kmalloc_shrink();

    if (!read_ok || value != 0xCAFEF00D)
        return t.fail("reading the mapped user page did not see the frame's contents");
    if (!write_ok || written != 0x12345678)
        return t.fail("a write through the user address did not reach the frame");
    if (protected_write || fault.count != faults + 1 || (fault.error_code & 3) != 3)
        return t.fail("a kernel write to a read-only user page did not fault as a protection violation");
    if (!queried || mapping.phys != frame.value() || mapping.access != arch::kPageUser)
        return t.fail("query_page did not report the read-only mapping");
    if (read_after_unmap)
        return t.fail("the page was still readable after unmap_page");
    if (pages.free_pages() != free_before)
        return t.fail("the tables' pages were not all freed");
    return t.pass("map, read, write, write-protect (CR0.WP fault), query and unmap on the MMU; all pages freed");
}

KERNEL_SELFTEST(page_state)
{
    // The accessed and dirty bits the MMU sets, as query_page reports them, and fork's table copy on the real
    // tables: both sides share the frame read-only, the copy starts clean, and a write through the parent
    // faults once its access is gone.
    auto& pages = mm::page_allocator();
    mm::kmalloc_shrink();
    usize free_before = pages.free_pages();
    auto parent = arch::create_page_tables();
    auto child = arch::create_page_tables();
    auto frame = pages.allocate(0);
    auto other = pages.allocate(0);
    if (parent.is_error() || child.is_error() || frame.is_error() || other.is_error())
        return t.fail("could not allocate the tables or the frames");
    constexpr uptr kUser = 0x08048000, kNext = kUser + (4u << 20); // two page tables
    u32 rw = arch::kPageWritable | arch::kPageUser;
    if (arch::map_page(parent.value(), kUser, frame.value(), rw).is_error()
        || arch::map_page(parent.value(), kNext, other.value(), rw).is_error())
        return t.fail("map_page failed");
    arch::PageMapping fresh {}, after_read {}, after_write {}, copied {}, source {};
    arch::query_page(parent.value(), kUser, fresh);
    arch::activate_page_tables(parent.value());
    u32 value = 0;
    i386::probe_read32(kUser, value);
    arch::query_page(parent.value(), kUser, after_read);
    i386::probe_write32(kUser, 7);
    i386::probe_write32(kNext, 8);
    arch::query_page(parent.value(), kUser, after_write);
    bool write_protected = false;
    usize hooked = 0;
    auto copy = arch::copy_mappings(parent.value(), child.value(), kUser, kNext + arch::kPageBytes, true,
        [](PhysAddr, void* count) { ++*static_cast<usize*>(count); }, &hooked, write_protected);
    arch::flush_tlb(parent.value());
    arch::query_page(child.value(), kNext, copied);
    arch::query_page(parent.value(), kNext, source);
    u32 faults = i386::last_page_fault().count;
    bool parent_write = i386::probe_write32(kNext, 9);
    arch::activate_page_tables(nullptr);
    arch::destroy_page_tables(parent.value());
    arch::destroy_page_tables(child.value());
    pages.free(frame.value(), 0);
    pages.free(other.value(), 0);
    mm::kmalloc_shrink();

    if (fresh.accessed || fresh.dirty)
        return t.fail("a fresh mapping was reported accessed or dirty");
    if (!after_read.accessed || after_read.dirty)
        return t.fail("a read did not set accessed alone");
    if (!after_write.dirty)
        return t.fail("a write did not set dirty");
    if (copy.is_error() || hooked != 2 || !write_protected)
        return t.fail("copy_mappings did not copy both pages with their hook");
    if (copied.phys != other.value() || copied.access != arch::kPageUser || copied.accessed || copied.dirty)
        return t.fail("the copy is not a clean read-only entry for the same frame");
    if (source.access != arch::kPageUser || !source.dirty)
        return t.fail("the source lost its dirty bit or kept its write access");
    if (parent_write || i386::last_page_fault().count != faults + 1)
        return t.fail("a write through the write-protected source did not fault");
    if (pages.free_pages() != free_before)
        return t.fail("the tables' pages were not all freed");
    return t.pass("accessed on read, dirty on write; copy_mappings across two tables: clean, read-only, hooked");
}
