// The owner is the running task, or a token for boot code that runs before any task.
#include "proc/mutex.hpp"

#include "kernel/panic.hpp"
#include "proc/process.hpp"

namespace proc {

namespace {

const char g_boot_owner = 0;

const void* owner_token()
{
    Thread* task = current();
    return task ? static_cast<const void*>(task) : &g_boot_owner;
}

} // namespace

bool Mutex::is_held() const { return m_owner && m_owner == owner_token(); }

// A compare-and-swap rather than interrupts off: no toggle on the uncontended path (each costs a
// translation-block exit under QEMU), and already what SMP needs.
bool Mutex::claim(const void* owner)
{
    const void* expected = nullptr;
    return __atomic_compare_exchange_n(&m_owner, &expected, owner, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool Mutex::try_lock() { return claim(owner_token()); }

void Mutex::lock()
{
    const void* self = owner_token();
    if (m_owner == self)
        panic("mutex %p taken again by its owner", static_cast<void*>(this));
    if (try_lock())
        return;
    if (!current())
        panic("mutex %p contended outside a task", static_cast<void*>(this));
    // The test runs with interrupts off up to the sleep, so taking it there is atomic on one CPU.
    m_waiters.wait_exclusive_until(
        [&] { return claim(self); },
        kNoDeadline, Interruptible::No);
}

void Mutex::unlock()
{
    if (!is_held())
        panic("mutex %p released by a task that does not hold it", static_cast<void*>(this));
    __atomic_store_n(&m_owner, nullptr, __ATOMIC_RELEASE);
    m_waiters.wake_one();
}

} // namespace proc
