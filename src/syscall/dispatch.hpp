// The system-call table: numbers to handlers and argument kinds, generated from syscalls.def (GUIDE §5).
#pragma once

#include "arch/arch.hpp"

namespace sys {

// One past the highest Linux i386 system-call number (asm/unistd_32.h).
inline constexpr u32 kSyscallCount = 451;

// Runs the call in `args` and returns what goes back in eax: a value, or -errno. A number with no handler
// gives ENOSYS and logs its name once.
i32 dispatch(const arch::SyscallArgs& args);

// The call's name ("write"), or nullptr for a number Linux does not use.
const char* syscall_name(u32 number);
bool is_implemented(u32 number);

// What each argument of a call is (arg_kinds.def), for the trace and the fuzzers.
enum class ArgKind : u8 {
#define ARG_KIND(name, meaning) name,
#include "syscall/arg_kinds.def"
#undef ARG_KIND
};
struct Signature {
    u8 count; // the handler's parameters
    ArgKind kinds[6];
};
// The arguments of an implemented call, or nullptr.
const Signature* syscall_signature(u32 number);

} // namespace sys
