// IDT setup, 8259 PIC remapping, PIT programming and the dispatcher every entry stub calls.
// Intel SDM 3A 6.10-6.15 (IDT, exceptions); 8259A datasheet (ICW1-4); 8254 datasheet (PIT modes).
//
// The PIT's channel 0 starts periodic (mode 2, 1 kHz), which is all a CPU without a TSC gets. Once the TSC
// keeps the time, it turns one-shot (mode 0, interrupt on terminal count), programmed for the deadline the
// kernel asks for; a deadline past its 16-bit reach takes several interrupts, of which only the last calls
// the tick hook.
#include "arch/i386/interrupts.hpp"
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/uaccess_fixup.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"

extern "C" const u32 interrupt_stub_table[256];
extern "C" const u8 interrupt_return_pop_gs[], interrupt_return_pop_fs[], interrupt_return_pop_es[],
    interrupt_return_pop_ds[], interrupt_return_iret[];
extern "C" const u8 sysenter_entry[], sysenter_entry_end[];
extern "C" [[noreturn]] void interrupt_resume_frame(i386::InterruptFrame* frame);

namespace i386 {
namespace {

struct [[gnu::packed]] IdtGate {
    u16 offset_low;
    u16 selector;
    u8 zero;
    u8 type_attributes;
    u16 offset_high;
};
static_assert(sizeof(IdtGate) == 8);

struct [[gnu::packed]] IdtPointer {
    u16 limit;
    u32 base;
};

IdtGate g_idt[256];
IrqHandler g_irq_handlers[16];
// What drivers registered through arch::register_irq; g_irq_handlers holds the arch's own (the timer's).
struct DriverIrq {
    arch::IrqHandler handler;
    void* context;
};
DriverIrq g_driver_irqs[16];
BreakpointHook g_breakpoint_hook;
arch::PageFaultHandler g_page_fault_handler;
arch::SyscallHandler g_syscall_handler;
void (*g_tick_hook)(bool in_user_mode);
void (*g_user_return_hook)(arch::UserFrame&);
arch::UserTrapHandler g_user_trap_handler;
const InterruptFrame* g_exception_frame;
PageFaultRecord g_last_page_fault;
volatile u64 g_ticks; // periodic interrupts, while the PIT is periodic
u32 g_timer_hz;
bool g_one_shot;
u64 g_deadline = ~u64 { 0 }; // what set_timer_deadline last asked; all ones: nothing

constexpr u8 kInterruptGate = 0x8E; // present, DPL 0, 32-bit interrupt gate (IF cleared on entry)
constexpr u8 kUserInterruptGate = 0xEE; // the same, reachable from ring 3 with int n
// A trap gate leaves IF as it was (on, from user mode): system calls run with interrupts enabled, so a long
// one (a slow serial write) does not lose timer ticks. The kernel stays non-preemptive: the scheduler only
// switches on the way back to user mode.
constexpr u8 kUserTrapGate = 0xEF;

constexpr u16 kPic1Command = 0x20, kPic1Data = 0x21, kPic2Command = 0xA0, kPic2Data = 0xA1;
constexpr u8 kPicEoi = 0x20;

constexpr const char* kExceptionNames[32] = {
    "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow", "bound range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun", "invalid TSS",
    "segment not present", "stack-segment fault", "general protection fault", "page fault", "reserved",
    "x87 floating-point error", "alignment check", "machine check", "SIMD floating-point error",
    "virtualization exception", "control protection exception", "reserved", "reserved", "reserved", "reserved",
    "reserved", "reserved", "hypervisor injection", "VMM communication", "security exception", "reserved",
};

void set_gate(u8 vector, u32 handler, u8 attributes)
{
    g_idt[vector] = IdtGate { static_cast<u16>(handler & 0xFFFF), kKernelCodeSelector, 0, attributes,
        static_cast<u16>(handler >> 16) };
}

// Page-fault error code bits, Intel SDM 3A 4.7.
void describe_page_fault(const InterruptFrame& frame, u32 address)
{
    log_error("page fault at %#x: %s, %s, %s mode, eip=%#x", address,
        (frame.error_code & 1) ? "protection violation" : "page not present",
        (frame.error_code & 2) ? "write" : "read", (frame.error_code & 4) ? "user" : "kernel", frame.eip);
}

// The signal Linux sends for a CPU exception in user mode (arch/x86/kernel/traps.c).
int signal_for_exception(u32 vector)
{
    constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigSegv = 11;
    switch (vector) {
    case 0: case 16: case 19: return kSigFpe;      // divide error, x87 and SIMD floating point
    case 1: case 3: return kSigTrap;               // debug, breakpoint
    case 6: return kSigIll;                        // invalid opcode
    case 12: case 17: return kSigBus;              // stack segment, alignment check
    default: return kSigSegv;                      // general protection, page fault, bound, overflow, ...
    }
}

// An exception raised by user code that nothing resolved: the process's business, not a kernel panic.
void deliver_user_trap(InterruptFrame& frame, uptr address, bool mapped, bool past_end = false)
{
    g_exception_frame = nullptr;
    if (!g_user_trap_handler)
        panic("CPU exception %s in user mode with no handler (eip=%#x)", kExceptionNames[frame.vector], frame.eip);
    constexpr int kSigBus = 7;
    int signal = past_end ? kSigBus : signal_for_exception(frame.vector);
    g_user_trap_handler({ signal, address, frame.eip, mapped, past_end });
}

bool is_segment_fault(u32 vector) { return vector == 10 || vector == 11 || vector == 12 || vector == 13; }

// iretd refused the user frame at `cpu_frame` (eip, cs, eflags, esp, ss): the process gets SIGSEGV, as if
// its own code had faulted. The registers interrupt_return had already popped are in `nested`, the frame of
// this fault, which overlaps the original one below its eip: the original is rebuilt from both, at the top of
// the kernel stack where it was, and the task returns to user mode through it (or dies of the signal).
[[noreturn]] void recover_bad_iret(const InterruptFrame& nested, const u32* cpu_frame)
{
    constexpr u32 kUserCode = 0x73, kUserData = 0x7B;
    constexpr u32 kUnsafeFlags = 0x3000 | 0x4000 | 0x20000; // IOPL, NT, VM
    InterruptFrame user = nested;
    user.vector = 13;
    user.eip = cpu_frame[0];
    user.cs = kUserCode;
    user.eflags = (cpu_frame[2] & ~kUnsafeFlags) | 0x200;
    user.user_esp = cpu_frame[3];
    user.user_ss = kUserData;
    auto* original = reinterpret_cast<InterruptFrame*>(trap_stack_top()) - 1;
    if (reinterpret_cast<const u32*>(&original->eip) != cpu_frame)
        panic("iret fault with a frame (%p) that is not the task's user frame (%p)", cpu_frame, &original->eip);
    log_warning("iret to user mode refused (error code %#x, cs=%#x ss=%#x): SIGSEGV", nested.error_code, cpu_frame[1],
        cpu_frame[4]);
    *original = user;
    deliver_user_trap(*original, 0, false);
    if (g_user_return_hook)
        g_user_return_hook(*reinterpret_cast<arch::UserFrame*>(original));
    interrupt_resume_frame(original);
}

// A segment check failed on the way back to user mode (interrupts.asm, interrupt_return). A fault in ring 0
// pushes no stack pointer: the interrupted esp is where user_esp would be, and it points at the value being
// popped. A selector that names no usable descriptor is zeroed and the pop retried (Linux's
// EX_TYPE_POP_ZERO): the process then faults on its own if it uses the segment.
bool recover_user_return(InterruptFrame& frame)
{
    if ((frame.cs & 3) != 0 || !is_segment_fault(frame.vector))
        return false;
    auto* interrupted_stack = reinterpret_cast<u32*>(&frame.user_esp);
    auto at = reinterpret_cast<const u8*>(frame.eip);
    if (at == interrupt_return_pop_gs || at == interrupt_return_pop_fs || at == interrupt_return_pop_es
        || at == interrupt_return_pop_ds) {
        log_debug("unusable user selector %#x on return to user mode: loaded as 0", *interrupted_stack);
        *interrupted_stack = 0;
        g_exception_frame = nullptr;
        return true;
    }
    if (at == interrupt_return_iret) {
        g_exception_frame = nullptr;
        recover_bad_iret(frame, interrupted_stack);
    }
    return false;
}

void handle_exception(InterruptFrame& frame)
{
    g_exception_frame = &frame;
    if (recover_user_return(frame))
        return;
    bool from_user = (frame.cs & 3) == 3;
    if (from_user && frame.vector != 14) {
        deliver_user_trap(frame, frame.vector == 13 ? 0 : frame.eip, false);
        return;
    }
    if (frame.vector == 1 && reinterpret_cast<uptr>(frame.eip) >= reinterpret_cast<uptr>(sysenter_entry)
        && reinterpret_cast<uptr>(frame.eip) < reinterpret_cast<uptr>(sysenter_entry_end)) {
        // A user's trap flag survives sysenter: single-stepping stops here, and the call goes on without it.
        frame.eflags &= ~kEflagsTf;
        g_exception_frame = nullptr;
        return;
    }
    if (frame.vector == 3) {
        // int3 is a trap: eip already points past it, so returning resumes execution.
        log_info("breakpoint (#BP) at eip=%#x", frame.eip - 1);
        if (g_breakpoint_hook)
            g_breakpoint_hook(frame);
        g_exception_frame = nullptr;
        return;
    }
    if (frame.vector == 14) {
        u32 address = read_cr2();
        g_last_page_fault = { address, frame.error_code, frame.eip, g_last_page_fault.count + 1 };
        u32 fixup = find_fixup(frame.eip);
        // A user address touched by user code or by a copy in the exception table: demand paging, copy-on-write
        // or stack growth may resolve it, and the access is then retried.
        auto outcome = address < arch::kUserEnd && (from_user || fixup) && g_page_fault_handler
            ? g_page_fault_handler(address, frame.error_code & 2, frame.error_code & 1)
            : arch::FaultOutcome::Segv;
        if (outcome == arch::FaultOutcome::Resolved) {
            g_exception_frame = nullptr;
            return;
        }
        if (from_user) {
            deliver_user_trap(frame, address, frame.error_code & 1, outcome == arch::FaultOutcome::Bus);
            return;
        }
        if (fixup) {
            // A bad pointer from a system call: the caller gets EFAULT. Users can cause these at will, so
            // they are logged at debug level only.
            log_debug("page fault at %#x recovered through the exception table: eip %#x -> %#x", address,
                frame.eip, fixup);
            frame.eip = fixup;
            g_exception_frame = nullptr;
            return;
        }
        describe_page_fault(frame, address);
        panic("unhandled page fault at %#x in kernel mode (error code %#x)", address, frame.error_code);
    }
    panic("CPU exception: %s (vector %u, error code %#x) at eip=%#x", kExceptionNames[frame.vector], frame.vector,
        frame.error_code, frame.eip);
}

void handle_irq(InterruptFrame& frame)
{
    u8 irq = static_cast<u8>(frame.vector - kIrqBase);
    // A spurious IRQ 7 or 15 has no in-service bit set (OCW3 read ISR) and must not be acknowledged.
    if (irq == 7 || irq == 15) {
        u16 command = irq == 7 ? kPic1Command : kPic2Command;
        outb(command, 0x0B);
        if (!(inb(command) & 0x80)) {
            if (irq == 15)
                outb(kPic1Command, kPicEoi);
            return;
        }
    }
    if (g_irq_handlers[irq])
        g_irq_handlers[irq](frame);
    else if (g_driver_irqs[irq].handler)
        g_driver_irqs[irq].handler(irq, g_driver_irqs[irq].context);
    if (irq >= 8)
        outb(kPic2Command, kPicEoi);
    outb(kPic1Command, kPicEoi);
}

constexpr u32 kPitInputHz = 1193182;
constexpr u32 kPitMaxCount = 0xFFFF; // mode 0 counts down from at most 65535 (about 54.9 ms)

// Channel 0 interrupts `deadline` (clock_ns) from now, or as far as it reaches. A count rounds up, so the
// interrupt never comes before the deadline by the PIT's measure.
void program_one_shot(u64 deadline)
{
    u64 now = arch::clock_ns();
    u64 count = 1;
    if (deadline > now) {
        u64 wait = deadline - now;
        constexpr u64 kMaxWaitNs = 60 * 1000 * 1000; // past the PIT's reach: kept small so the product fits
        count = wait >= kMaxWaitNs ? kPitMaxCount : (wait * kPitInputHz + 999999999) / 1000000000;
        if (count < 1)
            count = 1;
        if (count > kPitMaxCount)
            count = kPitMaxCount;
    }
    // The control word first: it puts OUT low, so terminal count gives IRQ 0 its rising edge again.
    outb(0x43, 0x30); // channel 0, low then high byte, mode 0 (interrupt on terminal count)
    outb(0x40, static_cast<u8>(count & 0xFF));
    outb(0x40, static_cast<u8>(count >> 8));
}

void timer_irq(InterruptFrame& frame)
{
    if (!g_one_shot) {
        g_ticks = g_ticks + 1;
        if (g_tick_hook)
            g_tick_hook((frame.cs & 3) == 3);
        return;
    }
    if (arch::clock_ns() < g_deadline && g_deadline != ~u64 { 0 }) {
        program_one_shot(g_deadline); // a step towards a far deadline: the kernel has nothing due yet
        return;
    }
    g_deadline = ~u64 { 0 };
    if (g_tick_hook)
        g_tick_hook((frame.cs & 3) == 3);
    // Nothing asked for (no hook yet, or no timer armed): come back at the PIT's longest, so that a halt
    // waiting for something else still wakes now and then.
    if (g_deadline == ~u64 { 0 })
        program_one_shot(~u64 { 0 });
}

} // namespace

void idt_init()
{
    for (unsigned vector = 0; vector < 256; ++vector)
        set_gate(static_cast<u8>(vector), interrupt_stub_table[vector], kInterruptGate);
    // Linux lets user code raise #BP and #OF with int3/into (arch/x86/kernel/idt.c); int 0x80 is the syscall gate.
    set_gate(3, interrupt_stub_table[3], kUserInterruptGate);
    set_gate(4, interrupt_stub_table[4], kUserInterruptGate);
    set_gate(0x80, interrupt_stub_table[0x80], kUserTrapGate);
    IdtPointer pointer { sizeof(g_idt) - 1, reinterpret_cast<u32>(&g_idt) };
    asm volatile("lidt %0" : : "m"(pointer));
}

void pic_init()
{
    // ICW1: edge triggered, cascade, ICW4 follows. ICW2: vector base. ICW3: wiring. ICW4: 8086 mode.
    outb(kPic1Command, 0x11);
    outb(kPic2Command, 0x11);
    outb(kPic1Data, kIrqBase);
    outb(kPic2Data, kIrqBase + 8);
    outb(kPic1Data, 1 << 2);
    outb(kPic2Data, 2);
    outb(kPic1Data, 0x01);
    outb(kPic2Data, 0x01);
    // Everything masked but the cascade line; drivers unmask what they handle.
    outb(kPic1Data, static_cast<u8>(~(1 << 2)));
    outb(kPic2Data, 0xFF);
}

void pic_unmask(u8 irq)
{
    u16 port = irq < 8 ? kPic1Data : kPic2Data;
    outb(port, static_cast<u8>(inb(port) & ~(1 << (irq % 8))));
}

void pic_mask(u8 irq)
{
    u16 port = irq < 8 ? kPic1Data : kPic2Data;
    outb(port, static_cast<u8>(inb(port) | (1 << (irq % 8))));
}

void set_irq_handler(u8 irq, IrqHandler handler)
{
    g_irq_handlers[irq] = handler;
    pic_unmask(irq);
}

void pit_init(u32 hz)
{
    u32 divisor = kPitInputHz / hz;
    g_timer_hz = kPitInputHz / divisor;
    outb(0x43, 0x34); // channel 0, low then high byte, mode 2 (rate generator)
    outb(0x40, static_cast<u8>(divisor & 0xFF));
    outb(0x40, static_cast<u8>(divisor >> 8));
    set_irq_handler(0, timer_irq);
}

void pit_start_one_shot()
{
    arch::InterruptGuard guard;
    g_one_shot = true;
    program_one_shot(g_deadline);
}

void set_breakpoint_hook(BreakpointHook hook) { g_breakpoint_hook = hook; }

} // namespace i386

