// The kernel log ring and console fan-out.
#include <stdarg.h>

#include "arch/arch.hpp"
#include "kernel/log.hpp"
#include "lib/format.hpp"
#include "lib/ring_buffer.hpp"
#include "lib/string.hpp"

namespace {

struct ConsoleSlot {
    Console* console;
    bool enabled;
};

ConsoleSlot g_consoles[kMaxConsoles];
usize g_console_count;
u8 g_loglevel = 8; // until the command line says otherwise, show everything
RingBuffer<char, 64 * 1024> g_ring;
// The ring and the console list: interrupt handlers log too. log_emergency_line takes no lock (a panic).
arch::IrqSpinLock g_lock;

void write_consoles(const char* text, usize length, bool force)
{
    for (usize i = 0; i < g_console_count; ++i)
        if (force || g_consoles[i].enabled)
            g_consoles[i].console->write(text, length);
}

} // namespace

void log_message(LogLevel level, const char* fmt, ...)
{
    char line[512];
    u64 now = arch::clock_ns();
    usize prefix = format(line, sizeof(line), "[%5llu.%06llu] ", static_cast<unsigned long long>(now / 1000000000),
        static_cast<unsigned long long>(now % 1000000000 / 1000));
    va_list args;
    va_start(args, fmt);
    usize body = vformat(line + prefix, sizeof(line) - prefix - 1, fmt, args);
    va_end(args);
    usize length = prefix + body;
    if (length > sizeof(line) - 2)
        length = sizeof(line) - 2; // truncated: keep room for the newline
    line[length++] = '\n';
    line[length] = '\0';

    arch::SpinLockGuard guard(g_lock);
    for (usize i = 0; i < length; ++i)
        g_ring.push_overwrite(line[i]);
    if (static_cast<u8>(level) < g_loglevel)
        write_consoles(line, length, false);
}

void log_add_console(Console& console)
{
    arch::SpinLockGuard guard(g_lock);
    if (g_console_count < kMaxConsoles)
        g_consoles[g_console_count++] = { &console, true };
}

void log_select_consoles(const char* const* names, usize count)
{
    arch::SpinLockGuard guard(g_lock);
    for (usize i = 0; i < g_console_count; ++i) {
        g_consoles[i].enabled = false;
        for (usize n = 0; n < count; ++n)
            if (compare_strings(names[n], g_consoles[i].console->name()) == 0)
                g_consoles[i].enabled = true;
    }
}

void log_set_level(u8 loglevel) { g_loglevel = loglevel; }

void console_write(const char* text, usize length)
{
    arch::SpinLockGuard guard(g_lock);
    write_consoles(text, length, false);
}

void log_emergency_line(const char* line)
{
    usize length = string_length(line);
    write_consoles(line, length, true);
    write_consoles("\n", 1, true);
    for (usize i = 0; i < length; ++i)
        g_ring.push_overwrite(line[i]);
    g_ring.push_overwrite('\n');
}

usize log_read_ring(char* buffer, usize size)
{
    if (size == 0)
        return 0;
    arch::SpinLockGuard guard(g_lock);
    usize available = g_ring.size();
    usize take = available < size - 1 ? available : size - 1;
    for (usize i = 0; i < take; ++i)
        buffer[i] = g_ring[available - take + i];
    buffer[take] = '\0';
    return take;
}

void log_reset()
{
    g_console_count = 0;
    g_loglevel = 8;
    g_ring.clear();
}
