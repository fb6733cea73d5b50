// The kernel command line: splits the boot loader's untrusted text into parameters and reads the few the kernel
// acts on (console=, init=, root=, loglevel=, test=). Parsing never fails: every problem becomes a warning.
#pragma once

#include "lib/errno.hpp"
#include "lib/types.hpp"

namespace boot {

// Linux's COMMAND_LINE_SIZE on x86: longer input is truncated and reported.
inline constexpr usize kMaxCommandLine = 4096;

// One parsed command line. Everything lives in fixed buffers inside the object (no heap), so it can be a
// static at boot and copied freely; pointers it hands out stay valid while the object does.
class CommandLine {
public:
    static constexpr usize kMaxConsoles = 4;
    static constexpr usize kMaxParameters = 128;
    static constexpr usize kMaxWarnings = 8;
    static constexpr usize kMaxKey = 63;              // characters, without the NUL
    static constexpr usize kMaxPath = 255;            // init= and root=
    static constexpr usize kMaxTestName = 63;         // test=
    static constexpr usize kMaxConsoleName = 15;      // "ttyS0"
    static constexpr usize kMaxConsoleOptions = 31;   // "115200n8"
    static constexpr usize kMaxWarningKey = 31;       // the copy of the offending key kept in a warning
    static constexpr u8 kDefaultLogLevel = 7;         // Linux's CONSOLE_LOGLEVEL_DEFAULT
    static constexpr u8 kMaxLogLevel = 8;             // 8 is how Linux users ask for KERN_DEBUG (level 7) too

    // console=NAME[,OPTIONS], e.g. "ttyS0,115200n8": the device and its driver-specific options ("" if none).
    struct Console {
        char name[kMaxConsoleName + 1];
        char options[kMaxConsoleOptions + 1];
    };

    // One parameter as written: `key=value`, `key=` (value "") or a bare flag `key` (value nullptr).
    struct Parameter {
        const char* key = nullptr; // nullptr: not found
        const char* value = nullptr;

        explicit operator bool() const { return key != nullptr; }
        bool is_flag() const { return key && !value; }
    };

    // What was wrong, and with which parameter (its key, possibly cut, non-printable bytes shown as '?').
    struct Warning {
        Errno code;
        const char* message; // static text
        char key[kMaxWarningKey + 1];
    };

    // The defaults: no console, init "/sbin/init", no root, loglevel 7, no test.
    CommandLine();

    // Replaces this object's contents with the parse of `text[0, length)`. A NUL ends the command line, as it
    // does in the C string a boot loader hands over.
    void parse(const char* text, usize length);

    usize console_count() const { return m_console_count; }
    const Console& console(usize index) const { return m_consoles[index]; }
    const char* init() const { return m_init; }
    const char* root() const { return m_root; } // "" when not given
    // Linux's console_loglevel: messages whose level is below it reach the console.
    u8 log_level() const { return m_log_level; }
    const char* test() const { return m_test; } // "" for a normal boot

    // The last parameter named `key` (including the ones above, as written); '-' and '_' match each other in
    // keys, as in Linux (Documentation/admin-guide/kernel-parameters.rst).
    Parameter find(const char* key) const;
    bool has(const char* key) const { return static_cast<bool>(find(key)); }

    // Every accepted parameter in command-line order.
    usize parameter_count() const { return m_parameter_count; }
    Parameter parameter(usize index) const;

    usize warning_count() const { return m_warning_count; }
    const Warning& warning(usize index) const { return m_warnings[index]; }
    // Warnings beyond kMaxWarnings are counted, not kept.
    usize warnings_dropped() const { return m_warnings_dropped; }
    bool truncated() const { return m_truncated; }

private:
    struct Entry {
        u16 key;   // offset into m_storage
        u16 value; // offset into m_storage, meaningful when has_value
        bool has_value;
    };

    void reset();
    void parse_token(const char* text, usize& pos, usize end, bool cut_at_end);
    void apply(const char* key, const char* value, usize value_length);
    void apply_console(const char* key, const char* value, usize value_length);
    void warn(Errno code, const char* message, const char* key);

    // Every token's key and value, NUL-terminated. Quotes and '=' are dropped and each token adds one NUL at
    // most beyond its own bytes plus the separator before the next, so the input bound plus one always fits.
    char m_storage[kMaxCommandLine + 1];
    usize m_storage_used;
    Entry m_entries[kMaxParameters];
    usize m_parameter_count;

    Console m_consoles[kMaxConsoles];
    usize m_console_count;
    char m_init[kMaxPath + 1];
    char m_root[kMaxPath + 1];
    char m_test[kMaxTestName + 1];
    u8 m_log_level;

    Warning m_warnings[kMaxWarnings];
    usize m_warning_count;
    usize m_warnings_dropped;
    bool m_truncated;
    bool m_truncation_reported;
};

// Convenience for one-off parses (tests, fuzzing); boot code may prefer a static CommandLine and parse().
CommandLine parse_command_line(const char* text, usize length);

} // namespace boot