namespace arch {

void set_timer_deadline(u64 deadline_ns)
{
    InterruptGuard guard; // the interrupt reads the deadline and reprograms the same channel
    i386::g_deadline = deadline_ns;
    if (i386::g_one_shot)
        i386::program_one_shot(deadline_ns);
}

Result<void> register_irq(u32 line, IrqHandler handler, void* context)
{
    if (line >= kIrqLines || !handler)
        return Errno::INVAL;
    InterruptGuard guard;
    if (line == 2 || i386::g_irq_handlers[line] || i386::g_driver_irqs[line].handler)
        return Errno::BUSY;
    i386::g_driver_irqs[line] = { handler, context };
    i386::pic_unmask(static_cast<u8>(line));
    return {};
}

void unregister_irq(u32 line)
{
    if (line >= kIrqLines || line == 2)
        return;
    InterruptGuard guard;
    if (!i386::g_driver_irqs[line].handler)
        return;
    i386::pic_mask(static_cast<u8>(line));
    i386::g_driver_irqs[line] = {};
}

void mask_irq(u32 line)
{
    if (line < kIrqLines && line != 2)
        i386::pic_mask(static_cast<u8>(line));
}

void unmask_irq(u32 line)
{
    if (line < kIrqLines && line != 2)
        i386::pic_unmask(static_cast<u8>(line));
}

} // namespace arch

