// The simulated machine behind src/arch/arch.hpp: plain host memory, a clock that tests advance by hand and
// that jumps to the one-shot timer's deadline when the CPU waits for an interrupt.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/user_clock.hpp"
#include "sim/sim.hpp"

namespace {

struct PortRange {
    u16 first;
    u16 count;
    sim::PortDevice* device;
};

constexpr u64 kNoTimer = ~u64 { 0 };
constexpr u64 kTickNs = 1000000; // what advance_ticks counts in

struct Machine {
    bool interrupts = false;
    u64 now_ns = 0;
    u64 timer_deadline = kNoTimer; // what set_timer_deadline asked for
    PortRange ports[16] {};
    u8* phys_memory = nullptr;
    PhysAddr phys_base = 0;
    usize phys_size = 0;
    int phys_fd = -1; // the memfd behind phys_memory, when attached as a PhysMemory
    sim::ExitRecord exit {};
    const u8* symbols = nullptr;
    usize symbols_size = 0;
    arch::PhysSpan kernel_image {};
    const uptr* backtrace = nullptr;
    usize backtrace_count = 0;
    void (*idle_hook)() = nullptr;
    struct Irq {
        arch::IrqHandler handler = nullptr;
        void* context = nullptr;
        bool masked = true;
        bool pending = false;
    } irqs[arch::kIrqLines];
    bool delivering = false;
    // The vDSO's clock page as the i386 kernel keeps it, with the sim's nanoseconds as its cycle counter.
    arch::UserClockData user_clock { 0, arch::kUserClockTsc, 0, u64 { 1 } << 32, 0 };
};

Machine g_machine;

// Runs the handler of every pending, unmasked line while interrupts are on, as the CPU would take them: with
// interrupts off for the handler's duration. A line with no handler stays pending (a PIC would hold it).
void deliver_irqs()
{
    if (g_machine.delivering)
        return;
    g_machine.delivering = true;
    for (bool again = true; again;) {
        again = false;
        for (u32 line = 0; line < arch::kIrqLines && g_machine.interrupts; ++line) {
            auto& irq = g_machine.irqs[line];
            if (!irq.pending || irq.masked || !irq.handler)
                continue;
            irq.pending = false;
            g_machine.interrupts = false;
            irq.handler(line, irq.context);
            g_machine.interrupts = true;
            again = true;
        }
    }
    g_machine.delivering = false;
}

sim::PortDevice* device_at(u16 port)
{
    for (auto& range : g_machine.ports)
        if (range.device && port >= range.first && port - range.first < range.count)
            return range.device;
    return nullptr;
}

u32 port_read(u16 port, u8 width)
{
    auto* device = device_at(port);
    return device ? device->read(port, width) : (width == 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1);
}

void port_write(u16 port, u8 width, u32 value)
{
    if (auto* device = device_at(port))
        device->write(port, width, value);
}

// Halting on the host has no machine to stop: end the test through an exception the test can catch.
struct SimHalt : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace

namespace sim {

void attach_ports(u16 first, u16 count, PortDevice* device)
{
    for (auto& range : g_machine.ports) {
        if (range.device && range.first == first) {
            range = { first, count, device };
            return;
        }
    }
    for (auto& range : g_machine.ports) {
        if (!range.device) {
            range = { first, count, device };
            return;
        }
    }
    std::fprintf(stderr, "sim: too many port devices\n");
    std::abort();
}

void advance_ticks(u64 ticks) { g_machine.now_ns += ticks * kTickNs; }

u64 elapsed_ticks() { return g_machine.now_ns / kTickNs; }

void advance_tick(bool in_user_mode)
{
    g_machine.now_ns += kTickNs;
    g_machine.timer_deadline = kNoTimer;
    sim::timer_tick(in_user_mode);
}

u64 timer_deadline() { return g_machine.timer_deadline; }

void attach_phys_memory(PhysAddr base, void* memory, usize size)
{
    g_machine.phys_memory = static_cast<u8*>(memory);
    g_machine.phys_base = base;
    g_machine.phys_size = memory ? size : 0;
    g_machine.phys_fd = -1;
}

PhysMemory::PhysMemory(usize size)
    : m_fd(memfd_create("sim-ram", MFD_CLOEXEC))
    , m_size(size)
{
    if (m_fd < 0 || ftruncate(m_fd, static_cast<off_t>(size)) != 0)
        throw std::runtime_error("sim: no memfd for simulated RAM");
    void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, m_fd, 0);
    if (memory == MAP_FAILED)
        throw std::runtime_error("sim: cannot map simulated RAM");
    m_data = static_cast<u8*>(memory);
}

PhysMemory::~PhysMemory()
{
    if (g_machine.phys_memory == m_data)
        attach_phys_memory(0, nullptr, 0);
    munmap(m_data, m_size);
    close(m_fd);
}

void attach_phys_memory(PhysAddr base, const PhysMemory& memory)
{
    attach_phys_memory(base, memory.data(), memory.size());
    g_machine.phys_fd = memory.fd();
}

bool phys_memory_file(PhysAddr frame, int& fd, u64& offset)
{
    if (g_machine.phys_fd < 0 || !arch::phys_to_virt(frame, arch::kPageBytes))
        return false;
    fd = g_machine.phys_fd;
    offset = frame - g_machine.phys_base;
    return true;
}

ExitRecord last_exit() { return g_machine.exit; }

void set_kernel_symbols(const void* table, usize size)
{
    g_machine.symbols = static_cast<const u8*>(table);
    g_machine.symbols_size = size;
}

void set_kernel_image(PhysAddr start, PhysAddr end) { g_machine.kernel_image = { start, end }; }

void set_backtrace(const uptr* frames, usize count)
{
    g_machine.backtrace = frames;
    g_machine.backtrace_count = frames ? count : 0;
}

void set_idle_hook(void (*hook)()) { g_machine.idle_hook = hook; }

void raise_irq(u32 line)
{
    if (line >= arch::kIrqLines)
        throw std::logic_error("sim: raise_irq of a line past kIrqLines");
    g_machine.irqs[line].pending = true;
    deliver_irqs();
}

bool irq_pending(u32 line) { return line < arch::kIrqLines && g_machine.irqs[line].pending; }
bool irq_masked(u32 line) { return line >= arch::kIrqLines || g_machine.irqs[line].masked; }

const arch::UserClockData& user_clock() { return g_machine.user_clock; }

void reset()
{
    g_machine = Machine {};
    reset_paging();
    reset_user_mode();
}

} // namespace sim

