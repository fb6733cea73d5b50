// libFuzzer target for boot::CommandLine: arbitrary bytes as the boot loader's command line. Traps when a
// parse breaks an invariant the kernel relies on, or when the same text given two ways parses differently.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <vector>

#include "boot/cmdline.hpp"

namespace {

using boot::CommandLine;

void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

bool printable(const char* text)
{
    for (; *text; ++text)
        if (static_cast<u8>(*text) < 0x20 || static_cast<u8>(*text) > 0x7E)
            return false;
    return true;
}

bool same_string(const char* a, const char* b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

void check_invariants(const CommandLine& line, usize length)
{
    require(line.parameter_count() <= CommandLine::kMaxParameters);
    for (usize i = 0; i < line.parameter_count(); ++i) {
        auto parameter = line.parameter(i);
        require(parameter.key && parameter.key[0]);
        require(strlen(parameter.key) <= CommandLine::kMaxKey);
        require(printable(parameter.key));
        require(!parameter.value || printable(parameter.value));
        // Whatever was stored can be found again, and no later parameter of the same name hides from find().
        auto found = line.find(parameter.key);
        require(static_cast<bool>(found));
        require(strlen(found.key) == strlen(parameter.key));
    }
    require(!line.parameter(line.parameter_count()));

    require(line.console_count() <= CommandLine::kMaxConsoles);
    for (usize i = 0; i < line.console_count(); ++i) {
        const auto& console = line.console(i);
        usize name = strnlen(console.name, sizeof(console.name));
        require(name > 0 && name <= CommandLine::kMaxConsoleName);
        require(strnlen(console.options, sizeof(console.options)) <= CommandLine::kMaxConsoleOptions);
        require(printable(console.name) && printable(console.options));
        require(line.has("console"));
    }

    require(line.log_level() <= CommandLine::kMaxLogLevel);
    require(line.init()[0] && strlen(line.init()) <= CommandLine::kMaxPath && printable(line.init()));
    require(strlen(line.root()) <= CommandLine::kMaxPath && printable(line.root()));
    require(strlen(line.test()) <= CommandLine::kMaxTestName && printable(line.test()));

    require(line.warning_count() <= CommandLine::kMaxWarnings);
    require(line.warnings_dropped() == 0 || line.warning_count() == CommandLine::kMaxWarnings);
    for (usize i = 0; i < line.warning_count(); ++i) {
        const auto& warning = line.warning(i);
        require(warning.message && warning.message[0]);
        require(strnlen(warning.key, sizeof(warning.key)) <= CommandLine::kMaxWarningKey);
        require(printable(warning.key));
    }
    // Only text past the bound can be lost to it.
    require(!line.truncated() || length > boot::kMaxCommandLine);
}

void require_same(const CommandLine& a, const CommandLine& b)
{
    require(a.parameter_count() == b.parameter_count());
    for (usize i = 0; i < a.parameter_count(); ++i) {
        require(same_string(a.parameter(i).key, b.parameter(i).key));
        require(same_string(a.parameter(i).value, b.parameter(i).value));
    }
    require(a.console_count() == b.console_count());
    for (usize i = 0; i < a.console_count(); ++i) {
        require(same_string(a.console(i).name, b.console(i).name));
        require(same_string(a.console(i).options, b.console(i).options));
    }
    require(same_string(a.init(), b.init()) && same_string(a.root(), b.root()) && same_string(a.test(), b.test()));
    require(a.log_level() == b.log_level());
    require(a.truncated() == b.truncated());
    require(a.warning_count() == b.warning_count() && a.warnings_dropped() == b.warnings_dropped());
    for (usize i = 0; i < a.warning_count(); ++i) {
        require(a.warning(i).code == b.warning(i).code);
        require(same_string(a.warning(i).message, b.warning(i).message));
        require(same_string(a.warning(i).key, b.warning(i).key));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // Static and reused: every parse must forget the previous input completely (the kernel's object is static).
    static CommandLine by_length;
    static CommandLine by_c_string;

    // An exact-size heap copy, so that reading one byte past `size` is an ASan report, not a silent success.
    std::vector<char> exact(data, data + size);
    by_length.parse(exact.data(), size);
    check_invariants(by_length, size);

    // The boot path's shape: the same bytes as a C string one NUL longer must parse identically, since a NUL
    // ends the line and a NUL just past the bound loses nothing.
    std::vector<char> terminated(data, data + size);
    terminated.push_back('\0');
    by_c_string.parse(terminated.data(), terminated.size());
    check_invariants(by_c_string, terminated.size());
    require_same(by_length, by_c_string);

    // A copy finds everything through its own storage.
    CommandLine copy = by_length;
    require_same(copy, by_length);
    return 0;
}
