// Byte and C-string helpers and StringView, as plain loops: no libc and no __builtin_mem*.
#include "lib/string.hpp"

// GCC (even with -ffreestanding) and Clang recognise copy and fill loops and emit calls to memcpy/memset.
// In the kernel those call back into these functions, so the rewrite must be off here or they recurse.
#if defined(__clang__)
#define CADENZA_NO_LIBCALLS __attribute__((no_builtin))
#elif defined(__GNUC__)
#define CADENZA_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define CADENZA_NO_LIBCALLS
#endif

namespace {

// Whole machine words where both sides can be aligned alike: a quarter (or an eighth) of the iterations of a
// byte loop, which matters for page zeroing and copies, and under an emulator most of all.
using Word = usize __attribute__((__may_alias__));
constexpr usize kWord = sizeof(usize);

bool word_alignable(const void* a, const void* b)
{
    return (reinterpret_cast<uptr>(a) - reinterpret_cast<uptr>(b)) % kWord == 0;
}

} // namespace

CADENZA_NO_LIBCALLS void copy_bytes(void* dest, const void* src, usize count)
{
    auto* d = static_cast<u8*>(dest);
    auto* s = static_cast<const u8*>(src);
    if (count >= 2 * kWord && word_alignable(d, s)) {
        while (reinterpret_cast<uptr>(d) % kWord) {
            *d++ = *s++;
            --count;
        }
        auto* dw = reinterpret_cast<Word*>(d);
        auto* sw = reinterpret_cast<const Word*>(s);
        usize words = count / kWord;
        for (usize i = 0; i < words; ++i)
            dw[i] = sw[i];
        d += words * kWord;
        s += words * kWord;
        count %= kWord;
    }
    for (usize i = 0; i < count; ++i)
        d[i] = s[i];
}

CADENZA_NO_LIBCALLS void move_bytes(void* dest, const void* src, usize count)
{
    auto* d = static_cast<u8*>(dest);
    auto* s = static_cast<const u8*>(src);
    // Compared as integers: relational operators on pointers into different objects are unspecified.
    if (reinterpret_cast<uptr>(d) <= reinterpret_cast<uptr>(s)) {
        for (usize i = 0; i < count; ++i)
            d[i] = s[i];
    } else {
        // dest is above src: copy from the end so that overlapping source bytes are read before written.
        for (usize i = count; i > 0; --i)
            d[i - 1] = s[i - 1];
    }
}

CADENZA_NO_LIBCALLS void fill_bytes(void* dest, u8 value, usize count)
{
    auto* d = static_cast<u8*>(dest);
    if (count >= 2 * kWord) {
        while (reinterpret_cast<uptr>(d) % kWord) {
            *d++ = value;
            --count;
        }
        Word pattern = static_cast<usize>(value) * (~usize { 0 } / 0xFF); // the byte in every position
        auto* dw = reinterpret_cast<Word*>(d);
        usize words = count / kWord;
        for (usize i = 0; i < words; ++i)
            dw[i] = pattern;
        d += words * kWord;
        count %= kWord;
    }
    for (usize i = 0; i < count; ++i)
        d[i] = value;
}

