// futex and futex_time64 (man 2 futex): the operations musl's threads use, with Linux's argument rules.
// The priority-inheritance operations, FUTEX_WAKE_OP and FUTEX_FD are refused with ENOSYS.
#include "kernel/clock.hpp"
#include "kernel/log.hpp"
#include "proc/futex.hpp"
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

enum : i32 {
    kWait = 0, kWake = 1, kRequeue = 3, kCmpRequeue = 4, kWaitBitset = 9, kWakeBitset = 10,
    kPrivateFlag = 128, kClockRealtime = 256,
};

// `address` and `address2` are keys as much as pointers (a futex is named by its address), so they stay numbers;
// the timeout's width is the only difference between futex and futex_time64.
template<typename Timespec>
Result<i32> futex(u32 address, i32 op, u32 value, mm::UserIn<Timespec> timeout, u32 address2, u32 value3)
{
    i32 command = op & ~(kPrivateFlag | kClockRealtime);
    bool realtime = op & kClockRealtime;
    if (realtime && command != kWait && command != kWaitBitset)
        return Errno::NOSYS;
    switch (command) {
    case kWait:
    case kWaitBitset: {
        u32 bitset = command == kWait ? proc::kFutexBitsetAll : value3;
        u64 deadline = proc::kNoDeadline;
        if (!timeout.is_null()) {
            i64 ns = TRY(copy_timespec_from_user(timeout));
            // FUTEX_WAIT's timeout is relative; FUTEX_WAIT_BITSET's is a point on the monotonic or real clock.
            if (command == kWaitBitset)
                ns -= realtime ? realtime_ns() : static_cast<i64>(monotonic_ns());
            deadline = proc::deadline_after(ns > 0 ? static_cast<u64>(ns) : 0); // a time come: already past
        }
        TRY(proc::futex_wait(address, value, bitset, deadline));
        return 0;
    }
    case kWake:
    case kWakeBitset: {
        u32 bitset = command == kWake ? proc::kFutexBitsetAll : value3;
        if (!bitset)
            return Errno::INVAL;
        if (address & 3)
            return Errno::INVAL;
        if (address >= arch::kUserEnd)
            return Errno::FAULT;
        return proc::futex_wake(proc::current()->space.get(), address, static_cast<i32>(value), bitset);
    }
    case kRequeue:
    case kCmpRequeue:
        // The fourth argument is a count here, not a time.
        return proc::futex_requeue(address, address2, static_cast<i32>(value), static_cast<i32>(timeout.address()),
            command == kCmpRequeue ? &value3 : nullptr);
    default: {
        static bool logged[16];
        if (command >= 0 && command < 16 && !logged[command]) {
            logged[command] = true;
            log_notice("futex: operation %d not implemented", command);
        }
        return Errno::NOSYS;
    }
    }
}

} // namespace

Result<i32> sys_futex(mm::UserInOut<u32> address, i32 op, u32 value, mm::UserIn<Timespec32> timeout,
    mm::UserInOut<u32> address2, u32 value3)
{
    return futex(address.address(), op, value, timeout, address2.address(), value3);
}

Result<i32> sys_futex_time64(mm::UserInOut<u32> address, i32 op, u32 value, mm::UserIn<Timespec64> timeout,
    mm::UserInOut<u32> address2, u32 value3)
{
    return futex(address.address(), op, value, timeout, address2.address(), value3);
}

} // namespace sys
