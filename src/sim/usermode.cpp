// Simulated user mode: a test supplies the "program" as a host function that makes system calls through
// sim::user_syscall(); leave_user_mode() unwinds back to run_user_mode() as the real one switches stacks.
#include <functional>
#include <stdexcept>

#include "sim/sim.hpp"

namespace {

arch::SyscallHandler g_syscall_handler;
arch::UserTrapHandler g_trap_handler;
std::function<void(uptr entry, uptr stack)> g_program;
bool g_in_user_mode;
arch::TlsDescriptor g_tls[arch::kTlsEntries];

struct LeftUserMode {
    u32 value;
};

} // namespace

namespace sim {

void set_user_program(std::function<void(uptr entry, uptr stack)> program) { g_program = std::move(program); }

i32 user_syscall(u32 number, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f)
{
    if (!g_syscall_handler)
        throw std::logic_error("sim: a system call with no handler installed");
    return g_syscall_handler({ number, { a, b, c, d, e, f } });
}

void user_trap(const arch::UserTrap& trap)
{
    if (!g_trap_handler)
        throw std::logic_error("sim: a user trap with no handler installed");
    g_trap_handler(trap);
}

arch::TlsDescriptor loaded_tls(u32 index) { return g_tls[index - arch::kFirstTlsEntry]; }

void reset_user_mode()
{
    g_syscall_handler = nullptr;
    g_trap_handler = nullptr;
    g_program = nullptr;
    g_in_user_mode = false;
    for (auto& entry : g_tls)
        entry = {};
}

} // namespace sim

namespace arch {

void set_syscall_handler(SyscallHandler handler) { g_syscall_handler = handler; }
void set_user_trap_handler(UserTrapHandler handler) { g_trap_handler = handler; }

u32 run_user_mode(uptr entry, uptr stack)
{
    if (!g_program)
        throw std::logic_error("sim: run_user_mode with no user program set");
    g_in_user_mode = true;
    try {
        g_program(entry, stack);
    } catch (const LeftUserMode& left) {
        g_in_user_mode = false;
        return left.value;
    }
    g_in_user_mode = false;
    throw std::logic_error("sim: the user program returned without leaving user mode (no exit call)");
}

void leave_user_mode(u32 value)
{
    if (!g_in_user_mode)
        throw std::logic_error("sim: leave_user_mode outside user mode");
    throw LeftUserMode { value };
}

void load_tls_descriptor(u32 index, const TlsDescriptor& descriptor)
{
    if (index < kFirstTlsEntry || index >= kFirstTlsEntry + kTlsEntries)
        throw std::logic_error("sim: load_tls_descriptor of a non-TLS entry");
    g_tls[index - kFirstTlsEntry] = descriptor;
}

} // namespace arch
