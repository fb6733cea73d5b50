// Controls of the simulated machine, for host tests: a clock advanced by hand (and by the idle CPU, to the
// timer's deadline), a fake port space, fake RAM.
#pragma once

#include <functional>
#include <vector>

#include "arch/arch.hpp"
#include "arch/user_clock.hpp"

namespace sim {

// A device behind a range of I/O ports; tests script its replies.
class PortDevice {
public:
    virtual ~PortDevice() = default;
    virtual u32 read(u16 port, u8 width) = 0;
    virtual void write(u16 port, u8 width, u32 value) = 0;
};

// Routes ports [first, first + count) to `device` (nullptr removes it). Unclaimed reads give all ones, as on a PC bus.
void attach_ports(u16 first, u16 count, PortDevice* device);

// Runs `hook` each time the idle CPU has seen its timer interrupt go by (nullptr: none), so that a test can
// end a machine whose every task sleeps for ever.
void set_idle_hook(void (*hook)());

// A device asserts interrupt line `line`: its handler (arch::register_irq) runs at once if the line is unmasked
// and interrupts are on, else as soon as both hold. Pending and masked state, for tests of drivers.
void raise_irq(u32 line);
bool irq_pending(u32 line);
bool irq_masked(u32 line);

// Moves the clock on by `ticks` milliseconds, taking no interrupt: a timer whose deadline passed waits for
// the next timer interrupt (advance_tick, timer_tick, or the idle CPU's).
void advance_ticks(u64 ticks);
// Whole milliseconds on the clock since reset.
u64 elapsed_ticks();
// One scheduler tick period (1 ms) goes by while the CPU runs user code (or the kernel), ending in the timer
// interrupt: the tick charges it to the running task.
void advance_tick(bool in_user_mode = true);
// The clock page a vDSO would read (arch/user_clock.hpp), its cycles being clock_ns()'s nanoseconds.
const arch::UserClockData& user_clock();
// What arch::set_timer_deadline last asked for and no interrupt delivered yet (~0: nothing).
u64 timer_deadline();

// Backs physical addresses [base, base + size) with `memory` for phys_to_virt (nullptr detaches).
void attach_phys_memory(PhysAddr base, void* memory, usize size);

// Host memory for simulated RAM that the sim can map a second time (a memfd), as arch::map_kernel_pages
// needs to show scattered frames side by side with real host protections: a write to a read-only kernel
// page faults on the host as it would on the machine. Zero-filled.
class PhysMemory {
public:
    explicit PhysMemory(usize size);
    ~PhysMemory();
    PhysMemory(const PhysMemory&) = delete;
    PhysMemory& operator=(const PhysMemory&) = delete;

    u8* data() const { return m_data; }
    usize size() const { return m_size; }
    int fd() const { return m_fd; }

private:
    int m_fd;
    u8* m_data;
    usize m_size;
};
// Attaches `memory` as RAM from `base`; with this form, kernel page mappings work too.
void attach_phys_memory(PhysAddr base, const PhysMemory& memory);
// The memfd behind physical page `frame` and its offset there; false when the frame is not in memory
// attached as a PhysMemory.
bool phys_memory_file(PhysAddr frame, int& fd, u64& offset);

// What the simulated machine did when asked to leave or halt, for tests of panic paths.
struct ExitRecord {
    bool exited = false;
    bool success = false;
};
ExitRecord last_exit();

// What arch::kernel_image() returns (nothing until set).
void set_kernel_image(PhysAddr start, PhysAddr end);

// What arch::kernel_symbols() returns, for tests of symbolized backtraces.
void set_kernel_symbols(const void* table, usize size);

// What arch::capture_backtrace() reports, innermost first (none until set), for tests of panic reports.
// `frames` must stay valid until reset() or the next call.
void set_backtrace(const uptr* frames, usize count);

// The page tables last activated (nullptr: none), and how many exist, for tests of address spaces.
arch::PageTables* active_page_tables();
long live_page_tables();
void reset_paging();

// Simulated user mode: a task that enters user mode at (entry, stack) runs `program`, which stands for the
// user code and makes system calls with user_syscall() (or raises a trap with user_trap()) until one of them
// ends it; a forked child runs the fork-child program with fork's result. Each task has its own host stack.
void set_user_program(std::function<void(uptr entry, uptr stack)> program);
void set_fork_child_program(std::function<void(u32 result)> program);
// In a forked or cloned child: the stack pointer clone gave it (0: the parent's).
uptr fork_child_stack();
// The running task's user stack pointer: where its signal frames go. It starts where exec or clone put it;
// a handler frame moves it, and sigreturn puts it back.
uptr user_stack_pointer();
void set_user_stack_pointer(uptr esp);
i32 user_syscall(u32 number, u32 a = 0, u32 b = 0, u32 c = 0, u32 d = 0, u32 e = 0, u32 f = 0);
void user_trap(const arch::UserTrap& trap);
// A signal handler the kernel set up a frame for: the frame is in user memory (Linux's i386 layout,
// arch/signal_frame.hpp), and the sim records the call it cannot run. A sigreturn made while the stack
// pointer is at the handler's entry stands for the handler returning (the sim pops what its return would);
// reading the frame back forgets the record.
struct SignalDelivery {
    int signal;
    uptr handler;
    uptr restorer;
    u64 saved_mask;
    u8 siginfo[128];
    u32 alt_stack_base, alt_stack_size, alt_stack_flags; // the frame's uc_stack (rt_sigreturn restores it)
    uptr frame; // its user address: the handler's stack pointer
    bool rt;    // an rt_sigframe (SA_SIGINFO), else the old sigframe
};
const std::vector<SignalDelivery>& signal_deliveries();

// The timer interrupt (the tick hook) now, without moving the clock: it runs the kernel timers already due.
// By default it interrupts user code (the test calling it stands for it), else the kernel.
void timer_tick(bool in_user_mode = true);
// The kernel stack last given to set_trap_stack.
u8* trap_stack();
// What load_tls_descriptor() last put in TLS entry `index`.
arch::TlsDescriptor loaded_tls(u32 index);
void reset_user_mode();

// Puts the whole simulated machine back to its power-on state; each test starts with this.
void reset();

} // namespace sim