namespace i386 {
void set_page_fault_handler(arch::PageFaultHandler handler) { g_page_fault_handler = handler; }
void set_syscall_handler(arch::SyscallHandler handler) { g_syscall_handler = handler; }
void set_scheduler_hooks(void (*tick)(bool), void (*before_user_return)(arch::UserFrame&))
{
    g_tick_hook = tick;
    g_user_return_hook = before_user_return;
}
// The frame a trap from user mode pushed sits at the very top of the task's kernel stack: found from the
// stack, it stays right for a system call that blocked while other tasks made calls of their own.
const InterruptFrame* current_syscall_frame()
{
    const auto* frame = reinterpret_cast<const InterruptFrame*>(trap_stack_top()) - 1;
    return trap_stack_top() && (frame->cs & 3) == 3 ? frame : nullptr;
}
void set_user_trap_handler(arch::UserTrapHandler handler) { g_user_trap_handler = handler; }
const InterruptFrame* current_exception_frame() { return g_exception_frame; }
PageFaultRecord last_page_fault() { return g_last_page_fault; }
u64 ticks() { return g_ticks; }
u32 timer_rate() { return g_timer_hz; }

} // namespace i386

extern "C" void task_first_entry(i386::InterruptFrame* frame)
{
    if (i386::g_user_return_hook)
        i386::g_user_return_hook(*reinterpret_cast<arch::UserFrame*>(frame));
}

