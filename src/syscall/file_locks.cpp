// POSIX advisory record locks (man 2 fcntl, "Advisory record locking"; Linux's fs/locks.c posix_* functions):
// per inode, a list of byte ranges each held by an owner, the descriptor table of the process that set it
// (threads sharing a table share its locks; fork does not pass them on). A new lock replaces whatever the
// owner held in its range (splitting a lock it falls inside), and joins the owner's locks of the same type
// that it overlaps or touches. Readers share, writers exclude; F_SETLKW sleeps until the conflict goes,
// unless waiting would close a cycle of owners each waiting for the next (EDEADLK). Every close of a
// descriptor of the file drops the owner's locks on it, and so does exit (which closes them all).
#include "lib/intrusive_list.hpp"
#include "lib/own_ptr.hpp"
#include "proc/wait_queue.hpp"
#include "proc/signal.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i16 kRdLck = 0, kWrLck = 1, kUnLck = 2;
constexpr u32 kFGetLk = 5, kFSetLkW = 7, kFGetLk64 = 12, kFSetLkW64 = 14;
constexpr i64 kOffsetMax = 0x7fffffffffffffff; // OFFSET_MAX: a lock of length 0 reaches here
constexpr i64 kOffTMax = 0x7fffffff; // what a 32-bit off_t can report
constexpr int kMaxDeadlockSteps = 10; // MAX_DEADLK_ITERATIONS

using Owner = const fs::FdTable*;

struct Range {
    i16 type;
    i64 start, end; // inclusive
};

struct Lock {
    IntrusiveListNode node;
    Owner owner;
    i32 pid;
    Range range;
};
using LockList = IntrusiveList<Lock, &Lock::node>;

// The locks on one inode, and who sleeps until they change. Exists while either is non-empty.
struct InodeLocks {
    IntrusiveListNode node;
    RefPtr<fs::Inode> inode;
    LockList locks;
    proc::WaitQueue waiters; // LockWaiter entries
};
IntrusiveList<InodeLocks, &InodeLocks::node> g_inodes;

// An F_SETLKW request asleep on its inode's queue, saying what it waits for so that chains of waits can be
// followed (Linux's blocked_hash holds the same).
struct LockWaiter : proc::WaitEntry {
    LockWaiter(Owner owner_, const fs::Inode& inode_, const Range& range_)
        : owner(owner_)
        , inode(&inode_)
        , range(range_)
    {
    }
    Owner owner;
    const fs::Inode* inode;
    Range range;
};

InodeLocks* locks_of(const fs::Inode& inode)
{
    for (auto& entry : g_inodes) {
        if (entry.inode.get() == &inode)
            return &entry;
    }
    return nullptr;
}

void free_lock(Lock& lock) { OwnPtr<Lock> adopted(&lock); }

// Drops the record of an inode nobody locks or waits on.
void forget_if_idle(InodeLocks* entry)
{
    if (!entry || !entry->locks.is_empty() || entry->waiters.has_waiters())
        return;
    g_inodes.remove(*entry);
    OwnPtr<InodeLocks> adopted(entry);
}

bool overlaps(const Range& a, const Range& b) { return a.start <= b.end && b.start <= a.end; }

// The first lock of another owner that `wanted` cannot coexist with (posix_locks_conflict).
Lock* conflict_with(InodeLocks* entry, Owner owner, const Range& wanted)
{
    if (!entry)
        return nullptr;
    for (auto& lock : entry->locks) {
        if (lock.owner != owner && overlaps(lock.range, wanted) && (lock.range.type == kWrLck || wanted.type == kWrLck))
            return &lock;
    }
    return nullptr;
}

// posix_locks_deadlock(): whether `owner` waiting for `blocker` closes a cycle. Each step goes from an owner
// to what it sleeps for, and from there to the owner of the lock in its way.
bool would_deadlock(Owner owner, Owner blocker)
{
    for (int step = 0; step < kMaxDeadlockSteps; ++step) {
        LockWaiter* asleep = nullptr;
        for (auto& entry : g_inodes) {
            entry.waiters.for_each([&](proc::WaitEntry& queued) {
                auto& waiter = static_cast<LockWaiter&>(queued);
                if (!asleep && waiter.owner == blocker)
                    asleep = &waiter;
            });
            if (asleep)
                break;
        }
        if (!asleep)
            return false;
        Lock* next = conflict_with(locks_of(*asleep->inode), asleep->owner, asleep->range);
        if (!next)
            return false;
        if (next->owner == owner)
            return true;
        blocker = next->owner;
    }
    return false;
}

