// getrandom(2)'s flags, counts and faults (the generator itself: test/unit/kernel/random_test.cpp).
#include <catch2/catch_test_macros.hpp>

#include "../proc/process_machine.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysGetrandom = sys::nr("getrandom");

} // namespace

TEST_CASE("getrandom: flags checked, counts returned, faults reported", "[random]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        CHECK(call(kSysGetrandom, box, 16, 8) == err(Errno::INVAL));
        CHECK(call(kSysGetrandom, box, 16, 2 | 4) == err(Errno::INVAL)); // GRND_RANDOM with GRND_INSECURE
        for (u32 flags : { 0u, 1u, 2u, 4u, 1u | 2u, 1u | 4u })
            CHECK(call(kSysGetrandom, box, 16, flags) == 16);
        CHECK(call(kSysGetrandom, box, 0, 0) == 0);
        CHECK(call(kSysGetrandom, 0xC0000000, 16, 0) == err(Errno::FAULT));
        // Bytes up to the end of the mapping count; the rest is lost, as Linux reports it.
        CHECK(call(kSysGetrandom, box + 4 * kPage - 10, 100, 0) == 10);
        // Two reads differ (with overwhelming probability).
        CHECK(call(kSysGetrandom, box, 32, 0) == 32);
        CHECK(call(kSysGetrandom, box + 32, 32, 0) == 32);
        CHECK(peek<u64>(box) != peek<u64>(box + 32));
        CHECK(call(kSysGetrandom, box, 3 * kPage, 0) == static_cast<i32>(3 * kPage));
    });
}
