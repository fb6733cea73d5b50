// Linux's i386 signal frame (arch/x86/include/asm/sigframe.h, uapi asm/sigcontext.h and asm/ucontext.h):
// what a handler finds on its stack, and what sigreturn reads back; musl relies on this exact layout.
// Not for portable code: the two implementations of push_signal_frame (i386, and the sim, which describes
// an i386 machine) share it, so that host tests see the frame the real machine writes.
#pragma once

#include "arch/cpu.hpp"
#include "arch/user.hpp"
#include "lib/string.hpp"
#include "lib/types.hpp"

namespace arch::signal_frame {

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

// Packed to i386 alignment (u64 is 4-aligned there), so that the 64-bit host sees the same layout.
struct [[gnu::packed, gnu::aligned(4)]] UContext {
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

inline constexpr u32 kUserCode = 0x73, kUserData = 0x7B;
inline constexpr u8 kSysSigreturn = 119, kSysRtSigreturn = 173;
inline constexpr usize kLargestFrame = sizeof(SigFrame) > sizeof(RtSigFrame) ? sizeof(SigFrame) : sizeof(RtSigFrame);
// What the handler's return pops before the restorer's sigreturn runs: the return address, and for the old
// frame also the signal number (popl %eax). sigreturn finds its frame this far below the stack pointer.
inline constexpr uptr kRtReturnPops = 4, kPlainReturnPops = 8;

inline usize frame_size(const SignalFrameRequest& request)
{
    return request.siginfo ? sizeof(RtSigFrame) : sizeof(SigFrame);
}

// Where the frame goes below `stack`, or 0 when the stack is too low to take it. At the handler's first
// instruction esp + 4 is 16-byte aligned, as after a call (i386 ABI); the FPU state goes just above the frame.
inline uptr frame_address(uptr stack, usize size)
{
    if (stack < kLargestFrame + kFpuStateBytes + 64)
        return 0;
    return ((stack - kFpuStateBytes - 32 - size + 4) & ~uptr { 15 }) - 4;
}

// The FPU state is saved above the frame, 16-byte aligned (FXSAVE's requirement): where it is follows from
// the frame's own address and size.
inline uptr fpu_address(uptr frame_at, usize size) { return (frame_at + size + 4 + 15) & ~uptr { 15 }; }

// Fills the frame at user address `frame_at` around the interrupted registers `context`; returns the address
// of its trampoline. The caller copies it out and points the registers at the handler.
inline uptr build_rt_frame(RtSigFrame& frame, uptr frame_at, const SignalFrameRequest& request, const SigContext& context)
{
    frame = {};
    frame.signal = request.signal;
    frame.info_address = static_cast<u32>(frame_at + __builtin_offsetof(RtSigFrame, info));
    frame.context_address = static_cast<u32>(frame_at + __builtin_offsetof(RtSigFrame, context));
    copy_bytes(frame.info, request.siginfo, sizeof(frame.info));
    copy_bytes(&frame.context.mcontext, &context, sizeof(context));
    frame.context.sigmask = request.saved_mask;
    frame.context.stack_pointer = request.alt_stack_base;
    frame.context.stack_size = request.alt_stack_size;
    frame.context.stack_flags = request.alt_stack_flags;
    // movl $__NR_rt_sigreturn, %eax; int $0x80
    const u8 trampoline[8] = { 0xB8, kSysRtSigreturn, 0, 0, 0, 0xCD, 0x80, 0 };
    copy_bytes(frame.trampoline, trampoline, sizeof(trampoline));
    uptr return_to = frame_at + __builtin_offsetof(RtSigFrame, trampoline);
    frame.return_address = static_cast<u32>(request.restorer ? request.restorer : return_to);
    return return_to;
}

inline uptr build_plain_frame(SigFrame& frame, uptr frame_at, const SignalFrameRequest& request, const SigContext& context)
{
    frame = {};
    frame.signal = request.signal;
    frame.context = context;
    frame.extra_mask = static_cast<u32>(request.saved_mask >> 32);
    // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
    const u8 trampoline[8] = { 0x58, 0xB8, kSysSigreturn, 0, 0, 0, 0xCD, 0x80 };
    copy_bytes(frame.trampoline, trampoline, sizeof(trampoline));
    uptr return_to = frame_at + __builtin_offsetof(SigFrame, trampoline);
    frame.return_address = static_cast<u32>(request.restorer ? request.restorer : return_to);
    return return_to;
}

inline PoppedSignalFrame popped(const RtSigFrame& frame)
{
    return { frame.context.sigmask, true, frame.context.stack_pointer, frame.context.stack_size,
        frame.context.stack_flags };
}

inline PoppedSignalFrame popped(const SigFrame& frame)
{
    return { frame.context.oldmask | static_cast<u64>(frame.extra_mask) << 32, false, 0, 0, 0 };
}

} // namespace arch::signal_frame
