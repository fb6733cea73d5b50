// Clocks over the arch's monotonic clock.
#include "kernel/clock.hpp"

#include "arch/arch.hpp"
#include "drivers/rtc.hpp"
#include "kernel/boot_state.hpp"
#include "kernel/log.hpp"

namespace {

i64 g_realtime_at_zero; // wall-clock nanoseconds when the monotonic clock read 0
// A machine whose test set the clock must not hand that time to the next one.
kernel::BootStateReset g_boot_state([] {
    g_realtime_at_zero = 0;
    arch::set_wall_clock_offset(0);
});

} // namespace

u64 monotonic_ns() { return arch::clock_ns(); }

i64 realtime_ns() { return g_realtime_at_zero + static_cast<i64>(monotonic_ns()); }

void set_realtime_ns(i64 now)
{
    g_realtime_at_zero = now - static_cast<i64>(monotonic_ns());
    arch::set_wall_clock_offset(g_realtime_at_zero); // the vDSO's reads follow at once
}

u64 clock_resolution_ns() { return arch::clock_resolution_ns(); }

void clock_init()
{
    auto rtc = read_rtc();
    if (rtc.is_error()) {
        log_warning("clock: no usable RTC (%s); wall-clock time starts at 1970-01-01", errno_name(rtc.error()));
        set_realtime_ns(0);
        return;
    }
    const RtcTime& t = rtc.value();
    set_realtime_ns(unix_seconds(t) * 1000000000ll);
    log_info("clock: RTC reads %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.month, t.day, t.hour, t.minute,
        t.second);
}
