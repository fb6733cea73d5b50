// User mode: copies to and from user memory, system calls and traps, signal frames, TLS, and the
// scheduler's hooks on the way back to user mode.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

// --- User memory ---
// Called for a page fault at a user address, from user mode or from one of the copies below. `present`: the
// page was mapped but forbade the access. Resolved: the access is retried; otherwise user code gets SIGSEGV,
// or SIGBUS (BUS_ADRERR) for a page past the end of the file it maps, and a copy fails either way.
enum class FaultOutcome : u8 { Resolved, Segv, Bus };
using PageFaultHandler = FaultOutcome (*)(uptr address, bool write, bool present);
void set_page_fault_handler(PageFaultHandler handler);
// Copies between the kernel and the active user address space. The caller has checked that the user range
// lies below kUserEnd; a fault the handler cannot resolve stops the copy. Returns the bytes not copied.
usize copy_from_user_raw(void* to, uptr from, usize length);
usize copy_to_user_raw(uptr to, const void* from, usize length);
// Copies a string up to and including its NUL, at most `size` bytes. Returns its length without the NUL,
// `size` when no NUL came within it, or -1 on a fault.
isize copy_string_from_user_raw(char* to, uptr from, usize size);

// --- User mode ---
// Where user code should make its system calls (AT_SYSINFO: the vDSO's __kernel_vsyscall, read-only in every
// address space, entering by sysenter), or 0 when there is no such page and int 0x80 is the way.
uptr user_syscall_entry();
// Where the vDSO's ELF header is in every address space (AT_SYSINFO_EHDR), or 0 when there is no vDSO.
uptr user_vdso_address();
// How many bytes from `address`, above kUserEnd, lie in the read-only pages every address space shows user
// mode there (the vDSO and its clock page); 0 for any other address. System calls may read them, as they
// read a Linux program's vDSO (ld.so prints its name from it); they are never writable.
usize user_readable_above_end(uptr address);
// The registers a system call sees (Linux i386: the number in eax, arguments in ebx, ecx, edx, esi, edi, ebp).
struct SyscallArgs {
    u32 number;
    u32 arg[6];
};
// Runs a system call and returns what the program finds in eax (a value, or -errno).
using SyscallHandler = i32 (*)(const SyscallArgs& args);
void set_syscall_handler(SyscallHandler handler);

// A CPU exception in user mode that the page-fault handler did not resolve; `signal` is the one Linux sends
// for it (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP).
struct UserTrap {
    int signal;
    uptr address; // the faulting address for SIGSEGV and SIGBUS
    uptr pc;
    bool mapped;  // SIGSEGV: the page was mapped but forbade the access (SEGV_ACCERR), else SEGV_MAPERR
    bool past_end; // SIGBUS from a page fault: the page lies past the end of what it maps (BUS_ADRERR)
};
using UserTrapHandler = void (*)(const UserTrap& trap);
void set_user_trap_handler(UserTrapHandler handler);

// --- Signal frames ---
// The registers user mode resumes with, as saved on entry to the kernel (opaque).
struct UserFrame;
// What a signal handler is called with (Linux's i386 rt_sigframe).
struct SignalFrameRequest {
    int signal;
    uptr handler;
    uptr restorer;     // where the handler returns (SA_RESTORER); 0: a trampoline inside the frame
    u64 saved_mask;    // what sigreturn restores
    const u8* siginfo; // 128 bytes laid out as siginfo_t for an SA_SIGINFO handler (rt frame); nullptr: plain
    uptr stack_top;    // where the frame goes: the alternate signal stack's top, or 0 for the interrupted stack
    u32 alt_stack_base, alt_stack_size, alt_stack_flags; // what the ucontext's uc_stack reports
};
// The user stack pointer the frame will resume with.
uptr frame_stack_pointer(const UserFrame& frame);
// Pushes the frame (siginfo and a ucontext, or the old sigcontext frame, with the interrupted registers and
// mask, and the FPU state) onto the user stack and makes `frame` resume in the handler. EFAULT when the stack
// cannot take it.
Result<void> push_signal_frame(UserFrame& frame, const SignalFrameRequest& request);
// sigreturn (rt: rt_sigreturn): puts back the registers and FPU state saved by push_signal_frame (made safe:
// no privilege can be gained) and returns the saved mask and, from an rt frame, its uc_stack (which
// rt_sigreturn makes the alternate stack again). EFAULT when the frame is unreadable.
struct PoppedSignalFrame {
    u64 mask;
    bool has_alt_stack;
    u32 alt_stack_base, alt_stack_size, alt_stack_flags;
};
Result<PoppedSignalFrame> pop_signal_frame(UserFrame& frame, bool rt);
// The frame of the system call being handled; a system call's result as it stands in its frame; restarting it.
UserFrame* current_user_frame();
i32 frame_result(const UserFrame& frame);
void set_frame_result(UserFrame& frame, i32 result);
void restart_syscall(UserFrame& frame, u32 number);
// execve: the frame resumes a new program at `entry` with its stack pointer at `stack` and every other
// register cleared, as a fresh process starts.
void start_program(UserFrame& frame, uptr entry, uptr stack);

// Called on every timer tick (interrupts off) and before every return to user mode, where switching tasks
// and delivering signals are safe: the scheduler's hooks.
// The tick hook learns whether the tick interrupted user code (user time) or the kernel (system time).
void set_scheduler_hooks(void (*tick)(bool in_user_mode), void (*before_user_return)(UserFrame& frame));

// i386 thread-local storage (set_thread_area): the three GDT entries Linux gives user programs.
inline constexpr u32 kFirstTlsEntry = 6, kTlsEntries = 3;
// struct user_desc (asm/ldt.h), with its bit fields unpacked.
struct TlsDescriptor {
    u32 base;
    u32 limit;
    bool seg_32bit, read_exec_only, limit_in_pages, seg_not_present, useable;
    u8 contents;
};
// Loads the descriptor for TLS entry `index` (kFirstTlsEntry ..) into the CPU; an all-clear descriptor
// (base and limit 0, read_exec_only and seg_not_present set) empties it.
void load_tls_descriptor(u32 index, const TlsDescriptor& descriptor);

} // namespace arch
