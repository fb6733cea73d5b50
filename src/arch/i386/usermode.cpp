// User mode on i386: the system-call and trap hooks, the first frames of new tasks, and the TLS entries of
// the GDT.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "kernel/panic.hpp"

extern "C" void i386_switch_stacks(uptr* save, uptr next);
extern "C" void task_first_return();

namespace arch {

namespace {

constexpr u32 kUserCode = 0x73, kUserData = 0x7B, kEflagsInterrupts = 0x202;

// What i386_switch_stacks pops before it returns: the callee-saved registers, then where to go.
struct SwitchFrame {
    u32 edi, esi, ebx, ebp;
    u32 return_address;
};

// Lays a SwitchFrame that "returns" into task_first_return under `frame` at the top of the stack.
uptr place_frames(u8* base, usize size, const i386::InterruptFrame& frame)
{
    auto* top = reinterpret_cast<i386::InterruptFrame*>(base + size) - 1;
    *top = frame;
    auto* switch_frame = reinterpret_cast<SwitchFrame*>(top) - 1;
    *switch_frame = { 0, 0, 0, 0, reinterpret_cast<u32>(&task_first_return) };
    return reinterpret_cast<uptr>(switch_frame);
}

} // namespace

void set_syscall_handler(SyscallHandler handler) { i386::set_syscall_handler(handler); }

extern "C" const u32 vdso_offset_kernel_vsyscall;

// Without sysenter, __kernel_vsyscall is only a slower int 0x80: the C libraries make that themselves.
uptr user_syscall_entry() { return i386::sysenter_ready() ? i386::kVdsoBase + vdso_offset_kernel_vsyscall : 0; }
void set_user_trap_handler(UserTrapHandler handler) { i386::set_user_trap_handler(handler); }

uptr prepare_user_start(u8* base, usize size, uptr entry, uptr user_stack)
{
    i386::InterruptFrame frame {};
    frame.ds = frame.es = kUserData;
    frame.eip = entry;
    frame.cs = kUserCode;
    frame.eflags = kEflagsInterrupts;
    frame.user_esp = user_stack;
    frame.user_ss = kUserData;
    return place_frames(base, size, frame);
}

uptr prepare_fork_return(u8* base, usize size, u32 result, uptr user_stack)
{
    const i386::InterruptFrame* current = i386::current_syscall_frame();
    if (!current)
        panic("prepare_fork_return outside a system call");
    i386::InterruptFrame frame = *current;
    frame.eax = result;
    if (user_stack)
        frame.user_esp = static_cast<u32>(user_stack);
    return place_frames(base, size, frame);
}

void switch_stacks(uptr* save, uptr next) { i386_switch_stacks(save, next); }

void exit_to(uptr next)
{
    uptr abandoned; // nobody switches back to an ended task; its stack is freed by whoever reaps it
    i386_switch_stacks(&abandoned, next);
    panic("exit_to: an ended task was resumed");
}

void discard_task(uptr) { } // the kernel stack is all there is, and its owner frees it

void set_trap_stack(u8* base, usize size) { i386::set_trap_stack(base, size); }

void set_scheduler_hooks(void (*tick)(bool), void (*before_user_return)(UserFrame&))
{
    i386::set_scheduler_hooks(tick, before_user_return);
}

void load_tls_descriptor(u32 index, const TlsDescriptor& d)
{
    if (index < kFirstTlsEntry || index >= kFirstTlsEntry + kTlsEntries)
        panic("load_tls_descriptor: %u is not a TLS entry", index);
    bool empty = d.base == 0 && d.limit == 0 && d.read_exec_only && d.seg_not_present && !d.seg_32bit
        && !d.limit_in_pages && !d.useable && d.contents == 0;
    // Linux's fill_ldt(): data or code per `contents`, writable unless read_exec_only, DPL 3, accessed.
    u8 type = static_cast<u8>(((d.read_exec_only ? 0 : 1) << 1) | (d.contents << 2) | 1);
    u8 access = static_cast<u8>((d.seg_not_present ? 0 : 0x80) | (3 << 5) | 0x10 | type);
    u8 flags = static_cast<u8>((d.limit_in_pages ? 8 : 0) | (d.seg_32bit ? 4 : 0) | (d.useable ? 1 : 0));
    i386::set_gdt_entry(index, empty ? 0 : d.base, empty ? 0 : d.limit, empty ? 0 : access, empty ? 0 : flags);
}

} // namespace arch