namespace {

// Whether a frame may go back to user mode by sysexit, which sets cs, ss and esp from ecx and eip from edx and
// restores nothing else: only the frame of a call that came by sysenter and still returns where it would (no
// signal handler, restart, exec or sigreturn moved it), with the selectors sysexit loads and no flags but the
// arithmetic ones and IF, which is all sysexit_return restores (interrupts.asm). Everything else takes iret.
bool sysexit_allowed(const i386::InterruptFrame& frame)
{
    constexpr u32 kArithmetic = 0x8D5, kInterrupts = 0x200, kFixed = 0x2;
    return frame.eip == i386::vdso_sysenter_return() && frame.cs == 0x73 && frame.user_ss == 0x7B
        && (frame.eflags & ~(kArithmetic | kInterrupts | kFixed)) == 0 && (frame.eflags & kInterrupts);
}

} // namespace

extern "C" void interrupt_dispatch(i386::InterruptFrame* frame)
{
    bool by_sysenter = frame->vector == i386::kSysenterVector;
    if (frame->vector < 32)
        i386::handle_exception(*frame);
    else if (frame->vector < i386::kIrqBase + 16)
        i386::handle_irq(*frame);
    else if (frame->vector == i386::kSysenterVector && i386::g_syscall_handler) {
        // From here on it is the int 0x80 call it stands for: a restart goes back through the page's int 0x80.
        frame->vector = 0x80;
        // __kernel_vsyscall pushed the caller's ebp, the sixth argument, where the user esp now points.
        u32 sixth = 0;
        if (frame->user_esp <= arch::kUserEnd - 4 && i386::probe_read32(frame->user_esp, sixth)) {
            frame->ebp = sixth;
            frame->eax = static_cast<u32>(i386::g_syscall_handler(
                { frame->eax, { frame->ebx, frame->ecx, frame->edx, frame->esi, frame->edi, frame->ebp } }));
        } else {
            frame->eax = static_cast<u32>(-static_cast<i32>(Errno::FAULT)); // as Linux's sysenter path
        }
    }
    else if (frame->vector == 0x80 && i386::g_syscall_handler) {
        u32 result = static_cast<u32>(i386::g_syscall_handler(
            { frame->eax, { frame->ebx, frame->ecx, frame->edx, frame->esi, frame->edi, frame->ebp } }));
        // rt_sigreturn rewrote the whole frame, eax included: its "result" is the restored eax.
        frame->eax = result;
    }
    else
        log_warning("unexpected interrupt vector %u at eip=%#x", frame->vector, frame->eip);
    // On the way back to user mode (and only there: the kernel is not preemptible) the scheduler may run
    // another task; this one resumes here later and returns through its own frame.
    if ((frame->cs & 3) == 3 && i386::g_user_return_hook)
        i386::g_user_return_hook(*reinterpret_cast<arch::UserFrame*>(frame));
    if (by_sysenter && i386::g_syscall_handler && sysexit_allowed(*frame))
        frame->vector = i386::kSysexitVector; // read by interrupt_return, after the last use of the frame
}
