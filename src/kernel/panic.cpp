// Panic reporting.
#include <stdarg.h>

#include "arch/arch.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "kernel/symbols.hpp"
#include "lib/format.hpp"

namespace {

bool g_test_mode;
// How many panics are in progress: 1 while reporting, 2 while saying a nested one happened.
int g_panic_depth;

[[noreturn]] void stop() { g_test_mode ? arch::exit_emulator(false) : arch::halt_forever(); }

} // namespace

void panic_set_test_mode(bool on) { g_test_mode = on; }

void panic_reset()
{
    g_test_mode = false;
    g_panic_depth = 0;
}

void panic(const char* fmt, ...)
{
    arch::interrupts_disable();
    ++g_panic_depth;
    if (g_panic_depth > 2) {
        // Saying so panicked again (a console that faults on every write): printing anything more
        // would only recurse until the stack overflows.
        stop();
    }
    if (g_panic_depth == 2) {
        // A panic while reporting a panic: say so once and stop, the first report matters more.
        log_emergency_line("KERNEL PANIC (nested): giving up");
        stop();
    }

    char line[256];
    usize prefix = format(line, sizeof(line), "KERNEL PANIC: ");
    va_list args;
    va_start(args, fmt);
    vformat(line + prefix, sizeof(line) - prefix, fmt, args);
    va_end(args);
    log_emergency_line(line);

    arch::dump_registers(log_emergency_line);

    uptr frames[24];
    usize count = arch::capture_backtrace(frames, 24, 0);
    log_emergency_line("backtrace:");
    auto symbols = arch::kernel_symbols();
    for (usize i = 0; i < count; ++i) {
        auto symbol = symbolize({ symbols.data, symbols.size }, frames[i]);
        if (symbol.is_error())
            format(line, sizeof(line), "  #%zu %#010lx ?", i, static_cast<unsigned long>(frames[i]));
        else
            format(line, sizeof(line), "  #%zu %#010lx %s+%#x", i, static_cast<unsigned long>(frames[i]),
                symbol.value().name, symbol.value().offset);
        log_emergency_line(line);
    }
    log_emergency_line(g_test_mode ? "end of panic report; leaving QEMU with the failure code"
                                   : "end of panic report; system halted");
    stop();
}
