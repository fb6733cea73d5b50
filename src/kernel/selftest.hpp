// Kernel self-tests: code only a booted kernel can exercise (CPU exceptions, real devices). Each is
// run by `test=NAME` (or `test=all`) on the command line and prints `ok NAME ...` or `not ok NAME why`.
#pragma once

#include "arch/arch.hpp"

// What a self-test reports through; return its result: `return t.pass("...");`.
struct SelfTestResult {
    bool passed;
    const char* detail;
    static SelfTestResult pass(const char* detail) { return { true, detail }; }
    static SelfTestResult fail(const char* detail) { return { false, detail }; }
};

struct SelfTest {
    const char* name;
    SelfTestResult (*run)(SelfTestResult);
};

// Defines a self-test and places its descriptor in the section the linker collects into arch::self_tests().
#define KERNEL_SELFTEST(test_name)                                                                             \
    static SelfTestResult selftest_##test_name(SelfTestResult t);                                              \
    [[gnu::used, gnu::section("cadenza_selftests")]] static const SelfTest selftest_entry_##test_name           \
        = { #test_name, selftest_##test_name };                                                                 \
    static SelfTestResult selftest_##test_name([[maybe_unused]] SelfTestResult t)

// Runs the self-tests `which` names ("all" for every one) and leaves the emulator with the result.
[[noreturn]] void run_selftests(const char* which);
