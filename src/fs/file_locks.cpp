// POSIX record locks: each inode's context keeps a list of locks and a queue of F_SETLKW sleepers; the one
// global list is of sleepers (Linux's blocked_hash), so that a chain of waits can be followed across inodes.
#include "fs/file_locks.hpp"

#include "fs/open_file.hpp"
#include "kernel/boot_state.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/own_ptr.hpp"
#include "proc/wait_queue.hpp"

namespace fs {

namespace {

constexpr int kMaxDeadlockSteps = 10; // MAX_DEADLK_ITERATIONS

struct Lock {
    IntrusiveListNode node;
    LockOwner owner;
    i32 pid;
    LockRange range;
};
using LockList = IntrusiveList<Lock, &Lock::node>;

} // namespace

class FileLockContext {
public:
    ~FileLockContext()
    {
        while (Lock* lock = locks.pop_front())
            OwnPtr<Lock> adopted(lock);
    }

    LockList locks;
    proc::WaitQueue waiters; // LockWaiter entries
};

namespace {

// An F_SETLKW request that sleeps, saying what it waits for (Linux's blocked_hash entries).
struct LockWaiter : proc::WaitEntry {
    LockWaiter(LockOwner owner_, const Inode& inode_, const LockRange& range_)
        : owner(owner_)
        , inode(&inode_)
        , range(range_)
    {
    }
    // A task torn down asleep (the host unwinds its stack) leaves the list too.
    ~LockWaiter();
    IntrusiveListNode blocked_node;
    LockOwner owner;
    const Inode* inode; // alive: the sleeper holds an open file of it
    LockRange range;
};
IntrusiveList<LockWaiter, &LockWaiter::blocked_node> g_blocked;

// As the futex buckets: a sleeper abandoned with its machine (frames never unwound) would stay listed.
kernel::BootStateReset g_boot_state([] { g_blocked.forget_all(); });

LockWaiter::~LockWaiter() { g_blocked.remove(*this); }

void free_lock(Lock& lock) { OwnPtr<Lock> adopted(&lock); }

bool overlaps(const LockRange& a, const LockRange& b) { return a.start <= b.end && b.start <= a.end; }

// The first lock of another owner that `wanted` cannot coexist with (posix_locks_conflict).
Lock* conflict_with(const FileLockContext* context, LockOwner owner, const LockRange& wanted)
{
    if (!context)
        return nullptr;
    for (auto& lock : const_cast<FileLockContext*>(context)->locks) {
        if (lock.owner != owner && overlaps(lock.range, wanted)
            && (lock.range.type == kLockWrite || wanted.type == kLockWrite))
            return &lock;
    }
    return nullptr;
}

// posix_locks_deadlock(): whether `owner` waiting for `blocker` closes a cycle. Each step goes from an owner
// to what it sleeps for, and from there to the owner of the lock in its way.
bool would_deadlock(LockOwner owner, LockOwner blocker)
{
    for (int step = 0; step < kMaxDeadlockSteps; ++step) {
        LockWaiter* asleep = nullptr;
        for (auto& waiter : g_blocked) {
            if (waiter.owner == blocker && waiter.is_queued()) {
                asleep = &waiter;
                break;
            }
        }
        if (!asleep)
            return false;
        Lock* next = conflict_with(asleep->inode->lock_context(), asleep->owner, asleep->range);
        if (!next)
            return false;
        if (next->owner == owner)
            return true;
        blocker = next->owner;
    }
    return false;
}

// One attempt (posix_lock_inode): EAGAIN on a conflict, with the conflicting lock's owner in `blocker`.
Result<void> apply(Inode& inode, LockOwner owner, i32 pid, const LockRange& range, LockOwner& blocker)
{
    if (range.type != kLockUnlock) {
        if (Lock* conflict = conflict_with(inode.lock_context(), owner, range)) {
            blocker = conflict->owner;
            return Errno::AGAIN;
        }
    }
    FileLockContext* context = inode.lock_context();
    if (!context) {
        if (range.type == kLockUnlock)
            return {};
        auto made = inode.ensure_lock_context();
        if (made.is_error())
            return Errno::NOLCK;
        context = made.value();
    }
    // At most two new records: the lock itself, and the far end of one it splits. Both are taken before
    // anything changes, so that ENOLCK leaves the locks as they were.
    auto first = make_own<Lock>();
    auto second = make_own<Lock>();
    if (first.is_error() || second.is_error())
        return Errno::NOLCK;
    OwnPtr<Lock> spare[2] = { first.release_value(), second.release_value() };
    usize used = 0;

    // Carve `range` out of the owner's locks.
    for (auto& lock : context->locks) {
        if (lock.owner != owner || !overlaps(lock.range, range))
            continue;
        if (lock.range.start < range.start && lock.range.end > range.end) {
            Lock* right = spare[used++].leak();
            right->owner = owner;
            right->pid = lock.pid;
            right->range = LockRange { lock.range.type, range.end + 1, lock.range.end };
            lock.range.end = range.start - 1;
            context->locks.push_back(*right); // visited later in this loop, but it lies past `range`
        } else if (lock.range.start < range.start) {
            lock.range.end = range.start - 1;
        } else if (lock.range.end > range.end) {
            lock.range.start = range.end + 1;
        } else {
            context->locks.remove(lock);
            free_lock(lock);
        }
    }
    if (range.type != kLockUnlock) {
        Lock* added = spare[used++].leak();
        added->owner = owner;
        added->pid = pid;
        added->range = range;
        // Join the owner's locks of the same type that touch it on either side.
        for (auto& lock : context->locks) {
            if (lock.owner != owner || lock.range.type != range.type)
                continue;
            if (lock.range.end != kLockOffsetMax && lock.range.end + 1 == added->range.start) {
                added->range.start = lock.range.start;
            } else if (added->range.end != kLockOffsetMax && added->range.end + 1 == lock.range.start) {
                added->range.end = lock.range.end;
            } else {
                continue;
            }
            context->locks.remove(lock);
            free_lock(lock);
        }
        context->locks.push_back(*added);
    }
    // Whatever was released or downgraded may let a sleeper through.
    context->waiters.wake_all();
    return {};
}

// What F_SETLKW sleeps through: a conflict was found, so the inode has its context, which lives as long as
// the inode.
struct LockSleep {
    LockWaiter waiter;
    void prepare() { waiter.prepare(waiter.inode->lock_context()->waiters); }
    bool woken() const { return waiter.woken(); }
};

} // namespace

Result<FileLockContext*> Inode::ensure_lock_context()
{
    if (!m_lock_context)
        m_lock_context = TRY(make_own<FileLockContext>()).leak();
    return m_lock_context;
}

void destroy_lock_context(FileLockContext* context) { OwnPtr<FileLockContext> adopted(context); }

bool find_conflicting_lock(const Inode& inode, LockOwner owner, const LockRange& wanted, LockRange& held, i32& pid)
{
    Lock* conflict = conflict_with(inode.lock_context(), owner, wanted);
    if (!conflict)
        return false;
    held = conflict->range;
    pid = conflict->pid;
    return true;
}

Result<void> set_posix_lock(Inode& inode, LockOwner owner, i32 pid, const LockRange& range, bool wait)
{
    // do_lock_file_wait: the lock is tried again after every wake-up, before a signal is looked at, so an
    // unlock that came with a signal still gives us the lock; a signal ends only a wait that goes on.
    bool failed = false;
    Errno error {};
    auto attempt = [&] {
        LockOwner blocker = nullptr;
        auto applied = apply(inode, owner, pid, range, blocker);
        if (!applied.is_error())
            return true;
        failed = true;
        error = applied.error();
        if (error != Errno::AGAIN || !wait)
            return true;
        if (would_deadlock(owner, blocker)) {
            error = Errno::DEADLK;
            return true;
        }
        failed = false;
        return false;
    };
    LockSleep sleep { LockWaiter(owner, inode, range) };
    g_blocked.push_back(sleep.waiter);
    auto outcome = proc::wait_event(sleep, attempt, proc::kNoDeadline, proc::Interruptible::Yes);
    sleep.waiter.finish();
    g_blocked.remove(sleep.waiter);
    if (outcome != proc::WaitOutcome::Ready)
        return Errno::RESTARTSYS;
    if (failed)
        return error;
    return {};
}

void release_posix_locks(Inode& inode, LockOwner owner)
{
    FileLockContext* context = inode.lock_context();
    if (!context)
        return;
    bool released = false;
    for (auto& lock : context->locks) {
        if (lock.owner == owner) {
            context->locks.remove(lock);
            free_lock(lock);
            released = true;
        }
    }
    if (released)
        context->waiters.wake_all();
}

void release_posix_locks_on_close(OpenFile& file, LockOwner owner)
{
    if (!file.is_path_only())
        release_posix_locks(file.inode(), owner);
}

} // namespace fs
