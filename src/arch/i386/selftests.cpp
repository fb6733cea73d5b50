// Kernel self-tests of i386-only paths no host test can reach: the #BP and #PF handlers, the exception table.
#include "arch/i386/interrupts.hpp"
#include "arch/i386/uaccess_fixup.hpp"
#include "kernel/selftest.hpp"

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
