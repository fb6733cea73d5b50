// An strace-style trace of system calls (`strace=1` or `strace=PID` on the kernel command line): one line per
// call of the chosen processes, its arguments decoded by their kinds in syscalls.def, the table the fuzzers draw from too.
#pragma once

#include "arch/arch.hpp"
#include "lib/types.hpp"

namespace sys {

// `strace=` as given: "1" (or "all") traces every process, a number above 1 that process (all its threads),
// "0" nothing. False when the value is none of these.
bool set_trace(const char* value);
void stop_trace();

// Whether the calls of thread `tid` in process `tgid` are traced.
bool tracing(i32 tgid);

// Formats "name(arg, arg, ...)" for the call in `args` into `out` (NUL-terminated, cut with "..." when it does
// not fit), reading strings from the caller's memory; returns the length.
usize format_call(char* out, usize size, const arch::SyscallArgs& args);
// Appends " = result" in strace's form: a value, a hex address for the calls that return one, or "-1 ENAME".
usize format_result(char* out, usize size, u32 number, i32 result);

} // namespace sys
