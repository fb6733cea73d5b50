// Signal frames on the real machine: the registers of an interrupt frame into and out of the layout
// arch/signal_frame.hpp describes.
#include "arch/arch.hpp"
#include "arch/signal_frame.hpp"
#include "arch/i386/interrupts.hpp"
#include "lib/string.hpp"
#include "mm/uaccess.hpp"

struct arch::UserFrame : i386::InterruptFrame { };

namespace arch {

namespace {

using namespace signal_frame;

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

void restore_fpu(uptr frame_at, usize frame_size)
{
    alignas(16) u8 fpu[kFpuStateBytes];
    if (mm::copy_array_from_user(fpu, mm::UserIn<u8>(fpu_address(frame_at, frame_size)), sizeof(fpu)).is_error())
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
    usize size = frame_size(request);
    uptr frame_at = frame_address(request.stack_top ? request.stack_top : f.user_esp, size);
    if (!frame_at)
        return Errno::FAULT;
    alignas(16) u8 fpu[kFpuStateBytes];
    fpu_save(fpu);
    TRY(mm::copy_array_to_user(mm::UserOut<u8>(fpu_address(frame_at, size)), fpu, sizeof(fpu)));

    if (request.siginfo) {
        RtSigFrame frame;
        build_rt_frame(frame, frame_at, request, save_context(f, request.saved_mask));
        TRY(mm::copy_to_user(mm::UserOut<decltype(frame)>(frame_at), frame));
        f.edx = frame.info_address;
        f.ecx = frame.context_address;
    } else {
        SigFrame frame;
        build_plain_frame(frame, frame_at, request, save_context(f, request.saved_mask));
        TRY(mm::copy_to_user(mm::UserOut<decltype(frame)>(frame_at), frame));
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
        uptr frame_at = f.user_esp - kRtReturnPops;
        RtSigFrame frame;
        TRY(mm::copy_from_user(frame, mm::UserIn<decltype(frame)>(frame_at)));
        restore_context(f, frame.context.mcontext);
        restore_fpu(frame_at, sizeof(frame));
        return popped(frame);
    }
    // The old frame's restorer also popped the signal number: esp is the frame + 8.
    uptr frame_at = f.user_esp - kPlainReturnPops;
    SigFrame frame;
    TRY(mm::copy_from_user(frame, mm::UserIn<decltype(frame)>(frame_at)));
    restore_context(f, frame.context);
    restore_fpu(frame_at, sizeof(frame));
    return popped(frame);
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
