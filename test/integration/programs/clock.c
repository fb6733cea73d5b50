/* Clocks and sleeping: monotonic time advances by what nanosleep asked, a short sleep wakes soon after its
 * deadline, wall-clock time is the RTC's. */
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void)
{
    struct timespec start, end, resolution;
    CHECK("clock_gettime_monotonic", clock_gettime(CLOCK_MONOTONIC, &start) == 0);
    struct timespec nap = { 0, 30 * 1000 * 1000 };
    CHECK("nanosleep", nanosleep(&nap, NULL) == 0);
    CHECK("clock_gettime_after", clock_gettime(CLOCK_MONOTONIC, &end) == 0);
    long long slept = ns(end) - ns(start);
    CHECK("slept_at_least_30ms", slept >= 30 * 1000 * 1000);
    CHECK("slept_less_than_1s", slept < 1000 * 1000 * 1000);
    struct timespec realtime;
    CHECK("clock_gettime_realtime_after_2020", clock_gettime(CLOCK_REALTIME, &realtime) == 0
        && realtime.tv_sec > 1577836800);
    struct timeval tv;
    CHECK("gettimeofday", gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= realtime.tv_sec - 1);
    CHECK("time", time(NULL) >= realtime.tv_sec);
    CHECK("clock_getres", clock_getres(CLOCK_MONOTONIC, &resolution) == 0 && resolution.tv_sec == 0
        && resolution.tv_nsec > 0 && resolution.tv_nsec <= 10 * 1000 * 1000);
    CHECK_ERRNO("clock_gettime_bad_clock", clock_gettime(12345, &start), EINVAL);
    struct timespec bad = { 0, 1000000000 };
    CHECK_ERRNO("nanosleep_bad_nsec", nanosleep(&bad, NULL), EINVAL);
    /* musl reads the timespec itself to convert it to 64 bits, so the kernel's EFAULT needs the raw call. */
    CHECK_ERRNO("nanosleep_efault", syscall(SYS_nanosleep, (struct timespec*)0xC0000000, NULL), EFAULT);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 10 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    CHECK("clock_nanosleep_absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    CHECK("absolute_deadline_reached", ns(end) >= ns(until));
    /* A short sleep wakes at its deadline, not at the next 1 ms tick: the timer interrupt is programmed for the
     * earliest kernel timer. The median of several rounds is checked, since a loaded host can hold QEMU back
     * now and then: TCG wakes it some tens of microseconds late, a 1 ms tick about 850. */
    enum { rounds = 21 };
    long long lateness[rounds];
    for (int i = 0; i < rounds; ++i) {
        struct timespec short_nap = { 0, 100 * 1000 }, before, after;
        clock_gettime(CLOCK_MONOTONIC, &before);
        nanosleep(&short_nap, NULL);
        clock_gettime(CLOCK_MONOTONIC, &after);
        long long late = ns(after) - ns(before) - 100 * 1000;
        int at = i;
        for (; at > 0 && lateness[at - 1] > late; --at)
            lateness[at] = lateness[at - 1];
        lateness[at] = late;
    }
    printf("nanosleep 100 us: %lld us late (median), %lld us at best, %lld us at worst\n",
        lateness[rounds / 2] / 1000, lateness[0] / 1000, lateness[rounds - 1] / 1000);
    CHECK("short_nanosleep_not_early", lateness[0] >= 0);
    CHECK("short_nanosleep_wakes_within_300us", lateness[rounds / 2] < 300 * 1000);
    return check_summary();
}
