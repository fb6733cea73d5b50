// The vDSO's side in the kernel: where its image and the clock page it reads are, and the writes to that page
// (arch/user_clock.hpp) whenever the clock's parameters change. No tick updates it: the vDSO computes the
// kernel's own formula from the TSC, so only calibration and a wall-clock set change what it must know.
#include "arch/arch.hpp"
#include "arch/i386/interrupts.hpp"
#include "arch/user_clock.hpp"
#include "kernel/panic.hpp"

extern "C" u8 vdso_image_start[], vdso_image_end[];
extern "C" const u32 vdso_offset_kernel_vsyscall, vdso_offset_sysenter, vdso_offset_sysenter_return;

namespace {

// A page of its own, since user mode reads all of it: nothing else of the kernel's may share it.
union alignas(4096) UserClockPage {
    arch::UserClockData data;
    u8 bytes[4096];
};
UserClockPage g_clock_page;

} // namespace

namespace i386 {

VdsoImage vdso_image()
{
    usize bytes = static_cast<usize>(vdso_image_end - vdso_image_start);
    if (bytes % 4096 || bytes / 4096 > kVdsoMaxPages)
        panic("vdso: the image takes %zu bytes, not whole pages up to %zu", bytes, kVdsoMaxPages);
    return { arch::virt_to_phys(vdso_image_start), bytes / 4096, arch::virt_to_phys(&g_clock_page) };
}

uptr vdso_sysenter_return() { return kVdsoBase + vdso_offset_sysenter_return; }

void publish_tsc_clock(u64 tsc_at_zero, u64 ns_per_cycle)
{
    arch::InterruptGuard guard;
    arch::begin_user_clock_write(g_clock_page.data);
    g_clock_page.data.tsc_at_zero = tsc_at_zero;
    g_clock_page.data.ns_per_cycle = ns_per_cycle;
    g_clock_page.data.mode = arch::kUserClockTsc;
    arch::end_user_clock_write(g_clock_page.data);
}

void vdso_disable_sysenter()
{
    // Before any address space maps the image, through the kernel's writable direct map of it.
    if (vdso_image_start[vdso_offset_sysenter] != 0x0F || vdso_image_start[vdso_offset_sysenter + 1] != 0x34)
        panic("vdso: no sysenter at offset %#x", vdso_offset_sysenter);
    vdso_image_start[vdso_offset_sysenter] = 0x90;
    vdso_image_start[vdso_offset_sysenter + 1] = 0x90;
}

} // namespace i386

namespace arch {

void set_wall_clock_offset(i64 offset_ns)
{
    InterruptGuard guard;
    begin_user_clock_write(g_clock_page.data);
    g_clock_page.data.realtime_at_zero = offset_ns;
    end_user_clock_write(g_clock_page.data);
}

uptr user_vdso_address() { return i386::kVdsoBase; }

usize user_readable_above_end(uptr address)
{
    // The clock page and the vDSO run up to the top of the address space.
    return address >= i386::kUserClockPage ? static_cast<usize>((u64 { 1 } << 32) - address) : 0;
}

} // namespace arch
