// Futexes (man 2 futex): threads sleep on a word of user memory until another wakes them. The kernel keeps
// only the sleepers, keyed by address space and address; the word itself is the program's.
#pragma once

#include "lib/result.hpp"
#include "mm/address_space.hpp"

namespace proc {

inline constexpr u32 kFutexBitsetAll = 0xFFFFFFFF;

// Sleeps while the word at `address` holds `expected`, until futex_wake() names a bit of `bitset`, the tick
// clock reaches `deadline` (kNoDeadline: none), or a signal comes. EAGAIN when the word differs, ETIMEDOUT, EFAULT,
// EINVAL for a misaligned address; a signal gives ERESTARTSYS (no deadline) or ERESTARTNOHAND.
Result<void> futex_wait(uptr address, u32 expected, u32 bitset, u64 deadline);
// Wakes up to `count` sleepers on `address` in `space` whose bitset meets `bitset`, oldest first (at least
// one when `count` is 0 or less, as Linux does). Returns how many woke.
i32 futex_wake(const mm::AddressSpace* space, uptr address, i32 count, u32 bitset);
// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to `wake_count` sleepers on `from` and moves up to
// `requeue_count` more to `to`; with `expected`, only while the word at `from` holds it (else EAGAIN).
// Returns the number woken plus the number moved.
Result<i32> futex_requeue(uptr from, uptr to, i32 wake_count, i32 requeue_count, const u32* expected);
// Sleepers on futexes of `space` (for tests and leak checks).
usize futex_sleepers(const mm::AddressSpace* space);

} // namespace proc
