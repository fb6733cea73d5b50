// Clocks and sleeping (man 2 clock_gettime, gettimeofday, time, nanosleep, clock_nanosleep), with i386's
// 32-bit structures and the *_time64 calls' 64-bit ones.
#include "arch/arch.hpp"
#include "kernel/clock.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr i64 kNanosecondsPerSecond = 1000000000;
enum Clock : i32 {
    kRealtime = 0, kMonotonic = 1, kProcessCputime = 2, kThreadCputime = 3, kMonotonicRaw = 4, kRealtimeCoarse = 5,
    kMonotonicCoarse = 6, kBoottime = 7, kRealtimeAlarm = 8, kBoottimeAlarm = 9, kTai = 11,
};
constexpr u32 kTimerAbstime = 1;

// Nanoseconds on `clock`; EINVAL for a clock Linux does not have. The CPU-time clocks count the scheduler's
// ticks charged to the caller's process or thread (per-pid and per-thread clock ids are not taken yet).
Result<i64> read_clock(i32 clock)
{
    switch (clock) {
    case kProcessCputime:
        return static_cast<i64>(proc::process_cpu_time(proc::current()->process()).total() * proc::kTickNs);
    case kThreadCputime:
        return static_cast<i64>(proc::current()->cpu.total() * proc::kTickNs);
    case kRealtime: case kRealtimeCoarse: case kRealtimeAlarm: case kTai:
        return realtime_ns();
    case kMonotonic: case kMonotonicRaw: case kMonotonicCoarse: case kBoottime: case kBoottimeAlarm:
        return static_cast<i64>(monotonic_ns());
    default:
        return Errno::INVAL;
    }
}

Result<void> put_timespec(mm::UserOut<Timespec32> address, i64 ns)
{
    i64 seconds = ns / kNanosecondsPerSecond;
    if (seconds > 0x7FFFFFFF || seconds < -0x7FFFFFFF - 1)
        return Errno::OVERFLOW; // past 2038: the *_time64 calls are the way
    Timespec32 value { static_cast<i32>(seconds), static_cast<i32>(ns % kNanosecondsPerSecond) };
    return mm::copy_to_user(address, value);
}

Result<void> put_timespec(mm::UserOut<Timespec64> address, i64 ns)
{
    Timespec64 value { ns / kNanosecondsPerSecond, ns % kNanosecondsPerSecond };
    return mm::copy_to_user(address, value);
}

// Either width of timespec, checked as Linux's timespec64_valid: EINVAL for a negative or overlong value.
template<typename Timespec> Result<i64> timespec_ns(mm::UserIn<Timespec> address)
{
    Timespec value;
    TRY(mm::copy_from_user(value, address));
    i64 seconds = value.seconds, nanoseconds = value.nanoseconds;
    if (seconds < 0 || nanoseconds < 0 || nanoseconds >= kNanosecondsPerSecond)
        return Errno::INVAL;
    if (seconds > (0x7FFFFFFFFFFFFFFFll - nanoseconds) / kNanosecondsPerSecond)
        return Errno::INVAL;
    return seconds * kNanosecondsPerSecond + nanoseconds;
}

} // namespace

Result<i64> copy_timespec_from_user(mm::UserIn<Timespec32> address) { return timespec_ns(address); }
Result<i64> copy_timespec_from_user(mm::UserIn<Timespec64> address) { return timespec_ns(address); }

namespace {

// Blocks until the clock passes `deadline`, letting other processes run; a signal ends it early with EINTR
// and the time left in `remaining`. As Linux's do_nanosleep, the time having come is the result even with a
// signal pending (a zero or past request never sleeps), and a signal ends only a sleep with time still to run.
template<typename Timespec> Result<void> sleep(i32 clock, i64 request, bool absolute, mm::UserOut<Timespec> remaining)
{
    i64 now = TRY(read_clock(clock));
    i64 deadline = absolute ? request : now + request;
    while ((now = TRY(read_clock(clock))) < deadline) {
        // Until the deadline as the monotonic clock sees it now (the loop reads this clock again: the wall
        // clock may have been set meanwhile), or a signal.
        auto outcome = proc::sleep_until([] { return false; }, proc::deadline_after(static_cast<u64>(deadline - now)));
        if (outcome == proc::WaitOutcome::Interrupted) {
            // Interrupted: the time left goes back to the caller with EINTR, unless the time has come by now.
            now = TRY(read_clock(clock));
            if (now >= deadline)
                break;
            if (!remaining.is_null() && !absolute) {
                i64 left_now = deadline - now;
                TRY(put_timespec(remaining, left_now > 0 ? left_now : 0));
            }
            return Errno::INTR;
        }
    }
    if (!remaining.is_null() && !absolute)
        TRY(put_timespec(remaining, 0));
    return {};
}

} // namespace

