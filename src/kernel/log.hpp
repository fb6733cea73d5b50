// The kernel log: every line goes into a ring buffer (for dmesg) and to the enabled consoles.
// Levels are Linux's (KERN_EMERG 0 .. KERN_DEBUG 7); a console shows lines whose level < loglevel.
#pragma once

#include "kernel/console.hpp"
#include "lib/types.hpp"

enum class LogLevel : u8 { Emergency = 0, Alert, Critical, Error, Warning, Notice, Info, Debug };

void log_message(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_message(LogLevel::Error, __VA_ARGS__)
#define log_warning(...) log_message(LogLevel::Warning, __VA_ARGS__)
#define log_notice(...) log_message(LogLevel::Notice, __VA_ARGS__)
#define log_info(...) log_message(LogLevel::Info, __VA_ARGS__)
#define log_debug(...) log_message(LogLevel::Debug, __VA_ARGS__)

// Adds a console; it receives lines from then on. At most kMaxConsoles.
void log_add_console(Console& console);
// Enables only the consoles named in `names` (as console= on the command line); others stay silent.
void log_select_consoles(const char* const* names, usize count);
void log_set_level(u8 loglevel);

// Writes program output to the enabled consoles as it is: no timestamp, not kept in the log ring.
void console_write(const char* text, usize length);

// Writes a line to every registered console, enabled or not, whatever the level: for panics.
void log_emergency_line(const char* line);

// Copies the newest `size - 1` bytes of the log ring into `buffer`, NUL-terminated; returns the length.
usize log_read_ring(char* buffer, usize size);

// Forgets consoles and the ring; for host tests.
void log_reset();

constexpr usize kMaxConsoles = 4;
