// Linux's i386 signal frame (arch/x86/include/asm/sigframe.h, uapi asm/sigcontext.h and asm/ucontext.h):
// what a handler finds on its stack, and what rt_sigreturn reads back. musl relies on this exact layout.
#include "arch/arch.hpp"
#include "arch/i386/interrupts.hpp"
#include "lib/string.hpp"
#include "mm/uaccess.hpp"

struct arch::UserFrame : i386::InterruptFrame { };

namespace arch {

namespace {

// struct sigcontext_32.
struct SigContext {
    u16 gs, gs_high, fs, fs_high, es, es_high, ds, ds_high;
    u32 edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err, eip;
    u16 cs, cs_high;
    u32 eflags, esp_at_signal;
    u16 ss, ss_high;
    u32 fpstate, oldmask, cr2;
};
static_assert(sizeof(SigContext) == 88);

struct UContext {
    u32 flags, link;
    u32 stack_pointer, stack_flags, stack_size; // stack_t
    SigContext mcontext;
    u64 sigmask;
};
static_assert(sizeof(UContext) == 116);

// For SA_SIGINFO handlers.
struct RtSigFrame {
    u32 return_address;
    i32 signal;
    u32 info_address;
    u32 context_address;
    u8 info[128];
    UContext context;
    u8 trampoline[8];
};
static_assert(sizeof(RtSigFrame) == 268);

// For plain handlers: Linux's struct sigframe_ia32, whose return path is the old sigreturn (musl's __restore
// pops the signal number and calls it).
struct SigFrame {
    u32 return_address;
    i32 signal;
    SigContext context;
    u8 fpstate_unused[624]; // struct _fpstate_32: ours is kept above the frame instead
    u32 extra_mask;         // the mask's high 32 bits; the low ones are in context.oldmask
    u8 trampoline[8];
};
static_assert(sizeof(SigFrame) == 732);

constexpr u32 kUserCode = 0x73, kUserData = 0x7B;
constexpr u8 kSysSigreturn = 119, kSysRtSigreturn = 173;
// The flags user code may change through a signal frame (Linux's FIX_EFLAGS); IF stays set.
constexpr u32 kUserFlags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000;
constexpr u32 kEflagsInterrupts = 0x200, kEflagsTrap = 0x100, kEflagsDirection = 0x400;
constexpr u32 kMxcsrValidBits = 0xFFBF; // writing reserved MXCSR bits would fault FXRSTOR in the kernel

// A data selector user code may load: null, the user data segment, or a TLS entry, all at privilege 3.
u32 safe_selector(u32 selector)
{
    u32 index = selector >> 3;
    bool tls = index >= kFirstTlsEntry && index < kFirstTlsEntry + kTlsEntries;
    if (selector == 0 || selector == kUserData || (tls && (selector & 7) == 3))
        return selector;
    return 0;
}

constexpr usize kLargestFrame = sizeof(SigFrame) > sizeof(RtSigFrame) ? sizeof(SigFrame) : sizeof(RtSigFrame);

SigContext save_context(const UserFrame& f, u64 mask)
{
    return { static_cast<u16>(f.gs), 0, static_cast<u16>(f.fs), 0, static_cast<u16>(f.es), 0, static_cast<u16>(f.ds),
        0, f.edi, f.esi, f.ebp, f.user_esp, f.ebx, f.edx, f.ecx, f.eax, f.vector, f.error_code, f.eip,
        static_cast<u16>(f.cs), 0, f.eflags, f.user_esp, static_cast<u16>(f.user_ss), 0,
        0, // fpstate: ours is not a struct _fpstate programs should read
        static_cast<u32>(mask), 0 };
}

void restore_context(UserFrame& f, const SigContext& c)
{
    f.gs = safe_selector(c.gs);
    f.fs = safe_selector(c.fs);
    f.es = safe_selector(c.es) ? safe_selector(c.es) : kUserData;
    f.ds = safe_selector(c.ds) ? safe_selector(c.ds) : kUserData;
    f.edi = c.edi;
    f.esi = c.esi;
    f.ebp = c.ebp;
    f.ebx = c.ebx;
    f.edx = c.edx;
    f.ecx = c.ecx;
    f.eax = c.eax;
    f.eip = c.eip;
    f.user_esp = c.esp;
    f.cs = kUserCode;
    f.user_ss = kUserData;
    f.eflags = (f.eflags & ~kUserFlags) | (c.eflags & kUserFlags) | kEflagsInterrupts;
}

// The FPU state is saved above the frame, 16-byte aligned (FXSAVE's requirement): where it is follows from
// the frame's own address and size.
uptr fpu_address(uptr frame_at, usize frame_size) { return (frame_at + frame_size + 4 + 15) & ~uptr { 15 }; }

void restore_fpu(uptr frame_at, usize frame_size)
{
    alignas(16) u8 fpu[kFpuStateBytes];
    if (mm::copy_from_user(fpu, fpu_address(frame_at, frame_size), sizeof(fpu)).is_error())
        return;
    u32 mxcsr;
    copy_bytes(&mxcsr, fpu + 24, sizeof(mxcsr)); // FXSAVE layout: MXCSR at byte 24
    mxcsr &= kMxcsrValidBits;
    copy_bytes(fpu + 24, &mxcsr, sizeof(mxcsr));
    fpu_restore(fpu);
}

} // namespace

Result<void> push_signal_frame(UserFrame& f, const SignalFrameRequest& request)
{
    usize frame_size = request.siginfo ? sizeof(RtSigFrame) : sizeof(SigFrame);
    uptr stack = request.stack_top ? request.stack_top : f.user_esp;
    if (stack < kLargestFrame + kFpuStateBytes + 64)
        return Errno::FAULT;
    // At the handler's first instruction esp + 4 is 16-byte aligned, as after a call (i386 ABI); the FPU
    // state goes just above the frame.
    uptr frame_at = ((stack - kFpuStateBytes - 32 - frame_size + 4) & ~uptr { 15 }) - 4;
    alignas(16) u8 fpu[kFpuStateBytes];
    fpu_save(fpu);
    TRY(mm::copy_to_user(fpu_address(frame_at, frame_size), fpu, sizeof(fpu)));

    uptr return_to;
    if (request.siginfo) {
        RtSigFrame frame {};
        frame.signal = request.signal;
        frame.info_address = static_cast<u32>(frame_at + __builtin_offsetof(RtSigFrame, info));
        frame.context_address = static_cast<u32>(frame_at + __builtin_offsetof(RtSigFrame, context));
        copy_bytes(frame.info, request.siginfo, sizeof(frame.info));
        frame.context.mcontext = save_context(f, request.saved_mask);
        frame.context.sigmask = request.saved_mask;
        frame.context.stack_pointer = request.alt_stack_base;
        frame.context.stack_size = request.alt_stack_size;
        frame.context.stack_flags = request.alt_stack_flags;
        // movl $__NR_rt_sigreturn, %eax; int $0x80
        const u8 trampoline[8] = { 0xB8, kSysRtSigreturn, 0, 0, 0, 0xCD, 0x80, 0 };
        copy_bytes(frame.trampoline, trampoline, sizeof(trampoline));
        return_to = frame_at + __builtin_offsetof(RtSigFrame, trampoline);
        frame.return_address = static_cast<u32>(request.restorer ? request.restorer : return_to);
        TRY(mm::copy_to_user(frame_at, &frame, sizeof(frame)));
        f.edx = frame.info_address;
        f.ecx = frame.context_address;
    } else {
        SigFrame frame {};
        frame.signal = request.signal;
        frame.context = save_context(f, request.saved_mask);
        frame.extra_mask = static_cast<u32>(request.saved_mask >> 32);
        // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
        const u8 trampoline[8] = { 0x58, 0xB8, kSysSigreturn, 0, 0, 0, 0xCD, 0x80 };
        copy_bytes(frame.trampoline, trampoline, sizeof(trampoline));
        return_to = frame_at + __builtin_offsetof(SigFrame, trampoline);
        frame.return_address = static_cast<u32>(request.restorer ? request.restorer : return_to);
        TRY(mm::copy_to_user(frame_at, &frame, sizeof(frame)));
        f.edx = f.ecx = 0;
    }
    f.user_esp = static_cast<u32>(frame_at);
    f.eip = static_cast<u32>(request.handler);
    f.eax = static_cast<u32>(request.signal);
    f.cs = kUserCode;
    f.ds = f.es = f.user_ss = kUserData;
    f.eflags &= ~(kEflagsTrap | kEflagsDirection);
    return {};
}

Result<PoppedSignalFrame> pop_signal_frame(UserFrame& f, bool rt)
{
    if (rt) {
        // The handler returned into the restorer, which popped the return address: esp is the frame + 4.
        uptr frame_at = f.user_esp - 4;
        RtSigFrame frame;
        TRY(mm::copy_from_user(&frame, frame_at, sizeof(frame)));
        restore_context(f, frame.context.mcontext);
        restore_fpu(frame_at, sizeof(frame));
        return PoppedSignalFrame { frame.context.sigmask, true, frame.context.stack_pointer, frame.context.stack_size,
            frame.context.stack_flags };
    }
    // The old frame's restorer also popped the signal number: esp is the frame + 8.
    uptr frame_at = f.user_esp - 8;
    SigFrame frame;
    TRY(mm::copy_from_user(&frame, frame_at, sizeof(frame)));
    restore_context(f, frame.context);
    restore_fpu(frame_at, sizeof(frame));
    return PoppedSignalFrame { frame.context.oldmask | static_cast<u64>(frame.extra_mask) << 32, false, 0, 0, 0 };
}

uptr frame_stack_pointer(const UserFrame& frame) { return frame.user_esp; }

UserFrame* current_user_frame()
{
    return static_cast<UserFrame*>(const_cast<i386::InterruptFrame*>(i386::current_syscall_frame()));
}

i32 frame_result(const UserFrame& frame) { return static_cast<i32>(frame.eax); }
void set_frame_result(UserFrame& frame, i32 result) { frame.eax = static_cast<u32>(result); }

void restart_syscall(UserFrame& frame, u32 number)
{
    frame.eip -= 2; // int 0x80 is two bytes: run it again
    frame.eax = number;
}

void start_program(UserFrame& frame, uptr entry, uptr stack)
{
    frame.gs = frame.fs = 0;
    frame.es = frame.ds = frame.user_ss = kUserData;
    frame.edi = frame.esi = frame.ebp = frame.ebx = frame.edx = frame.ecx = frame.eax = 0;
    frame.eip = static_cast<u32>(entry);
    frame.cs = kUserCode;
    frame.eflags = 0x202; // interrupts on, nothing else
    frame.user_esp = static_cast<u32>(stack);
}

} // namespace arch
