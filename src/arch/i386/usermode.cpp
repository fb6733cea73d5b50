// User mode on i386: the system-call and trap hooks, run_user_mode, and the TLS entries of the GDT.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "kernel/panic.hpp"

extern "C" u32 i386_enter_user(u32 entry, u32 stack, u32* saved_stack);
extern "C" [[noreturn]] void i386_leave_user(u32 saved_stack, u32 value);

namespace arch {

namespace {

u32 g_saved_stack; // the kernel stack run_user_mode returns on; 0 while no user code runs

} // namespace

void set_syscall_handler(SyscallHandler handler) { i386::set_syscall_handler(handler); }
void set_user_trap_handler(UserTrapHandler handler) { i386::set_user_trap_handler(handler); }

u32 run_user_mode(uptr entry, uptr stack)
{
    if (g_saved_stack)
        panic("run_user_mode: user code is already running");
    u32 value = i386_enter_user(entry, stack, &g_saved_stack);
    g_saved_stack = 0;
    return value;
}

void leave_user_mode(u32 value)
{
    if (!g_saved_stack)
        panic("leave_user_mode: no user code is running");
    i386_leave_user(g_saved_stack, value);
}

void load_tls_descriptor(u32 index, const TlsDescriptor& d)
{
    if (index < kFirstTlsEntry || index >= kFirstTlsEntry + kTlsEntries)
        panic("load_tls_descriptor: %u is not a TLS entry", index);
    bool empty = d.base == 0 && d.limit == 0 && d.read_exec_only && d.seg_not_present && !d.seg_32bit
        && !d.limit_in_pages && !d.useable && d.contents == 0;
    // Linux's fill_ldt(): data or code per `contents`, writable unless read_exec_only, DPL 3, accessed.
    u8 type = static_cast<u8>(((d.read_exec_only ? 0 : 1) << 1) | (d.contents << 2) | 1);
    u8 access = static_cast<u8>((d.seg_not_present ? 0 : 0x80) | (3 << 5) | 0x10 | type);
    u8 flags = static_cast<u8>((d.limit_in_pages ? 8 : 0) | (d.seg_32bit ? 4 : 0) | (d.useable ? 1 : 0));
    i386::set_gdt_entry(index, empty ? 0 : d.base, empty ? 0 : d.limit, empty ? 0 : access, empty ? 0 : flags);
}

} // namespace arch
