// Putting the kernel's globals back as they were at boot, for host tests: each simulated machine should start
// from a kernel that has never run, as the real one does at power-on, instead of inheriting the registries,
// counters and statistics of the tests before it. A subsystem that keeps such state declares, beside it,
// `kernel::BootStateReset g_boot_state(function)` with a function that puts it back; the test harness calls
// reset_boot_state() before it builds a machine. The kernel never calls it: at boot its globals are as the
// loader and the static constructors left them.
#pragma once

namespace kernel {

class BootStateReset {
public:
    explicit BootStateReset(void (*reset)());
    BootStateReset(const BootStateReset&) = delete;
    BootStateReset& operator=(const BootStateReset&) = delete;

private:
    friend void reset_boot_state();
    void (*m_reset)();
    BootStateReset* m_next;
};

// Runs every registered reset, in the order the registrations were made.
void reset_boot_state();

} // namespace kernel