// Sets (or with kUnLck clears) `range` for `owner` (posix_lock_inode): EAGAIN on a conflict, with the
// conflicting lock's owner in `blocker`.
Result<void> apply(fs::Inode& inode, Owner owner, i32 pid, const Range& range, Owner& blocker)
{
    InodeLocks* entry = locks_of(inode);
    if (range.type != kUnLck) {
        if (Lock* conflict = conflict_with(entry, owner, range)) {
            blocker = conflict->owner;
            return Errno::AGAIN;
        }
    }
    if (!entry) {
        if (range.type == kUnLck)
            return {};
        auto made = TRY(make_own<InodeLocks>());
        made->inode = RefPtr<fs::Inode>(&inode);
        entry = made.leak();
        g_inodes.push_back(*entry);
    }
    // At most two new records: the lock itself, and the far end of one it splits. Both are taken before
    // anything changes, so that ENOLCK leaves the locks as they were.
    auto first = make_own<Lock>();
    auto second = make_own<Lock>();
    if (first.is_error() || second.is_error()) {
        forget_if_idle(entry);
        return Errno::NOLCK;
    }
    OwnPtr<Lock> spare[2] = { first.release_value(), second.release_value() };
    usize used = 0;

    // Carve `range` out of the owner's locks.
    for (auto& lock : entry->locks) {
        if (lock.owner != owner || !overlaps(lock.range, range))
            continue;
        if (lock.range.start < range.start && lock.range.end > range.end) {
            Lock* right = spare[used++].leak();
            right->owner = owner;
            right->pid = lock.pid;
            right->range = Range { lock.range.type, range.end + 1, lock.range.end };
            lock.range.end = range.start - 1;
            entry->locks.push_back(*right); // visited later in this loop, but it lies past `range`
        } else if (lock.range.start < range.start) {
            lock.range.end = range.start - 1;
        } else if (lock.range.end > range.end) {
            lock.range.start = range.end + 1;
        } else {
            entry->locks.remove(lock);
            free_lock(lock);
        }
    }
    if (range.type != kUnLck) {
        Lock* added = spare[used++].leak();
        added->owner = owner;
        added->pid = pid;
        added->range = range;
        // Join the owner's locks of the same type that touch it on either side.
        for (auto& lock : entry->locks) {
            if (lock.owner != owner || lock.range.type != range.type)
                continue;
            if (lock.range.end != kOffsetMax && lock.range.end + 1 == added->range.start) {
                added->range.start = lock.range.start;
            } else if (added->range.end != kOffsetMax && added->range.end + 1 == lock.range.start) {
                added->range.end = lock.range.end;
            } else {
                continue;
            }
            entry->locks.remove(lock);
            free_lock(lock);
        }
        entry->locks.push_back(*added);
    }
    // Whatever was released or downgraded may let a sleeper through.
    entry->waiters.wake_all();
    forget_if_idle(entry);
    return {};
}

// Every lock `owner` holds on `file`'s inode goes (locks_remove_posix), on any close of a descriptor of it.
void release_on_close(const fs::FdTable& table, fs::OpenFile& file)
{
    InodeLocks* entry = locks_of(file.inode());
    if (!entry)
        return;
    bool released = false;
    for (auto& lock : entry->locks) {
        if (lock.owner == &table) {
            entry->locks.remove(lock);
            free_lock(lock);
            released = true;
        }
    }
    if (released)
        entry->waiters.wake_all();
    forget_if_idle(entry);
}

// What F_SETLKW sleeps through: its entry goes on the queue of the inode's record as it is when the waiter
// sleeps (a record nobody locks or waits on is freed, and a new one made by the next lock).
struct LockSleep {
    LockWaiter waiter;
    const fs::Inode& inode;
    // A conflict was just found, so the record exists.
    void prepare() { waiter.prepare(locks_of(inode)->waiters); }
    bool woken() const { return waiter.woken(); }
};

// A struct flock or flock64 in one shape.
struct Request {
    i16 type, whence;
    i64 start, len;
    i32 pid;
};

Result<Request> read_request(u32 argument, bool wide)
{
    if (wide) {
        Flock64 raw;
        TRY(mm::copy_from_user(raw, mm::UserPtr<Flock64>(argument)));
        return Request { raw.type, raw.whence, raw.start, raw.len, raw.pid };
    }
    Flock32 raw;
    TRY(mm::copy_from_user(raw, mm::UserPtr<Flock32>(argument)));
    return Request { raw.type, raw.whence, raw.start, raw.len, raw.pid };
}

