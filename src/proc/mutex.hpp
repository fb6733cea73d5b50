// Mutex: a sleeping lock for an operation that may sleep in its middle (a disk read under a block cache's
// or a filesystem's lock), as Linux's struct mutex. A task that finds it taken sleeps, uninterruptibly, on
// its wait queue; the owner's unlock wakes the oldest such waiter. Not for interrupt handlers (they cannot
// sleep: use arch::IrqSpinLock), not recursive, and only its owner may unlock it.
#pragma once

#include "proc/wait_queue.hpp"

namespace proc {

class Mutex {
public:
    Mutex() = default;
    Mutex(const Mutex&) = delete;
    Mutex& operator=(const Mutex&) = delete;

    // Sleeps until the mutex is free, then takes it. Outside a task (boot) it must be free.
    void lock();
    // Takes it if free; returns whether it did. Never sleeps.
    [[nodiscard]] bool try_lock();
    void unlock();

    bool is_locked() const { return m_owner != nullptr; }
    // Whether the running task (or, outside one, the boot code) holds it.
    bool is_held() const;
    usize waiter_count() const { return m_waiters.waiter_count(); }

private:
    bool claim(const void* owner);

    const void* m_owner { nullptr };
    WaitQueue m_waiters;
};

class MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : m_mutex(mutex) { m_mutex.lock(); }
    ~MutexGuard() { m_mutex.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& m_mutex;
};

} // namespace proc
