// The self-test runner and the portable self-tests (those needing only the arch interface).
#include "kernel/selftest.hpp"
#include "boot/multiboot.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "lib/string.hpp"

KERNEL_SELFTEST(timer)
{
    // Interrupts must be on; wait for 20 ticks, giving up after many more halts than that needs.
    if (!arch::interrupts_enabled())
        return t.fail("interrupts are disabled");
    u64 start = arch::timer_ticks();
    for (int halts = 0; halts < 1000 && arch::timer_ticks() < start + 20; ++halts)
        arch::wait_for_interrupt();
    u64 elapsed = arch::timer_ticks() - start;
    if (elapsed < 20)
        return t.fail("the timer tick count did not advance by 20");
    log_info("timer: %llu ticks at %u Hz", static_cast<unsigned long long>(elapsed), arch::timer_hz());
    return t.pass("timer interrupts advanced the tick count");
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
