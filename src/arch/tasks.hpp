// Tasks: each runs in the kernel on a stack of its own; switching tasks is switching stacks.
// One topic of the arch interface (arch.hpp).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

namespace arch {

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

} // namespace arch
