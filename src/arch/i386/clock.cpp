// The monotonic clock: the TSC, its rate measured once against the PIT's channel 2 (8254 datasheet, mode 0;
// port 0x61 gates channel 2 and shows its output), so that clock_ns() has nanosecond resolution between the
// timer interrupts, and the PIT's channel 0 is free to go one-shot. A CPU without a TSC, or a measurement that
// makes no sense, falls back to the count of the PIT's periodic 1 ms interrupts.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "arch/user_clock.hpp"
#include "kernel/log.hpp"

namespace {

constexpr u32 kPitInputHz = 1193182;
constexpr u32 kCpuidTsc = 1u << 4;

u64 g_tsc_at_zero;
// Nanoseconds per TSC cycle in 32.32 fixed point; 0 while the clock runs on ticks.
u64 g_ns_per_cycle;

u64 rdtsc()
{
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64 { high } << 32) | low;
}

// TSC cycles per second, from how many pass while channel 2 counts down 10 ms; 0 when that fails.
u64 measure_tsc_hz()
{
    constexpr u32 kCount = kPitInputHz / 100;
    u8 gate = i386::inb(0x61);
    i386::outb(0x61, static_cast<u8>((gate & ~0x02) | 0x01)); // gate on, speaker off
    i386::outb(0x43, 0xB0); // channel 2, low then high byte, mode 0 (interrupt on terminal count)
    i386::outb(0x42, static_cast<u8>(kCount & 0xFF));
    i386::outb(0x42, static_cast<u8>(kCount >> 8));
    u64 start = rdtsc();
    bool done = false;
    for (u32 polls = 0; polls < (1u << 24) && !done; ++polls)
        done = i386::inb(0x61) & 0x20; // channel 2's output goes high at terminal count
    u64 cycles = rdtsc() - start;
    i386::outb(0x61, gate);
    if (!done)
        return 0;
    return cycles * kPitInputHz / kCount;
}

u64 periodic_ns()
{
    u64 ticks;
    {
        // A 64-bit read is two loads: keep the timer interrupt from landing between them.
        arch::InterruptGuard guard;
        ticks = i386::ticks();
    }
    return ticks * 1000000000ull / i386::timer_rate();
}

} // namespace

namespace i386 {

void clock_init()
{
    if (!(arch::cpu_features() & kCpuidTsc)) {
        log_info("clock: no TSC; the clock counts the PIT's periodic ticks");
        return;
    }
    u64 hz = measure_tsc_hz();
    if (hz < 1000000) { // below 1 MHz: no CPU this kernel runs on, so the measurement went wrong
        log_warning("clock: the TSC measured %llu Hz against the PIT; the clock counts timer ticks",
            static_cast<unsigned long long>(hz));
        return;
    }
    g_ns_per_cycle = (1000000000ull << 32) / hz;
    // Start where the tick count stands, so the clock never goes back when it changes rulers.
    u64 ns_now = periodic_ns();
    g_tsc_at_zero = rdtsc() - (ns_now << 32) / g_ns_per_cycle;
    publish_tsc_clock(g_tsc_at_zero, g_ns_per_cycle);
    pit_start_one_shot();
    log_info("clock: TSC at %llu kHz; the PIT interrupts one-shot, at the next timer's deadline",
        static_cast<unsigned long long>(hz / 1000));
}

u64 tsc_hz() { return g_ns_per_cycle ? (1000000000ull << 32) / g_ns_per_cycle : 0; }

} // namespace i386

namespace arch {

u64 clock_ns()
{
    if (!g_ns_per_cycle)
        return periodic_ns();
    // The vDSO reads the clock with the same function of the TSC (arch/user_clock.hpp).
    return scale_cycles(rdtsc() - g_tsc_at_zero, g_ns_per_cycle);
}

u64 clock_resolution_ns() { return g_ns_per_cycle ? 1 : 1000000000ull / i386::timer_rate(); }

} // namespace arch
