// The self-test runner and the portable self-tests (those needing only the arch interface).
#include "kernel/selftest.hpp"
#include "boot/multiboot.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "lib/string.hpp"

// Before the scheduler: no kernel timer is armed, so the test may ask for the timer interrupt itself.
KERNEL_SELFTEST(timer)
{
    if (!arch::interrupts_enabled())
        return t.fail("interrupts are disabled");
    // With nothing asked for, the timer still wakes a halted CPU; give up after far more halts than needed.
    u64 start = arch::clock_ns();
    for (int halts = 0; halts < 1000 && arch::clock_ns() < start + 20 * 1000 * 1000; ++halts)
        arch::wait_for_interrupt();
    if (arch::clock_ns() < start + 20 * 1000 * 1000)
        return t.fail("1000 halts did not see 20 ms go by");
    if (arch::clock_resolution_ns() > 1000)
        return t.pass("timer interrupts wake the CPU (periodic: the clock has no TSC)");
    // A short deadline wakes the CPU at it, not at some later tick. The median is checked, since a loaded host
    // can hold QEMU back now and then: TCG takes some tens of microseconds, a 1 ms tick (before the timer
    // was one-shot) makes it about 800.
    constexpr u64 kDelay = 200 * 1000, kBound = 300 * 1000;
    constexpr usize kRounds = 21;
    u64 lateness[kRounds];
    for (usize round = 0; round < kRounds; ++round) {
        u64 deadline = arch::clock_ns() + kDelay;
        arch::set_timer_deadline(deadline);
        for (int halts = 0; halts < 100 && arch::clock_ns() < deadline; ++halts)
            arch::wait_for_interrupt();
        u64 late = arch::clock_ns() - deadline; // a round that gave up wraps huge
        usize at = round;
        for (; at > 0 && lateness[at - 1] > late; --at) // insertion sort: the median is wanted
            lateness[at] = lateness[at - 1];
        lateness[at] = late;
    }
    arch::set_timer_deadline(~u64 { 0 });
    u64 median = lateness[kRounds / 2];
    log_info("timer: a %llu us deadline came %llu us late (median), %llu us at best, %llu us at worst",
        static_cast<unsigned long long>(kDelay / 1000), static_cast<unsigned long long>(median / 1000),
        static_cast<unsigned long long>(lateness[0] / 1000),
        static_cast<unsigned long long>(lateness[kRounds - 1] / 1000));
    if (median > kBound)
        return t.fail("a 200 us deadline's interrupt came more than 300 us late (median of 21)");
    return t.pass("the timer interrupt comes at the deadline asked for");
}

KERNEL_SELFTEST(multiboot_bad_blocks)
{
    // On the real machine, through the real phys_to_virt: a bad block is an error value, never a fault.
    static boot::MultibootInfo info;
    if (info.parse(0xDEADBEEF, 0x9000).error() != Errno::INVAL)
        return t.fail("a wrong boot loader magic was not EINVAL");
    const PhysAddr unreachable[] = { 0xFFFFFFF0u, 0xFFFFFFFFu, 0xE0000000u };
    for (PhysAddr address : unreachable)
        if (info.parse(boot::kMultibootBootloaderMagic, address).error() != Errno::FAULT)
            return t.fail("an unreachable information block was not EFAULT");
    return t.pass("wrong magic gave EINVAL and three unreachable blocks gave EFAULT");
}

KERNEL_SELFTEST(panic)
{
    panic("self-test panic (requested with test=panic)");
}

void run_selftests(const char* which)
{
    auto tests = arch::self_tests();
    bool all = compare_strings(which, "all") == 0;
    usize ran = 0, failed = 0;
    for (usize i = 0; i < tests.count; ++i) {
        const SelfTest& test = tests.data[i];
        // test=all skips the tests that end the boot on purpose.
        bool ends_boot = compare_strings(test.name, "panic") == 0 || compare_strings(test.name, "divide_error") == 0;
        if (all ? ends_boot : compare_strings(which, test.name) != 0)
            continue;
        ++ran;
        auto result = test.run(SelfTestResult { false, nullptr });
        if (result.passed) {
            log_notice("ok %s %s", test.name, result.detail);
        } else {
            ++failed;
            log_notice("not ok %s %s", test.name, result.detail);
        }
    }
    if (ran == 0) {
        log_error("not ok selftest no self-test is named '%s'", which);
        arch::exit_emulator(false);
    }
    log_notice("self-tests: %zu passed, %zu failed", ran - failed, failed);
    arch::exit_emulator(failed == 0);
}
