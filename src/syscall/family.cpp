// fork, wait4, waitpid, getrusage and sched_yield (man 2 fork, wait4, getrusage, sched_yield).
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kWNoHang = 1, kWUntraced = 2, kWContinued = 8, kWNoThread = 0x20000000, kWAll = 0x40000000,
              kWClone = 0x80000000;

} // namespace

Result<i32> sys_fork() { return proc::fork_current(); }
Result<i32> sys_vfork() { return proc::vfork_current(); }

Result<i32> sys_wait4(i32 pid, u32 status_address, u32 options, u32 usage_address)
{
    if (options & ~(kWNoHang | kWUntraced | kWContinued | kWNoThread | kWAll | kWClone))
        return Errno::INVAL;
    if (pid == -0x7FFFFFFF - 1)
        return Errno::SRCH; // INT_MIN cannot be negated into a process group
    auto result = TRY(proc::wait_child(pid, options & kWNoHang, options & kWUntraced, options & kWContinued));
    if (result.pid == 0)
        return 0;
    if (status_address)
        TRY(mm::copy_to_user(mm::UserPtr<u32>(status_address), result.status));
    if (usage_address) {
        // All of a child's time counts as user time until the kernel tells the two apart.
        Rusage usage {};
        u64 microseconds = result.cpu_ticks * 1000000 / arch::timer_hz();
        usage.user_seconds = static_cast<i32>(microseconds / 1000000);
        usage.user_microseconds = static_cast<i32>(microseconds % 1000000);
        TRY(mm::copy_to_user(mm::UserPtr<Rusage>(usage_address), usage));
    }
    return result.pid;
}

Result<i32> sys_waitpid(i32 pid, u32 status_address, u32 options) { return sys_wait4(pid, status_address, options, 0); }

Result<i32> sys_sched_yield()
{
    proc::yield();
    return 0;
}

} // namespace sys

namespace sys {

Result<void> sys_getrusage(i32 who, u32 address)
{
    constexpr i32 kSelf = 0, kChildren = -1, kThread = 1;
    proc::Process& self = *proc::current();
    u64 ticks;
    usize peak_pages = 0;
    if (who == kSelf || who == kThread) {
        ticks = self.cpu_ticks;
        peak_pages = self.space->peak_resident_pages();
    } else if (who == kChildren) {
        ticks = self.children_cpu_ticks;
    } else {
        return Errno::INVAL;
    }
    // All CPU time counts as user time until the kernel tells the two apart.
    Rusage usage {};
    u64 microseconds = ticks * 1000000 / arch::timer_hz();
    usage.user_seconds = static_cast<i32>(microseconds / 1000000);
    usage.user_microseconds = static_cast<i32>(microseconds % 1000000);
    usage.maxrss = static_cast<i32>(peak_pages * (arch::kPageBytes / 1024));
    return mm::copy_to_user(mm::UserPtr<Rusage>(address), usage);
}

} // namespace sys
