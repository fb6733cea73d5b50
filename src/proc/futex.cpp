// Futex sleepers live in a small hash table of lists, each sleeper a record on its own kernel stack. The kernel
// is not preemptible, so reading the word and queueing behind it cannot race with a waker.
#include "proc/futex.hpp"

#include "lib/intrusive_list.hpp"
#include "mm/uaccess.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace proc {

namespace {

struct Sleeper {
    IntrusiveListNode node;
    const mm::AddressSpace* space;
    uptr address;
    u32 bitset;
    Process* process;
    bool woken;
    // A task torn down while it sleeps (the end of run_init) unwinds through here on the host: it must not
    // stay linked on its dead stack.
    ~Sleeper();
};
using SleeperList = IntrusiveList<Sleeper, &Sleeper::node>;

constexpr usize kBuckets = 64;
SleeperList g_buckets[kBuckets];

SleeperList& bucket_of(const mm::AddressSpace* space, uptr address)
{
    auto key = static_cast<u64>(reinterpret_cast<uptr>(space)) ^ (static_cast<u64>(address) >> 2);
    return g_buckets[(key * 0x9E3779B97F4A7C15ull) >> 58];
}

Sleeper::~Sleeper()
{
    if (node.is_linked())
        bucket_of(space, address).remove(*this);
}

bool is_for(const Sleeper& sleeper, const mm::AddressSpace* space, uptr address)
{
    return sleeper.space == space && sleeper.address == address;
}

Result<u32> read_word(uptr address)
{
    if (address & 3)
        return Errno::INVAL;
    u32 value;
    TRY(mm::copy_from_user(value, mm::UserPtr<u32>(address)));
    return value;
}

void wake_sleeper(SleeperList& list, Sleeper& sleeper)
{
    list.remove(sleeper);
    sleeper.woken = true;
    wake(*sleeper.process);
}

} // namespace

Result<void> futex_wait(uptr address, u32 expected, u32 bitset, u64 deadline)
{
    if (!bitset)
        return Errno::INVAL;
    u32 value = TRY(read_word(address));
    if (value != expected)
        return Errno::AGAIN;
    Process& self = *current();
    SleeperList& list = bucket_of(self.space.get(), address);
    Sleeper sleeper { {}, self.space.get(), address, bitset, &self, false };
    list.push_back(sleeper);
    // Linux's futex_wait: woken beats timed out, which beats a signal. Interrupts stay off from the test to the
    // sleep, so that a timer's signal cannot come between them unseen.
    bool timed_out = false;
    for (;;) {
        if (sleeper.woken)
            return {};
        if (deadline && arch::timer_ticks() >= deadline) {
            timed_out = true;
            break;
        }
        arch::InterruptGuard guard;
        if (has_deliverable_signal(self))
            break;
        block_until(deadline);
    }
    // A requeue may have moved us to another list since.
    bucket_of(sleeper.space, sleeper.address).remove(sleeper);
    if (timed_out)
        return Errno::TIMEDOUT;
    return deadline ? Errno::RESTARTNOHAND : Errno::RESTARTSYS;
}

i32 futex_wake(const mm::AddressSpace* space, uptr address, i32 count, u32 bitset)
{
    SleeperList& list = bucket_of(space, address);
    i32 woken = 0;
    for (Sleeper& sleeper : list) {
        if (!is_for(sleeper, space, address) || !(sleeper.bitset & bitset))
            continue;
        wake_sleeper(list, sleeper);
        if (++woken >= count)
            break;
    }
    return woken;
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
    SleeperList& source = bucket_of(space, from);
    SleeperList& target = bucket_of(space, to);
    i32 woken = 0, moved = 0;
    for (Sleeper& sleeper : source) {
        if (!is_for(sleeper, space, from))
            continue;
        if (woken < wake_count) {
            wake_sleeper(source, sleeper);
            ++woken;
        } else if (moved < requeue_count) {
            source.remove(sleeper);
            sleeper.address = to;
            target.push_back(sleeper);
            ++moved;
        } else {
            break;
        }
    }
    return woken + moved;
}

usize futex_sleepers(const mm::AddressSpace* space)
{
    usize count = 0;
    for (SleeperList& list : g_buckets)
        for (Sleeper& sleeper : list)
            count += sleeper.space == space;
    return count;
}

} // namespace proc