namespace arch {

void interrupts_enable()
{
    g_machine.interrupts = true;
    deliver_irqs();
}

Result<void> register_irq(u32 line, IrqHandler handler, void* context)
{
    if (line >= kIrqLines || !handler)
        return Errno::INVAL;
    auto& irq = g_machine.irqs[line];
    if (line == 0 || line == 2 || irq.handler) // the timer's and the cascade's, as on the PC
        return Errno::BUSY;
    irq = { handler, context, false, irq.pending };
    deliver_irqs();
    return {};
}

void unregister_irq(u32 line)
{
    if (line >= kIrqLines || line == 0 || line == 2 || !g_machine.irqs[line].handler)
        return;
    g_machine.irqs[line].handler = nullptr;
    g_machine.irqs[line].masked = true;
}

void mask_irq(u32 line)
{
    if (line < kIrqLines)
        g_machine.irqs[line].masked = true;
}

void unmask_irq(u32 line)
{
    if (line >= kIrqLines)
        return;
    g_machine.irqs[line].masked = false;
    deliver_irqs();
}
void interrupts_disable() { g_machine.interrupts = false; }
bool interrupts_enabled() { return g_machine.interrupts; }

u8 port_read8(u16 port) { return static_cast<u8>(port_read(port, 1)); }
void port_write8(u16 port, u8 value) { port_write(port, 1, value); }
u16 port_read16(u16 port) { return static_cast<u16>(port_read(port, 2)); }
void port_write16(u16 port, u16 value) { port_write(port, 2, value); }
u32 port_read32(u16 port) { return port_read(port, 4); }
void port_write32(u16 port, u32 value) { port_write(port, 4, value); }

u64 clock_ns() { return g_machine.now_ns; }
u64 clock_resolution_ns() { return 1; }
void set_wall_clock_offset(i64 offset_ns)
{
    begin_user_clock_write(g_machine.user_clock);
    g_machine.user_clock.realtime_at_zero = offset_ns;
    end_user_clock_write(g_machine.user_clock);
}
void set_timer_deadline(u64 deadline_ns) { g_machine.timer_deadline = deadline_ns; }

void* phys_to_virt(PhysAddr phys, usize length)
{
    if (!g_machine.phys_memory || phys < g_machine.phys_base)
        return nullptr;
    usize offset = phys - g_machine.phys_base;
    if (offset > g_machine.phys_size || length > g_machine.phys_size - offset)
        return nullptr;
    return g_machine.phys_memory + offset;
}

PhysAddr virt_to_phys(const void* pointer)
{
    auto* byte = static_cast<const u8*>(pointer);
    if (!g_machine.phys_memory || byte < g_machine.phys_memory || byte >= g_machine.phys_memory + g_machine.phys_size)
        throw SimHalt("sim: virt_to_phys of a pointer outside simulated RAM");
    return static_cast<PhysAddr>(g_machine.phys_base + (byte - g_machine.phys_memory));
}

u64 direct_map_limit() { return g_machine.phys_memory ? u64 { g_machine.phys_base } + g_machine.phys_size : 0; }

PhysSpan kernel_image() { return g_machine.kernel_image; }

// The host's own FPU is the test's: the simulated tasks share it, and no test depends on its contents.
void fpu_save(void*) { }
void fpu_restore(const void*) { }
void fpu_initial_state(void* state) { std::memset(state, 0, kFpuStateBytes); }

u32 cpu_features() { return 0; } // a simulated CPU claims no optional feature

// A waiting CPU on the host sees its timer interrupt come: the clock jumps to the deadline asked for (one
// already past fires at once), or a tick goes by when none was asked, so polling loops and sleepers progress.
void wait_for_interrupt()
{
    u64 deadline = g_machine.timer_deadline;
    if (deadline == kNoTimer)
        g_machine.now_ns += kTickNs;
    else if (deadline > g_machine.now_ns)
        g_machine.now_ns = deadline;
    g_machine.timer_deadline = kNoTimer; // one-shot
    g_machine.interrupts = true; // as sti; hlt leaves them
    sim::timer_tick();
    if (g_machine.idle_hook)
        g_machine.idle_hook();
}

void halt_forever()
{
    g_machine.exit = { true, false };
    throw SimHalt("sim: halt_forever");
}

void exit_emulator(bool success)
{
    g_machine.exit = { true, success };
    throw SimHalt(success ? "sim: exit success" : "sim: exit failure");
}

usize capture_backtrace(uptr* out, usize max, usize skip)
{
    usize count = 0;
    for (usize i = skip; i < g_machine.backtrace_count && count < max; ++i)
        out[count++] = g_machine.backtrace[i];
    return count;
}

void dump_registers(void (*line)(const char*)) { line("(simulated machine: no registers)"); }

Bytes kernel_symbols() { return { g_machine.symbols, g_machine.symbols_size }; }

SelfTests self_tests() { return { nullptr, 0 }; }

} // namespace arch
