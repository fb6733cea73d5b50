// The clock page the kernel shows user mode read-only (the vDSO's "vvar" page), and the arithmetic both sides
// do on it: the vDSO reads the clock with the kernel's own formula, so its answer is the system call's.
// Header-only and freestanding: the vDSO, the i386 clock, the sim and the host tests include it.
#pragma once

#include "lib/types.hpp"

namespace arch {

enum UserClockMode : u32 {
    kUserClockSyscall = 0, // no usable TSC yet: user mode asks the kernel
    kUserClockTsc = 1,
};

// Written only by the kernel, between begin_user_clock_write and end_user_clock_write.
struct UserClockData {
    u32 sequence; // odd while the kernel writes: readers retry (a sequence counter, as Linux's seqcount)
    u32 mode;
    u64 tsc_at_zero; // the TSC when the monotonic clock read 0
    u64 ns_per_cycle; // 32.32 fixed point
    i64 realtime_at_zero; // wall-clock nanoseconds when the monotonic clock read 0
};
static_assert(sizeof(UserClockData) == 32);

constexpr i64 kNsPerSecond = 1000000000;

// cycles * ns_per_cycle >> 32 without a 128-bit product, in 32-bit halves: the high word's part cannot overflow
// in centuries of uptime, and each partial product of two halves fits in 64 bits.
inline u64 scale_cycles(u64 cycles, u64 ns_per_cycle)
{
    u64 high = cycles >> 32, low = cycles & 0xFFFFFFFFu;
    u64 rate_high = ns_per_cycle >> 32, rate_low = ns_per_cycle & 0xFFFFFFFFu;
    return high * ns_per_cycle + low * rate_high + ((low * rate_low) >> 32);
}

// Seconds and the nanoseconds past them. The vDSO has no libgcc for a 64-bit division: on i386 it takes two
// 32-bit divides (the first remainder is below the divisor, so the second quotient fits 32 bits).
inline u64 split_seconds(u64 ns, u32& nanoseconds)
{
#if defined(__i386__)
    u32 high = static_cast<u32>(ns >> 32), low = static_cast<u32>(ns);
    u32 divisor = static_cast<u32>(kNsPerSecond);
    u32 quotient_high = high / divisor, remainder = high % divisor, quotient_low;
    asm("divl %[d]" : "=a"(quotient_low), "=d"(nanoseconds) : "a"(low), "d"(remainder), [d] "rm"(divisor));
    return (u64 { quotient_high } << 32) | quotient_low;
#else
    nanoseconds = static_cast<u32>(ns % kNsPerSecond);
    return ns / kNsPerSecond;
#endif
}

inline void begin_user_clock_write(UserClockData& data)
{
    // Uniprocessor: the compiler's order is the order a reader on this CPU sees.
    *static_cast<volatile u32*>(&data.sequence) = data.sequence + 1;
    asm volatile("" ::: "memory");
}

inline void end_user_clock_write(UserClockData& data)
{
    asm volatile("" ::: "memory");
    *static_cast<volatile u32*>(&data.sequence) = data.sequence + 1;
}

struct UserClockReading {
    u64 monotonic_ns;
    i64 realtime_ns;
};

// Reads both clocks from `data` with `read_cycles()` (rdtsc in the vDSO) taken inside the same sequence, so a
// write that lands meanwhile makes it read again. False when the page says to make the system call.
template<typename ReadCycles>
inline bool read_user_clock(const volatile UserClockData& data, ReadCycles read_cycles, UserClockReading& out)
{
    for (;;) {
        u32 sequence = data.sequence;
        asm volatile("" ::: "memory");
        if (sequence & 1)
            continue;
        u32 mode = data.mode;
        u64 tsc_at_zero = data.tsc_at_zero, ns_per_cycle = data.ns_per_cycle;
        i64 realtime_at_zero = data.realtime_at_zero;
        u64 cycles = read_cycles();
        asm volatile("" ::: "memory");
        if (data.sequence != sequence)
            continue;
        if (mode != kUserClockTsc)
            return false;
        out.monotonic_ns = scale_cycles(cycles - tsc_at_zero, ns_per_cycle);
        out.realtime_ns = realtime_at_zero + static_cast<i64>(out.monotonic_ns);
        return true;
    }
}

} // namespace arch
