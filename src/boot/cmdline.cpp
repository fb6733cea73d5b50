// The kernel command line parser. Tokens are separated by unquoted whitespace; double quotes group text and are
// dropped, as Linux's next_arg() does for `init="/bin/sh -l"`. Bad tokens are dropped with a warning.
#include "boot/cmdline.hpp"

namespace boot {

namespace {

constexpr const char* kTruncatedMessage = "command line over 4096 bytes, truncated";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The command line is printable ASCII: control bytes and non-ASCII have no business in a path or a device
// name, and would reach the console verbatim in log lines.
bool is_printable(char c)
{
    auto byte = static_cast<u8>(c);
    return byte >= 0x20 && byte <= 0x7E;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Key comparison where '-' and '_' are the same character (Linux's parameqn()).
bool key_equals(const char* a, const char* b)
{
    for (;; ++a, ++b) {
        char x = *a == '-' ? '_' : *a;
        char y = *b == '-' ? '_' : *b;
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

// Copies `length` bytes and a NUL; the caller has checked that they fit.
void copy_string(char* destination, const char* source, usize length)
{
    for (usize i = 0; i < length; ++i)
        destination[i] = source[i];
    destination[length] = '\0';
}

} // namespace

CommandLine::CommandLine() { reset(); }

void CommandLine::reset()
{
    m_storage_used = 0;
    m_parameter_count = 0;
    m_console_count = 0;
    copy_string(m_init, "/sbin/init", 10);
    m_root[0] = '\0';
    m_test[0] = '\0';
    m_log_level = kDefaultLogLevel;
    m_warning_count = 0;
    m_warnings_dropped = 0;
    m_truncated = false;
    m_truncation_reported = false;
}

void CommandLine::parse(const char* text, usize length)
{
    reset();
    if (!text)
        length = 0;

    // Nothing past the bound is ever read, so a huge `length` costs no more than 4 KiB of scanning.
    usize scan = length < kMaxCommandLine ? length : kMaxCommandLine;
    usize end = scan;
    for (usize i = 0; i < scan; ++i) {
        if (text[i] == '\0') {
            end = i;
            break;
        }
    }

    bool cut_in_token = false;
    if (end < scan) {
        // Trailing NUL padding is normal; text after a NUL means the caller's idea of the length is off.
        for (usize i = end + 1; i < scan; ++i) {
            if (text[i] != '\0') {
                warn(Errno::INVAL, "bytes after a NUL ignored", "");
                break;
            }
        }
    } else if (length > kMaxCommandLine && text[kMaxCommandLine] != '\0') {
        // Exactly kMaxCommandLine bytes and then a NUL fit whole: only a byte of text past the bound is lost.
        m_truncated = true;
        cut_in_token = !is_space(text[kMaxCommandLine]);
    }

    usize pos = 0;
    while (pos < end) {
        if (is_space(text[pos])) {
            ++pos;
            continue;
        }
        parse_token(text, pos, end, cut_in_token);
    }

    // A token cut by the bound already reported the truncation with its key; otherwise report it here.
    if (m_truncated && !m_truncation_reported)
        warn(Errno::TOOBIG, kTruncatedMessage, "");
}

// Reads one token starting at `pos` (not whitespace) and leaves `pos` on the separator after it.
void CommandLine::parse_token(const char* text, usize& pos, usize end, bool cut_in_token)
{
    usize start_used = m_storage_used;
    usize value_offset = 0;
    usize key_length = 0;
    usize value_length = 0;
    bool has_value = false;
    bool in_quote = false;
    bool bad_byte = false;
    bool overflow = false;

    auto emit = [&](char c) {
        if (m_storage_used < sizeof(m_storage))
            m_storage[m_storage_used++] = c;
        else
            overflow = true; // cannot happen given the bound (see m_storage); kept as a guard
    };

    for (; pos < end; ++pos) {
        char c = text[pos];
        if (c == '"') {
            in_quote = !in_quote;
            continue;
        }
        if (!in_quote && is_space(c))
            break;
        // The first '=' splits even inside quotes, so `"key=a b"` works as in Linux.
        if (c == '=' && !has_value) {
            emit('\0');
            has_value = true;
            value_offset = m_storage_used;
            continue;
        }
        if (!is_printable(c)) {
            bad_byte = true;
            c = '?';
        }
        emit(c);
        if (has_value)
            ++value_length;
        else
            ++key_length;
    }
    emit('\0');
    if (overflow && start_used < sizeof(m_storage))
        m_storage[sizeof(m_storage) - 1] = '\0';

    const char* key = start_used < sizeof(m_storage) ? &m_storage[start_used] : "";
    const char* value = has_value ? &m_storage[value_offset] : nullptr;
    bool reached_end = pos == end;

    auto drop = [&](Errno code, const char* message) {
        warn(code, message, key);
        m_storage_used = start_used;
    };

    if (reached_end && m_truncated && (cut_in_token || in_quote)) {
        drop(Errno::TOOBIG, kTruncatedMessage);
        m_truncation_reported = true;
    } else if (in_quote)
        drop(Errno::INVAL, "unterminated quote");
    else if (overflow)
        drop(Errno::NOSPC, "out of parameter space");
    else if (bad_byte)
        drop(Errno::ILSEQ, "non-printable byte");
    else if (key_length == 0)
        drop(Errno::INVAL, "empty key");
    else if (key_length > kMaxKey)
        drop(Errno::NAMETOOLONG, "key too long");
    else if (m_parameter_count == kMaxParameters)
        drop(Errno::TOOBIG, "too many parameters");
    else {
        m_entries[m_parameter_count++] = { static_cast<u16>(start_used), static_cast<u16>(value_offset), has_value };
        apply(key, value, value_length);
    }
}

// Reads the parameters the kernel itself acts on; the last valid occurrence wins, as in Linux.
void CommandLine::apply(const char* key, const char* value, usize value_length)
{
    if (key_equals(key, "console")) {
        apply_console(key, value, value_length);
    } else if (key_equals(key, "init") || key_equals(key, "root")) {
        if (!value || value_length == 0)
            warn(Errno::INVAL, "needs a value", key);
        else if (value_length > kMaxPath)
            warn(Errno::NAMETOOLONG, "value too long", key);
        else
            copy_string(key_equals(key, "init") ? m_init : m_root, value, value_length);
    } else if (key_equals(key, "loglevel")) {
        if (!value || value_length == 0) {
            warn(Errno::INVAL, "needs a number", key);
            return;
        }
        u32 level = 0;
        for (usize i = 0; i < value_length; ++i) {
            if (!is_digit(value[i])) {
                warn(Errno::INVAL, "not a decimal number", key);
                return;
            }
            // Saturate: any value past the range is as wrong as any other.
            if (level <= kMaxLogLevel)
                level = level * 10 + static_cast<u32>(value[i] - '0');
        }
        if (level > kMaxLogLevel)
            warn(Errno::RANGE, "out of range 0..8", key);
        else
            m_log_level = static_cast<u8>(level);
    } else if (key_equals(key, "test")) {
        // `test=` (empty) asks for a normal boot; a bare `test` names nothing.
        if (!value)
            warn(Errno::INVAL, "needs a test name", key);
        else if (value_length > kMaxTestName)
            warn(Errno::NAMETOOLONG, "value too long", key);
        else
            copy_string(m_test, value, value_length);
    }
}

// console=NAME[,OPTIONS] (Documentation/admin-guide/serial-console.rst): NAME is a letter then letters, digits
// or '_' ("ttyS0", "tty0", "hvc0"); OPTIONS are the driver's ("115200n8").
void CommandLine::apply_console(const char* key, const char* value, usize value_length)
{
    if (!value || value_length == 0) {
        warn(Errno::INVAL, "needs a device", key);
        return;
    }
    usize name_length = 0;
    while (name_length < value_length && value[name_length] != ',')
        ++name_length;
    usize options_length = name_length < value_length ? value_length - name_length - 1 : 0;

    if (name_length == 0 || !is_alpha(value[0])) {
        warn(Errno::INVAL, "bad console name", key);
        return;
    }
    for (usize i = 1; i < name_length; ++i) {
        if (!is_alpha(value[i]) && !is_digit(value[i]) && value[i] != '_') {
            warn(Errno::INVAL, "bad console name", key);
            return;
        }
    }
    if (name_length > kMaxConsoleName || options_length > kMaxConsoleOptions) {
        warn(Errno::NAMETOOLONG, "value too long", key);
        return;
    }
    if (m_console_count == kMaxConsoles) {
        warn(Errno::TOOBIG, "more than 4 consoles", key);
        return;
    }
    Console& console = m_consoles[m_console_count++];
    copy_string(console.name, value, name_length);
    copy_string(console.options, value + name_length + (options_length ? 1 : 0), options_length);
}

void CommandLine::warn(Errno code, const char* message, const char* key)
{
    if (m_warning_count == kMaxWarnings) {
        ++m_warnings_dropped;
        return;
    }
    Warning& warning = m_warnings[m_warning_count++];
    warning.code = code;
    warning.message = message;
    usize i = 0;
    for (; i < kMaxWarningKey && key[i]; ++i)
        warning.key[i] = key[i];
    warning.key[i] = '\0';
}

CommandLine::Parameter CommandLine::find(const char* key) const
{
    if (!key)
        return {};
    for (usize i = m_parameter_count; i > 0; --i) {
        if (key_equals(&m_storage[m_entries[i - 1].key], key))
            return parameter(i - 1);
    }
    return {};
}

CommandLine::Parameter CommandLine::parameter(usize index) const
{
    if (index >= m_parameter_count)
        return {};
    const Entry& entry = m_entries[index];
    return { &m_storage[entry.key], entry.has_value ? &m_storage[entry.value] : nullptr };
}

CommandLine parse_command_line(const char* text, usize length)
{
    CommandLine command_line;
    command_line.parse(text, length);
    return command_line;
}

} // namespace boot
