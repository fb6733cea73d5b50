// Futex sleepers wait on a small hash table of wait queues, each sleeper an exclusive entry on its own kernel
// stack that names the word. The kernel is not preemptible, so reading the word and queueing behind it cannot
// race with a waker.
#include "proc/futex.hpp"

#include "kernel/boot_state.hpp"
#include "lib/intrusive_list.hpp"
#include "mm/uaccess.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace proc {

namespace {

// One sleeper: an exclusive entry on its bucket's queue, with the word it sleeps on.
struct FutexWaiter : WaitEntry {
    FutexWaiter(WaitQueue& bucket, const mm::AddressSpace* space_, uptr address_, u32 bitset_)
        : WaitEntry(bucket, true)
        , space(space_)
        , address(address_)
        , bitset(bitset_)
    {
    }
    const mm::AddressSpace* space;
    uptr address;
    u32 bitset;
};

constexpr usize kBuckets = 64;
WaitQueue g_buckets[kBuckets];
// A sleeper torn down with its machine stays linked here, its entry in freed memory: the next machine's wake
// on the same bucket would walk it.
kernel::BootStateReset g_boot_state([] {
    for (WaitQueue& bucket : g_buckets)
        bucket.forget_waiters();
});

WaitQueue& bucket_of(const mm::AddressSpace* space, uptr address)
{
    auto key = static_cast<u64>(reinterpret_cast<uptr>(space)) ^ (static_cast<u64>(address) >> 2);
    return g_buckets[(key * 0x9E3779B97F4A7C15ull) >> 58];
}

FutexWaiter& waiter_of(WaitEntry& entry) { return static_cast<FutexWaiter&>(entry); }

bool is_for(WaitEntry& entry, const mm::AddressSpace* space, uptr address)
{
    FutexWaiter& waiter = waiter_of(entry);
    return waiter.space == space && waiter.address == address;
}

Result<u32> read_word(uptr address)
{
    if (address & 3)
        return Errno::INVAL;
    u32 value;
    TRY(mm::copy_from_user(value, mm::UserIn<u32>(address)));
    return value;
}

} // namespace

Result<void> futex_wait(uptr address, u32 expected, u32 bitset, u64 deadline)
{
    if (!bitset)
        return Errno::INVAL;
    u32 value = TRY(read_word(address));
    if (value != expected)
        return Errno::AGAIN;
    Thread& self = *current();
    FutexWaiter waiter(bucket_of(self.space.get(), address), self.space.get(), address, bitset);
    // Queued before the word could change again: the kernel is not preemptible, so no waker ran since the read.
    waiter.prepare();
    // Linux's futex_wait: woken beats timed out, which beats a signal. A wake-up is the waker taking the entry
    // off its queue, so the condition is only that (a requeue moves it, still queued, to another bucket).
    auto outcome = wait_event(waiter, [&] { return waiter.woken(); }, deadline,
        Interruptible::Yes);
    switch (outcome) {
    case WaitOutcome::Ready: return {};
    case WaitOutcome::TimedOut: return Errno::TIMEDOUT;
    case WaitOutcome::Interrupted: break;
    }
    return deadline != kNoDeadline ? Errno::RESTARTNOHAND : Errno::RESTARTSYS;
}

i32 futex_wake(const mm::AddressSpace* space, uptr address, i32 count, u32 bitset)
{
    usize most = count > 0 ? static_cast<usize>(count) : 1;
    return static_cast<i32>(bucket_of(space, address).wake_matching(
        [&](WaitEntry& entry) { return is_for(entry, space, address) && (waiter_of(entry).bitset & bitset); }, most));
}

Result<i32> futex_requeue(uptr from, uptr to, i32 wake_count, i32 requeue_count, const u32* expected)
{
    if (wake_count < 0 || requeue_count < 0)
        return Errno::INVAL;
    if ((from | to) & 3)
        return Errno::INVAL;
    if (expected && TRY(read_word(from)) != *expected)
        return Errno::AGAIN;
    const mm::AddressSpace* space = current()->space.get();
    WaitQueue& source = bucket_of(space, from);
    WaitQueue& target = bucket_of(space, to);
    i32 woken = static_cast<i32>(source.wake_matching(
        [&](WaitEntry& entry) { return is_for(entry, space, from); }, static_cast<usize>(wake_count)));
    // The next ones move, still asleep and in the order they came.
    usize moved = source.move_matching(
        target,
        [&](WaitEntry& entry) {
            if (!is_for(entry, space, from))
                return false;
            waiter_of(entry).address = to;
            return true;
        },
        static_cast<usize>(requeue_count));
    return woken + static_cast<i32>(moved);
}

usize futex_sleepers(const mm::AddressSpace* space)
{
    usize count = 0;
    for (WaitQueue& bucket : g_buckets)
        bucket.for_each([&](WaitEntry& entry) { count += waiter_of(entry).space == space; });
    return count;
}

} // namespace proc
