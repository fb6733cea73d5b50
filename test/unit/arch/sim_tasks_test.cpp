// The sim's tasks leave as the machine's do: exit_to and discard_task abandon the kernel stack (no destructor
// of a kernel frame runs, since the machine never runs one), while the test's own "user code" frames unwind
// on the user stack so that its locals are freed. A system call that returns runs its destructors as usual.
#include <catch2/catch_test_macros.hpp>

#include "arch/tasks.hpp"
#include "arch/user.hpp"
#include "sim/sim.hpp"

namespace {

struct Counted {
    int* count;
    ~Counted() { ++*count; }
};

int g_kernel_destroyed, g_user_destroyed, g_returned;
uptr g_boot_saved, g_task_saved;

constexpr u32 kReturn = 1, kExit = 2, kStop = 3;

i32 kernel_side(const arch::SyscallArgs& args)
{
    Counted frame_local { &g_kernel_destroyed };
    if (args.number == kExit)
        arch::exit_to(g_boot_saved); // never comes back
    if (args.number == kStop)
        arch::switch_stacks(&g_task_saved, g_boot_saved); // back to the test, the task stopped in the kernel
    return 7;
}

void run_task(std::function<void(uptr, uptr)> program)
{
    g_kernel_destroyed = g_user_destroyed = g_returned = 0;
    arch::set_syscall_handler(kernel_side);
    sim::set_user_program(std::move(program));
    uptr task = arch::prepare_user_start(nullptr, 0, 0x08048000, 0xBFFFF000);
    arch::switch_stacks(&g_boot_saved, task);
}

} // namespace

TEST_CASE("sim tasks: exit_to abandons the kernel frames and unwinds only the user code", "[sim][tasks]")
{
    sim::reset();
    run_task([](uptr, uptr) {
        Counted user_local { &g_user_destroyed };
        g_returned = sim::user_syscall(kReturn);
        sim::user_syscall(kExit);
        FAIL("exit returned to user code");
    });
    CHECK(g_returned == 7);
    CHECK(g_kernel_destroyed == 1); // the call that returned, and only it
    CHECK(g_user_destroyed == 1);
    sim::reset_user_mode();
}

TEST_CASE("sim tasks: discard_task drops a task stopped in the kernel without unwinding its kernel frames",
    "[sim][tasks]")
{
    sim::reset();
    run_task([](uptr, uptr) {
        Counted user_local { &g_user_destroyed };
        sim::user_syscall(kStop);
        FAIL("a discarded task ran on");
    });
    CHECK(g_kernel_destroyed == 0);
    CHECK(g_user_destroyed == 0); // stopped, not yet torn down
    arch::discard_task(g_task_saved);
    CHECK(g_kernel_destroyed == 0);
    CHECK(g_user_destroyed == 1);
    sim::reset_user_mode();
}

TEST_CASE("sim tasks: what the kernel side throws is thrown in the user code", "[sim][tasks]")
{
    sim::reset();
    bool caught = false;
    arch::set_syscall_handler([](const arch::SyscallArgs& args) -> i32 {
        if (args.number == kExit)
            arch::exit_to(g_boot_saved);
        throw std::runtime_error("from the kernel side");
    });
    sim::set_user_program([&](uptr, uptr) {
        try {
            sim::user_syscall(kReturn);
        } catch (const std::runtime_error&) {
            caught = true;
        }
        sim::user_syscall(kExit);
    });
    uptr task = arch::prepare_user_start(nullptr, 0, 0x08048000, 0xBFFFF000);
    arch::switch_stacks(&g_boot_saved, task);
    CHECK(caught);
    sim::reset_user_mode();
}