Result<void> sys_clock_gettime(i32 clock, mm::UserOut<Timespec32> address)
{
    return put_timespec(address, TRY(read_clock(clock)));
}
Result<void> sys_clock_gettime64(i32 clock, mm::UserOut<Timespec64> address)
{
    return put_timespec(address, TRY(read_clock(clock)));
}

namespace {

// The coarse clocks are read as often as the tick, as on Linux; the others have the clock's own resolution.
i64 resolution(i32 clock)
{
    bool coarse = clock == kRealtimeCoarse || clock == kMonotonicCoarse || clock == kProcessCputime
        || clock == kThreadCputime;
    return static_cast<i64>(coarse ? proc::kTickNs : clock_resolution_ns());
}

} // namespace

Result<void> sys_clock_getres(i32 clock, mm::UserOut<Timespec32> address)
{
    TRY(read_clock(clock));
    return address.is_null() ? Result<void> {} : put_timespec(address, resolution(clock));
}
Result<void> sys_clock_getres64(i32 clock, mm::UserOut<Timespec64> address)
{
    TRY(read_clock(clock));
    return address.is_null() ? Result<void> {} : put_timespec(address, resolution(clock));
}

namespace {

// man 2 clock_settime, in Linux's order: only CLOCK_REALTIME can be set (EINVAL), the value is read (EFAULT) and
// checked (EINVAL), then the caller needs CAP_SYS_TIME, which is root's until capabilities exist (EPERM).
template<typename Timespec> Result<void> set_clock(i32 clock, mm::UserIn<Timespec> address)
{
    if (clock != kRealtime)
        return Errno::INVAL;
    i64 now = TRY(timespec_ns(address));
    if (!proc::current()->credentials.is_root())
        return Errno::PERM;
    set_realtime_ns(now);
    return {};
}

} // namespace

Result<void> sys_clock_settime(i32 clock, mm::UserIn<Timespec32> address) { return set_clock(clock, address); }
Result<void> sys_clock_settime64(i32 clock, mm::UserIn<Timespec64> address) { return set_clock(clock, address); }

// The time zone is checked as Linux does and otherwise ignored: the kernel keeps UTC.
Result<void> sys_settimeofday(mm::UserIn<Timeval32> time_address, mm::UserIn<Timezone> zone_address)
{
    Timeval32 time {};
    if (!time_address.is_null()) {
        TRY(mm::copy_from_user(time, time_address));
        if (time.seconds < 0 || time.microseconds < 0 || time.microseconds >= 1000000)
            return Errno::INVAL;
    }
    if (!zone_address.is_null()) {
        Timezone zone;
        TRY(mm::copy_from_user(zone, zone_address));
        if (zone.minutes_west < -15 * 60 || zone.minutes_west > 15 * 60)
            return Errno::INVAL;
    }
    if (!proc::current()->credentials.is_root())
        return Errno::PERM;
    if (!time_address.is_null())
        set_realtime_ns(i64 { time.seconds } * kNanosecondsPerSecond + i64 { time.microseconds } * 1000);
    return {};
}

Result<void> sys_gettimeofday(mm::UserOut<Timeval32> time_address, mm::UserOut<Timezone> zone_address)
{
    i64 now = realtime_ns();
    if (!time_address.is_null()) {
        Timeval32 value { static_cast<i32>(now / kNanosecondsPerSecond),
            static_cast<i32>(now % kNanosecondsPerSecond / 1000) };
        TRY(mm::copy_to_user(time_address, value));
    }
    if (!zone_address.is_null()) {
        Timezone zone { 0, 0 }; // the kernel keeps UTC
        TRY(mm::copy_to_user(zone_address, zone));
    }
    return {};
}

Result<i32> sys_time(mm::UserOut<i32> address)
{
    i32 seconds = static_cast<i32>(realtime_ns() / kNanosecondsPerSecond);
    if (!address.is_null())
        TRY(mm::copy_to_user(address, seconds));
    return seconds;
}

Result<void> sys_nanosleep(mm::UserIn<Timespec32> request, mm::UserOut<Timespec32> remaining)
{
    return sleep(kMonotonic, TRY(copy_timespec_from_user(request)), false, remaining);
}

Result<void> sys_clock_nanosleep(
    i32 clock, u32 flags, mm::UserIn<Timespec32> request, mm::UserOut<Timespec32> remaining)
{
    return sleep(clock, TRY(copy_timespec_from_user(request)), flags & kTimerAbstime, remaining);
}

