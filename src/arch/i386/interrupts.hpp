// The IDT, the 8259 PICs and the interrupt frame that every entry stub in interrupts.asm builds.
#pragma once

#include "arch/arch.hpp"
#include "lib/types.hpp"

namespace i386 {

// Matches the pushes in interrupts.asm: segment registers, pushad, vector, error code, then the CPU's frame.
struct InterruptFrame {
    u32 gs, fs, es, ds;
    u32 edi, esi, ebp, esp_at_pushad, ebx, edx, ecx, eax;
    u32 vector, error_code;
    u32 eip, cs, eflags;
    u32 user_esp, user_ss; // valid only when entered from ring 3
};
static_assert(sizeof(InterruptFrame) == 19 * 4);

// The vector sysenter_entry (interrupts.asm) gives its frame: no IDT vector, so nothing else can have it.
constexpr u32 kSysenterVector = 0x180;
// interrupt_dispatch gives a sysenter call's frame this vector when it may return by sysexit (interrupts.asm).
constexpr u32 kSysexitVector = 0x181;
// Where the vDSO (vdso/vdso.cpp) is mapped in every address space, up to the top, with the kernel's clock
// page for it (arch/user_clock.hpp) the page below; all in the last page table, shared by every directory.
constexpr uptr kVdsoBase = 0xFFFFE000;
constexpr usize kVdsoMaxPages = 2;
constexpr uptr kUserClockPage = kVdsoBase - 4096;

constexpr u8 kIrqBase = 0x20; // where the PICs are remapped, past the 32 CPU exceptions

using IrqHandler = void (*)(InterruptFrame&);

void gdt_init();
// Sets up the SYSENTER MSRs when the CPU has them; afterwards sysenter_ready() says whether it did.
void sysenter_init();
bool sysenter_ready();
void idt_init();
void pic_init();
void pic_unmask(u8 irq);
void set_irq_handler(u8 irq, IrqHandler handler);
// Channel 0 periodic at `hz`, until pit_start_one_shot (once the TSC keeps the time) makes it one-shot.
void pit_init(u32 hz);
void pit_start_one_shot();

// Called for a breakpoint (#BP) in kernel mode after it was logged; the self-tests observe it.
using BreakpointHook = void (*)(const InterruptFrame&);
void set_breakpoint_hook(BreakpointHook hook);
void set_page_fault_handler(arch::PageFaultHandler handler);
void set_syscall_handler(arch::SyscallHandler handler);
void set_user_trap_handler(arch::UserTrapHandler handler);
// Writes GDT entry `index` (for the TLS entries).
void set_gdt_entry(u32 index, u32 base, u32 limit, u8 access, u8 flags);
// True when [pointer, pointer + bytes) lies on the trap stack (TSS.esp0), for backtraces.
bool on_kernel_stack(const void* pointer, usize bytes);
void set_trap_stack(u8* base, usize size);
// The top of the running task's kernel stack (0 before any task): where a trap from user mode lands.
uptr trap_stack_top();
void set_scheduler_hooks(void (*tick)(bool), void (*before_user_return)(arch::UserFrame&));
// The frame of the system call being handled (for fork), or nullptr.
const InterruptFrame* current_syscall_frame();

// The frame of the exception being handled, for register dumps; nullptr outside exception handling.
const InterruptFrame* current_exception_frame();

// The last page fault's address and error code, for self-tests of the fault path.
struct PageFaultRecord {
    u32 address;
    u32 error_code;
    u32 eip;
    u32 count;
};
PageFaultRecord last_page_fault();

// Periodic interrupts so far and their rate: the clock of a CPU without a TSC.
u64 ticks();
u32 timer_rate();
// The vDSO's image in the kernel (vdso.cpp), the physical pages to map, and where its entry points are.
struct VdsoImage {
    PhysAddr image; // kVdsoBase and up
    usize pages;
    PhysAddr clock_page; // kUserClockPage
};
VdsoImage vdso_image();
uptr vdso_sysenter_return();
// Tells the vDSO's readers to use the TSC with these parameters (clock.cpp, once calibrated).
void publish_tsc_clock(u64 tsc_at_zero, u64 ns_per_cycle);
// A CPU without sysenter: turns the vDSO's sysenter into nops, so __kernel_vsyscall falls through to int 0x80.
void vdso_disable_sysenter();

// Measures the TSC against the PIT for arch::clock_ns() (clock.cpp); after pit_init.
void clock_init();
// The measured TSC rate, or 0 when the clock runs on ticks.
u64 tsc_hz();

} // namespace i386