CADENZA_NO_LIBCALLS int compare_bytes(const void* a, const void* b, usize count)
{
    auto* x = static_cast<const u8*>(a);
    auto* y = static_cast<const u8*>(b);
    for (usize i = 0; i < count; ++i) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

CADENZA_NO_LIBCALLS const void* find_byte(const void* bytes, u8 value, usize count)
{
    auto* p = static_cast<const u8*>(bytes);
    for (usize i = 0; i < count; ++i) {
        if (p[i] == value)
            return p + i;
    }
    return nullptr;
}

CADENZA_NO_LIBCALLS usize string_length(const char* string)
{
    usize length = 0;
    while (string[length])
        ++length;
    return length;
}

CADENZA_NO_LIBCALLS usize bounded_string_length(const char* string, usize max)
{
    usize length = 0;
    while (length < max && string[length])
        ++length;
    return length;
}

int compare_strings(const char* a, const char* b) { return compare_bounded_strings(a, b, static_cast<usize>(-1)); }

int compare_bounded_strings(const char* a, const char* b, usize max)
{
    for (usize i = 0; i < max; ++i) {
        // Compared as unsigned bytes, as strcmp does, so that ordering does not depend on char's signedness.
        auto x = static_cast<u8>(a[i]);
        auto y = static_cast<u8>(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
        if (x == 0)
            return 0;
    }
    return 0;
}

usize copy_string(char* dest, const char* src, usize size)
{
    usize length = string_length(src);
    if (size > 0) {
        usize n = length < size - 1 ? length : size - 1;
        copy_bytes(dest, src, n);
        dest[n] = '\0';
    }
    return length;
}

bool StringView::equals(StringView other) const
{
    return m_length == other.m_length && compare_bytes(m_characters, other.m_characters, m_length) == 0;
}

bool StringView::starts_with(StringView prefix) const
{
    return prefix.m_length <= m_length && compare_bytes(m_characters, prefix.m_characters, prefix.m_length) == 0;
}

bool StringView::ends_with(StringView suffix) const
{
    return suffix.m_length <= m_length
        && compare_bytes(m_characters + (m_length - suffix.m_length), suffix.m_characters, suffix.m_length) == 0;
}

usize StringView::find(char c, usize from) const
{
    for (usize i = from; i < m_length; ++i) {
        if (m_characters[i] == c)
            return i;
    }
    return kNotFound;
}

usize StringView::find_last(char c) const
{
    for (usize i = m_length; i > 0; --i) {
        if (m_characters[i - 1] == c)
            return i - 1;
    }
    return kNotFound;
}

StringView StringView::substring(usize start, usize count) const
{
    if (start >= m_length)
        return StringView(m_characters + m_length, 0);
    usize available = m_length - start;
    return StringView(m_characters + start, count < available ? count : available);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

StringView StringView::trimmed() const
{
    usize start = 0;
    usize end = m_length;
    while (start < end && is_space(m_characters[start]))
        ++start;
    while (end > start && is_space(m_characters[end - 1]))
        --end;
    return StringView(m_characters + start, end - start);
}

// The digit's value, or 255 for a character that is no digit in any base we accept.
static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return static_cast<unsigned>(c - '0');
    if (c >= 'a' && c <= 'f')
        return static_cast<unsigned>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return static_cast<unsigned>(c - 'A' + 10);
    return 255;
}

Result<u64> StringView::to_u64(unsigned base) const
{
    StringView digits = *this;
    bool has_hex_prefix = digits.m_length >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
    if (base == 0)
        base = has_hex_prefix ? 16 : 10;
    if (base != 2 && base != 8 && base != 10 && base != 16)
        return Errno::INVAL;
    if (base == 16 && has_hex_prefix)
        digits = digits.substring(2);
    if (digits.is_empty())
        return Errno::INVAL;

    u64 value = 0;
    bool overflow = false;
    for (char c : digits) {
        unsigned digit = digit_value(c);
        if (digit >= base)
            return Errno::INVAL;
        // Junk after an overflow is still EINVAL, so keep scanning rather than return ERANGE at once.
        // Unsigned overflow builtins stay inline on i386 (no libgcc 64-bit division helper).
        overflow |= __builtin_mul_overflow(value, static_cast<u64>(base), &value);
        overflow |= __builtin_add_overflow(value, static_cast<u64>(digit), &value);
    }
    if (overflow)
        return Errno::RANGE;
    return value;
}

Result<u32> StringView::to_u32(unsigned base) const
{
    auto value = to_u64(base);
    if (value.is_error())
        return value.error();
    if (value.value() > 0xffffffffu)
        return Errno::RANGE;
    return static_cast<u32>(value.value());
}

usize StringView::copy_to(char* buffer, usize size) const
{
    if (size > 0) {
        usize n = m_length < size - 1 ? m_length : size - 1;
        copy_bytes(buffer, m_characters, n);
        buffer[n] = '\0';
    }
    return m_length;
}