Result<void> sys_clock_nanosleep64(
    i32 clock, u32 flags, mm::UserIn<Timespec64> request, mm::UserOut<Timespec64> remaining)
{
    return sleep(clock, TRY(copy_timespec_from_user(request)), flags & kTimerAbstime, remaining);
}

} // namespace sys

// --- alarm, setitimer, getitimer ---

namespace sys {

namespace {

constexpr i32 kItimerReal = 0, kItimerVirtual = 1, kItimerProf = 2;

u64 to_ticks(const Timeval32& value)
{
    u64 microseconds = static_cast<u64>(value.seconds) * 1000000 + static_cast<u64>(value.microseconds);
    return (microseconds * proc::kTickHz + 999999) / 1000000;
}

Timeval32 from_ticks(u64 ticks)
{
    u64 microseconds = ticks * 1000000 / proc::kTickHz;
    return { static_cast<i32>(microseconds / 1000000), static_cast<i32>(microseconds % 1000000) };
}

u64 to_ns(const Timeval32& value)
{
    return (static_cast<u64>(value.seconds) * 1000000 + static_cast<u64>(value.microseconds)) * 1000;
}

// Rounded up, so that an armed timer never reads as disarmed (Linux's itimer_get_remtime).
Timeval32 from_ns(u64 ns)
{
    u64 microseconds = (ns + 999) / 1000;
    return { static_cast<i32>(microseconds / 1000000), static_cast<i32>(microseconds % 1000000) };
}

Itimerval current_timer(const proc::Process& process)
{
    u64 deadline = proc::real_timer_deadline(process);
    if (deadline == proc::kNoDeadline)
        return { from_ns(process.real_interval), { 0, 0 } };
    u64 now = arch::clock_ns();
    return { from_ns(process.real_interval), from_ns(deadline > now ? deadline - now : 1) };
}

bool valid(const Timeval32& value)
{
    return value.seconds >= 0 && value.microseconds >= 0 && value.microseconds < 1000000;
}

} // namespace

Result<u32> sys_alarm(u32 seconds)
{
    proc::Process& self = proc::current()->process();
    Itimerval old = current_timer(self);
    // The seconds left, rounded to the nearest, but never 0 while the alarm is still armed (man 2 alarm).
    u32 left = static_cast<u32>(old.value.seconds) + (old.value.microseconds >= 500000 ? 1 : 0);
    if (left == 0 && old.value.microseconds)
        left = 1;
    proc::arm_real_timer(self, seconds ? proc::deadline_after(u64 { seconds } * 1000000000) : proc::kNoDeadline, 0);
    return left;
}

namespace {

// ITIMER_REAL is a kernel timer on the monotonic clock; ITIMER_VIRTUAL and ITIMER_PROF count CPU ticks left.
proc::IntervalTimer& cpu_timer(proc::Process& group, i32 which)
{
    return group.cpu_timers[which == kItimerVirtual ? proc::kItimerVirtual : proc::kItimerProf];
}

Itimerval timer_value(proc::Process& group, i32 which)
{
    if (which == kItimerReal)
        return current_timer(group);
    const proc::IntervalTimer& timer = cpu_timer(group, which);
    return { from_ticks(timer.interval), from_ticks(timer.left) };
}

bool valid_timer(i32 which) { return which == kItimerReal || which == kItimerVirtual || which == kItimerProf; }

} // namespace

Result<void> sys_setitimer(i32 which, mm::UserIn<Itimerval> new_address, mm::UserOut<Itimerval> old_address)
{
    if (!valid_timer(which))
        return Errno::INVAL;
    Itimerval wanted {};
    if (!new_address.is_null()) {
        TRY(mm::copy_from_user(wanted, new_address));
        if (!valid(wanted.value) || !valid(wanted.interval))
            return Errno::INVAL;
    }
    proc::Process& self = proc::current()->process();
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, timer_value(self, which)));
    if (which == kItimerReal) {
        u64 value = to_ns(wanted.value);
        proc::arm_real_timer(self, value ? proc::deadline_after(value) : proc::kNoDeadline, to_ns(wanted.interval));
    } else {
        u64 value = to_ticks(wanted.value);
        cpu_timer(self, which) = { value, value ? to_ticks(wanted.interval) : 0 };
    }
    return {};
}

Result<void> sys_getitimer(i32 which, mm::UserOut<Itimerval> address)
{
    if (!valid_timer(which))
        return Errno::INVAL;
    return mm::copy_to_user(address, timer_value(proc::current()->process(), which));
}

} // namespace sys
