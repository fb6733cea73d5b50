// The vDSO (man 7 vdso, i386): the system-call entry and clock reads that need no system call, as Linux's i386
// vDSO exports them (the entry of version LINUX_2.5, the clock functions LINUX_2.6). Built -fPIC and freestanding
// into a shared object that needs no relocation (vdso.ld), embedded in the kernel and mapped read-only at the same
// place in every address space, with the kernel's clock page (arch/user_clock.hpp) the page below it.
#include "arch/user_clock.hpp"

// __kernel_vsyscall: eax the number, ebx ecx edx esi edi ebp the arguments. sysenter saves nothing, so the
// kernel returns to vdso_sysenter_return (by sysexit or iret) with esp from ebp, where the pops below find the
// caller's registers; the sixth argument (ebp) is read from there. A restarted call goes back to the int 0x80
// (eip - 2), and a CPU without sysenter has its sysenter replaced by two nops at boot.
asm(R"(
    .text
    .globl __kernel_vsyscall
    .type __kernel_vsyscall, @function
__kernel_vsyscall:
    push %ecx
    push %edx
    push %ebp
    mov %esp, %ebp
vdso_sysenter:
    sysenter
    int $0x80
vdso_sysenter_return:
    pop %ebp
    pop %edx
    pop %ecx
    ret
    .size __kernel_vsyscall, . - __kernel_vsyscall
)");

namespace {

// Linux's i386 ABI (include/uapi/linux/time_types.h, time32.h).
struct OldTimespec32 {
    i32 tv_sec;
    i32 tv_nsec;
};
struct KernelTimespec {
    i64 tv_sec;
    i64 tv_nsec;
};
struct OldTimeval32 {
    i32 tv_sec;
    i32 tv_usec;
};

constexpr long kSysTime = 13, kSysGettimeofday = 78, kSysClockGettime = 265, kSysClockGettime64 = 403;
constexpr i32 kClockRealtime = 0, kClockMonotonic = 1, kClockRealtimeCoarse = 5, kClockMonotonicCoarse = 6,
              kClockBoottime = 7;

extern "C" const volatile arch::UserClockData vdso_clock_page [[gnu::visibility("hidden")]];

long syscall2(long number, long first, long second)
{
    long result;
    asm volatile("int $0x80" : "=a"(result) : "a"(number), "b"(first), "c"(second) : "memory");
    return result;
}

u64 rdtsc()
{
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64 { high } << 32) | low;
}

// Nanoseconds on `clock` as the system call would give them now; false when the kernel must answer (a clock the
// page does not keep, no TSC, or a wall clock set before 1970, whose rounding the kernel's rules decide).
bool read_clock(i32 clock, u64& ns)
{
    arch::UserClockReading reading;
    switch (clock) {
    case kClockRealtime:
    case kClockRealtimeCoarse: // the kernel's coarse clocks are its fine ones, so these agree with it
        if (!arch::read_user_clock(vdso_clock_page, rdtsc, reading) || reading.realtime_ns < 0)
            return false;
        ns = static_cast<u64>(reading.realtime_ns);
        return true;
    case kClockMonotonic:
    case kClockMonotonicCoarse:
    case kClockBoottime: // nothing suspends this machine: boot time is monotonic time
        if (!arch::read_user_clock(vdso_clock_page, rdtsc, reading))
            return false;
        ns = reading.monotonic_ns;
        return true;
    default:
        return false;
    }
}

} // namespace

#define VDSO_EXPORT extern "C" [[gnu::visibility("default")]]

VDSO_EXPORT int __vdso_clock_gettime64(i32 clock, KernelTimespec* time)
{
    u64 ns;
    if (!read_clock(clock, ns))
        return static_cast<int>(syscall2(kSysClockGettime64, clock, reinterpret_cast<long>(time)));
    u32 nanoseconds;
    time->tv_sec = static_cast<i64>(arch::split_seconds(ns, nanoseconds));
    time->tv_nsec = nanoseconds;
    return 0;
}

VDSO_EXPORT int __vdso_clock_gettime(i32 clock, OldTimespec32* time)
{
    u64 ns;
    u32 nanoseconds;
    u64 seconds;
    // Past 2038 the system call's EOVERFLOW is the answer.
    if (!read_clock(clock, ns) || (seconds = arch::split_seconds(ns, nanoseconds)) > 0x7FFFFFFF)
        return static_cast<int>(syscall2(kSysClockGettime, clock, reinterpret_cast<long>(time)));
    time->tv_sec = static_cast<i32>(seconds);
    time->tv_nsec = static_cast<i32>(nanoseconds);
    return 0;
}

VDSO_EXPORT int __vdso_gettimeofday(OldTimeval32* time, void* zone)
{
    u64 ns;
    if (zone || !read_clock(kClockRealtime, ns)) // the kernel fills the time zone
        return static_cast<int>(syscall2(kSysGettimeofday, reinterpret_cast<long>(time), reinterpret_cast<long>(zone)));
    if (time) {
        u32 nanoseconds;
        time->tv_sec = static_cast<i32>(arch::split_seconds(ns, nanoseconds)); // truncated, as the kernel does
        time->tv_usec = static_cast<i32>(nanoseconds / 1000);
    }
    return 0;
}

VDSO_EXPORT i32 __vdso_time(i32* where)
{
    u64 ns;
    if (!read_clock(kClockRealtime, ns))
        return static_cast<i32>(syscall2(kSysTime, reinterpret_cast<long>(where), 0));
    u32 nanoseconds;
    i32 seconds = static_cast<i32>(arch::split_seconds(ns, nanoseconds));
    if (where)
        *where = seconds;
    return seconds;
}
