// The arch interface: everything portable code may ask of the machine (GUIDE §2).
// Implemented twice: src/arch/i386 (the real machine) and src/sim (host memory, for tests).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

struct SelfTest;

namespace arch {

struct Bytes {
    const u8* data;
    usize size;
};
struct SelfTests {
    const SelfTest* data;
    usize count;
};

// --- Interrupts ---
void interrupts_enable();
void interrupts_disable();
bool interrupts_enabled();

// Disables interrupts for its lifetime and restores the previous state after.
class InterruptGuard {
public:
    InterruptGuard() : m_were_enabled(interrupts_enabled()) { interrupts_disable(); }
    ~InterruptGuard()
    {
        if (m_were_enabled)
            interrupts_enable();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    bool m_were_enabled;
};

// --- Port I/O, for the protocol logic of drivers ---
u8 port_read8(u16 port);
void port_write8(u16 port, u8 value);
u16 port_read16(u16 port);
void port_write16(u16 port, u16 value);
u32 port_read32(u16 port);
void port_write32(u16 port, u32 value);

// --- Time ---
// Periodic timer interrupts since boot, and their rate.
u64 timer_ticks();
u32 timer_hz();

// --- Physical memory ---
// A kernel pointer to [phys, phys + length) if that range is reachable, else nullptr.
void* phys_to_virt(PhysAddr phys, usize length);
// The inverse for a pointer into the direct map (as phys_to_virt gave it); anything else is a kernel bug.
PhysAddr virt_to_phys(const void* pointer);
// Physical memory below this address is reachable through phys_to_virt (the kernel's direct map).
u64 direct_map_limit();
// Where the kernel image (code, data, bss) lies in physical memory, [start, end).
struct PhysSpan {
    PhysAddr start;
    PhysAddr end;
};
PhysSpan kernel_image();

// --- Page tables ---
// One user address space's page tables; the kernel's half of the address space is shared by all of them.
struct PageTables;

// User addresses are [0, kUserEnd) on i386 (the kernel owns the top gigabyte); the sim uses the same split.
inline constexpr uptr kUserEnd = 0xC0000000;
inline constexpr usize kPageBytes = 4096;

// What a mapping allows. Access 0 keeps the frame mapped but makes every access fault, the kernel's included
// (PROT_NONE: its contents must survive an mprotect back, but no copy_from_user may read them).
enum PageAccess : u32 {
    kPageWritable = 1u << 0,
    kPageUser = 1u << 1, // reachable from user mode
};

struct PageMapping {
    PhysAddr phys;
    u32 access; // PageAccess bits
};

// Empty user half, shared kernel half; ENOMEM when no page is left for the directory.
Result<PageTables*> create_page_tables();
// Frees the tables themselves (not the pages they mapped). Must not be the active tables.
void destroy_page_tables(PageTables* tables);
// Maps the user page at `virt` (page-aligned, below kUserEnd) to `phys`, replacing any mapping there;
// ENOMEM when a page-table page is needed and none is left. The TLB is kept coherent.
Result<void> map_page(PageTables* tables, uptr virt, PhysAddr phys, u32 access);
// Removes the mapping at `virt`, if any.
void unmap_page(PageTables* tables, uptr virt);
// Changes the access of an existing mapping; false when `virt` is not mapped.
bool protect_page(PageTables* tables, uptr virt, u32 access);
// The same without keeping the TLB coherent: for changing many pages, followed by flush_tlb().
bool protect_page_unflushed(PageTables* tables, uptr virt, u32 access);
void flush_tlb(PageTables* tables);
// The mapping at `virt`, if any.
bool query_page(PageTables* tables, uptr virt, PageMapping& out);
// The first mapped page in [virt, end) with its mapping, skipping unmapped stretches wholesale; false when
// there is none. For walking sparse areas (fork, unmap, teardown) without a query per page.
bool next_mapped_page(PageTables* tables, uptr virt, uptr end, uptr& page, PageMapping& out);
// Makes `tables` the current user address space (nullptr: only the kernel half).
void activate_page_tables(PageTables* tables);

// --- User memory ---
// Called for a page fault at a user address, from user mode or from one of the copies below; returns whether
// it was resolved (the access is then retried). `present`: the page was mapped but forbade the access.
using PageFaultHandler = bool (*)(uptr address, bool write, bool present);
void set_page_fault_handler(PageFaultHandler handler);
// Copies between the kernel and the active user address space. The caller has checked that the user range
// lies below kUserEnd; a fault the handler cannot resolve stops the copy. Returns the bytes not copied.
usize copy_from_user_raw(void* to, uptr from, usize length);
usize copy_to_user_raw(uptr to, const void* from, usize length);
// Copies a string up to and including its NUL, at most `size` bytes. Returns its length without the NUL,
// `size` when no NUL came within it, or -1 on a fault.
isize copy_string_from_user_raw(char* to, uptr from, usize size);

// --- User mode ---
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
};
using UserTrapHandler = void (*)(const UserTrap& trap);
void set_user_trap_handler(UserTrapHandler handler);

// --- Tasks ---
// Every task runs in the kernel on a stack of its own; switching tasks is switching stacks.
// Builds the first frame on a new task's kernel stack [base, base + size) so that switching to the returned
// stack pointer enters user mode at `entry` with the user stack pointer `user_stack`.
uptr prepare_user_start(u8* base, usize size, uptr entry, uptr user_stack);
// The same for fork's and clone's child: it returns to user mode where the current system call will, with
// `result` in eax, and its stack pointer at `user_stack` (0: where the caller's is). Only valid inside a
// system call.
uptr prepare_fork_return(u8* base, usize size, u32 result, uptr user_stack = 0);
// Saves where the current task stands in *save and continues the one whose stack pointer is `next`.
void switch_stacks(uptr* save, uptr next);
// The current task has ended: continue `next`, never to come back.
[[noreturn]] void exit_to(uptr next);
// A stopped task (its saved stack pointer given) is being torn down and will never run again.
void discard_task(uptr saved);
// The kernel stack the CPU switches to when user code traps (TSS.esp0): the running task's.
void set_trap_stack(u8* base, usize size);
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

// --- Floating-point and vector registers ---
// Each process has its own x87/SSE state, saved and restored when the scheduler switches: an opaque buffer of
// kFpuStateBytes, aligned to kFpuStateAlignment.
inline constexpr usize kFpuStateBytes = 512, kFpuStateAlignment = 16;
void fpu_save(void* state);
void fpu_restore(const void* state);
// The state a new program starts with (after FNINIT, MXCSR at its reset value).
void fpu_initial_state(void* state);

// --- CPU ---
// What the CPU supports, as user programs read it from AT_HWCAP (on i386, CPUID leaf 1's edx).
u32 cpu_features();
// Waits for the next interrupt (hlt); returns after it was handled.
void wait_for_interrupt();
[[noreturn]] void halt_forever();
// Leaves the emulator with a status when it offers a way (QEMU's isa-debug-exit); otherwise halts.
[[noreturn]] void exit_emulator(bool success);

// --- Diagnostics ---
// Return addresses of the current call chain, innermost first, skipping `skip` frames.
usize capture_backtrace(uptr* out, usize max, usize skip);
// Writes the registers saved at the last exception (or the current ones) through `line`.
void dump_registers(void (*line)(const char*));

// The symbol table embedded in the kernel image at build time (tools/gen-ksyms.py); empty when absent.
Bytes kernel_symbols();
// The kernel self-tests linked into this image (KERNEL_SELFTEST in kernel/selftest.hpp).
SelfTests self_tests();

} // namespace arch
