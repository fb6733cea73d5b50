// Process: what the kernel knows about a running program. Until the scheduler arrives there is one, the
// first process (pid 1), run to completion by run_init(); its fields are the ones the system calls need.
#pragma once

#include "arch/arch.hpp"
#include "lib/own_ptr.hpp"
#include "mm/address_space.hpp"

namespace proc {

// Signal numbers (asm/signal.h) the kernel raises itself so far.
inline constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigKill = 9, kSigSegv = 11;

struct Credentials {
    u32 uid, euid, suid, fsuid;
    u32 gid, egid, sgid, fsgid;
};

struct Process {
    i32 pid { 1 };
    i32 ppid { 0 };
    char name[16] {}; // comm: the executable's base name, as prctl(PR_GET_NAME) and /proc show it
    OwnPtr<mm::AddressSpace> space;
    Credentials credentials {};
    uptr clear_child_tid { 0 }; // set_tid_address
    arch::TlsDescriptor tls[arch::kTlsEntries] {};
    bool tls_used[arch::kTlsEntries] {};
};

// The process running now; nullptr in the kernel's own context.
Process* current();

// A new address space holding the executable and its initial stack: argc, argv, envp and the auxiliary
// vector as the i386 ABI and musl expect (man 3 getauxval). `argv` and `envp` end with nullptr.
struct ExecImage {
    OwnPtr<mm::AddressSpace> space;
    uptr entry;
    uptr stack;
};
Result<ExecImage> prepare_exec(const u8* bytes, usize size, const char* const* argv, const char* const* envp,
    const char* execfn);

// Runs the executable as pid 1 until it exits or is killed; returns its wait status as Linux encodes it
// (exit code << 8, or the signal number). ENOEXEC and friends when it cannot be started.
Result<u32> run_init(const u8* bytes, usize size, const char* const* argv, const char* const* envp);

// Ends the current process with a wait status (called by exit_group and by fatal traps).
[[noreturn]] void exit_current(u32 wait_status);

// Installs the system-call and user-trap handlers (once, at boot).
void install_user_mode_handlers();

} // namespace proc