Result<void> write_request(u32 argument, bool wide, const Request& request)
{
    if (wide) {
        Flock64 raw { request.type, request.whence, request.start, request.len, request.pid };
        return mm::copy_to_user(mm::UserPtr<Flock64>(argument), raw);
    }
    Flock32 raw { request.type, request.whence, static_cast<i32>(request.start), static_cast<i32>(request.len),
        request.pid };
    return mm::copy_to_user(mm::UserPtr<Flock32>(argument), raw);
}

// flock_to_posix_lock(): the byte range the request names, from its whence. EINVAL for a bad whence or a range
// starting before 0, EOVERFLOW for one past OFFSET_MAX.
Result<Range> range_of(const fs::OpenFile& file, const Request& request)
{
    i64 base;
    switch (request.whence) {
    case fs::kSeekSet:
        base = 0;
        break;
    case fs::kSeekCur:
        base = static_cast<i64>(file.offset());
        break;
    case fs::kSeekEnd:
        base = static_cast<i64>(file.inode().attributes().size);
        break;
    default:
        return Errno::INVAL;
    }
    if (request.start > kOffsetMax - base)
        return Errno::OVERFLOW;
    i64 start = base + request.start;
    if (start < 0)
        return Errno::INVAL;
    i64 end;
    if (request.len > 0) {
        if (request.len - 1 > kOffsetMax - start)
            return Errno::OVERFLOW;
        end = start + request.len - 1;
    } else if (request.len < 0) {
        if (start + request.len < 0)
            return Errno::INVAL;
        end = start - 1;
        start += request.len;
    } else {
        end = kOffsetMax;
    }
    return Range { request.type, start, end };
}

Owner current_owner() { return proc::current()->files.get(); }

Result<i32> get_lock(fs::OpenFile& file, u32 argument, bool wide)
{
    Request request = TRY(read_request(argument, wide));
    if (request.type != kRdLck && request.type != kWrLck)
        return Errno::INVAL;
    Range wanted = TRY(range_of(file, request));
    Lock* conflict = conflict_with(locks_of(file.inode()), current_owner(), wanted);
    if (!conflict) {
        // Nothing in the way: only l_type changes (fcntl_getlk).
        request.type = kUnLck;
        TRY(write_request(argument, wide, request));
        return 0;
    }
    const Range& held = conflict->range;
    // posix_lock_to_flock(): a 32-bit off_t cannot describe a lock past 2 GiB.
    if (!wide && (held.start > kOffTMax || (held.end != kOffsetMax && held.end > kOffTMax)))
        return Errno::OVERFLOW;
    request.type = held.type;
    request.whence = static_cast<i16>(fs::kSeekSet);
    request.start = held.start;
    request.len = held.end == kOffsetMax ? 0 : held.end - held.start + 1;
    request.pid = conflict->pid;
    TRY(write_request(argument, wide, request));
    return 0;
}

Result<i32> set_lock(fs::OpenFile& file, u32 argument, bool wide, bool wait)
{
    Request request = TRY(read_request(argument, wide));
    if (request.type != kRdLck && request.type != kWrLck && request.type != kUnLck)
        return Errno::INVAL;
    Range range = TRY(range_of(file, request));
    // check_fmode_for_setlk(): a read lock needs the file open for reading, a write lock for writing.
    if ((range.type == kRdLck && !file.readable()) || (range.type == kWrLck && !file.writable()))
        return Errno::BADF;
    // The hook is only needed once a lock can exist.
    fs::set_close_hook(release_on_close);
    Owner owner = current_owner();
    i32 pid = proc::current()->tgid();
    fs::Inode& inode = file.inode();
    // do_lock_file_wait: the lock is tried again after every wake-up, before a signal is looked at, so an
    // unlock that came with a signal still gives us the lock; a signal ends only a wait that goes on.
    bool failed = false;
    Errno error {};
    auto attempt = [&] {
        Owner blocker = nullptr;
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
    LockSleep sleep { LockWaiter(owner, inode, range), inode };
    auto outcome = proc::wait_event(sleep, attempt, proc::kNoDeadline, proc::Interruptible::Yes);
    sleep.waiter.finish();
    forget_if_idle(locks_of(inode));
    if (outcome != proc::WaitOutcome::Ready)
        return Errno::RESTARTSYS;
    if (failed)
        return error;
    return 0;
}

} // namespace

Result<i32> fcntl_lock(i32 fd, u32 command, u32 argument, bool wide)
{
    auto file = TRY(open_file_of(fd));
    if (command == kFGetLk || command == kFGetLk64)
        return get_lock(*file, argument, wide);
    bool wait = command == kFSetLkW || command == kFSetLkW64;
    return set_lock(*file, argument, wide, wait);
}

} // namespace sys
