// Hardware interrupt lines through the arch interface, on the simulated machine: registration rules, a
// raised line running its handler with interrupts off, and masking or disabled interrupts holding it back.
#include <catch2/catch_test_macros.hpp>

#include "arch/interrupts.hpp"
#include "sim/sim.hpp"

namespace {

struct Seen {
    u32 count = 0;
    u32 line = 99;
    bool interrupts_were_on = true;
};

void on_irq(u32 line, void* context)
{
    auto& seen = *static_cast<Seen*>(context);
    ++seen.count;
    seen.line = line;
    seen.interrupts_were_on = arch::interrupts_enabled();
}

void other_irq(u32, void*) { }

} // namespace

TEST_CASE("irq: registering a line: EINVAL past the lines, EBUSY for the timer, the cascade and a taken one", "[irq]")
{
    sim::reset();
    Seen seen;
    CHECK(arch::register_irq(arch::kIrqLines, on_irq, &seen).error() == Errno::INVAL);
    CHECK(arch::register_irq(4, nullptr, &seen).error() == Errno::INVAL);
    CHECK(arch::register_irq(0, on_irq, &seen).error() == Errno::BUSY);
    CHECK(arch::register_irq(2, on_irq, &seen).error() == Errno::BUSY);
    REQUIRE_FALSE(arch::register_irq(4, on_irq, &seen).is_error());
    CHECK_FALSE(sim::irq_masked(4));
    CHECK(arch::register_irq(4, other_irq, nullptr).error() == Errno::BUSY);
    arch::unregister_irq(4);
    CHECK(sim::irq_masked(4));
    CHECK_FALSE(arch::register_irq(4, other_irq, nullptr).is_error());
    sim::reset();
}

TEST_CASE("irq: a raised line runs its handler at once, with interrupts off, and they come back on", "[irq]")
{
    sim::reset();
    Seen seen;
    REQUIRE_FALSE(arch::register_irq(4, on_irq, &seen).is_error());
    arch::interrupts_enable();
    sim::raise_irq(4);
    CHECK(seen.count == 1);
    CHECK(seen.line == 4);
    CHECK_FALSE(seen.interrupts_were_on);
    CHECK(arch::interrupts_enabled());
    CHECK_FALSE(sim::irq_pending(4));
    sim::reset();
}

TEST_CASE("irq: a masked line or disabled interrupts hold the interrupt until both allow it, once", "[irq]")
{
    sim::reset();
    Seen seen;
    REQUIRE_FALSE(arch::register_irq(5, on_irq, &seen).is_error());
    arch::interrupts_enable();
    arch::mask_irq(5);
    sim::raise_irq(5);
    sim::raise_irq(5); // an edge is remembered once
    CHECK(seen.count == 0);
    CHECK(sim::irq_pending(5));
    arch::unmask_irq(5);
    CHECK(seen.count == 1);
    {
        arch::InterruptGuard guard;
        sim::raise_irq(5);
        CHECK(seen.count == 1);
        CHECK(sim::irq_pending(5));
    }
    CHECK(seen.count == 2); // taken when the guard turned interrupts back on
    // A line nobody handles stays pending and runs nothing.
    sim::raise_irq(6);
    CHECK(sim::irq_pending(6));
    CHECK(seen.count == 2);
    sim::reset();
}
