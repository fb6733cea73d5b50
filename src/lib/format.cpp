// printf-style formatting (C11 7.21.6.1) without libc. Every integer is widened to u64 and converted with
// 32-bit arithmetic only, so the i386 kernel needs no libgcc 64-bit division helpers.
#include "lib/format.hpp"

#include <type_traits>

#include "lib/string.hpp"

namespace {

// Where the characters go: the buffer while it has room (one byte kept for the NUL), counted regardless.
class Output {
public:
    Output(char* buffer, usize size) : m_buffer(buffer), m_size(size) {}

    void put(char c)
    {
        if (m_length + 1 < m_size)
            m_buffer[m_length] = c;
        ++m_length;
    }

    void write(const char* characters, usize count)
    {
        for (usize i = 0; i < count; ++i)
            put(characters[i]);
    }

    // Writes only what fits and counts the rest in one step, so that a huge field width costs no time.
    void repeat(char c, usize count)
    {
        usize room = m_length + 1 < m_size ? m_size - 1 - m_length : 0;
        usize stored = count < room ? count : room;
        for (usize i = 0; i < stored; ++i)
            m_buffer[m_length + i] = c;
        m_length += count;
    }

    usize finish()
    {
        if (m_size > 0)
            m_buffer[m_length < m_size ? m_length : m_size - 1] = '\0';
        return m_length;
    }

private:
    char* m_buffer;
    usize m_size;
    usize m_length { 0 };
};

enum class Length { Default, Char, Short, Long, LongLong, Size, Ptrdiff, Max };

struct Spec {
    bool left { false };
    bool zero { false };
    bool plus { false };
    bool space { false };
    bool alternate { false };
    usize width { 0 };
    bool has_precision { false };
    usize precision { 0 };
    Length length { Length::Default };
};

// printf's width and precision are ints; saturating there keeps an absurd number from wrapping around.
constexpr usize kMaxField = 0x7fffffff;

usize parse_number(const char*& p)
{
    usize value = 0;
    for (; *p >= '0' && *p <= '9'; ++p) {
        value = value * 10 + static_cast<usize>(*p - '0');
        if (value > kMaxField)
            value = kMaxField;
    }
    return value;
}

// Divides by a base of at most 16 and returns the remainder. Works on 16-bit pieces so that every
// division is 32-bit: each partial dividend is below 16 * 2^16.
unsigned divide_in_place(u64& value, unsigned base)
{
    u32 remainder = 0;
    u64 quotient = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        u32 part = (remainder << 16) | static_cast<u32>((value >> shift) & 0xffff);
        quotient |= static_cast<u64>(part / base) << shift;
        remainder = part % base;
    }
    value = quotient;
    return remainder;
}

void pad(Output& out, usize width, usize used, bool left, bool before)
{
    if (width > used && left != before)
        out.repeat(' ', width - used);
}

void format_integer(Output& out, const Spec& spec, u64 magnitude, bool negative, bool is_signed, unsigned base,
    bool upper)
{
    const char* digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[64]; // least significant first; 22 suffice for octal u64
    usize count = 0;
    bool is_zero = magnitude == 0;
    // C11 7.21.6.1p8: a zero value with precision 0 has no digits at all.
    if (!(is_zero && spec.has_precision && spec.precision == 0)) {
        do
            digits[count++] = digit_set[divide_in_place(magnitude, base)];
        while (magnitude != 0);
    }

    usize zeros = spec.has_precision && spec.precision > count ? spec.precision - count : 0;
    // '#' with o raises the precision just enough that the first digit is a 0.
    if (base == 8 && spec.alternate && zeros == 0 && !(count == 1 && digits[0] == '0'))
        zeros = 1;

    char sign = 0;
    if (negative)
        sign = '-';
    else if (is_signed && spec.plus)
        sign = '+';
    else if (is_signed && spec.space)
        sign = ' ';
    const char* prefix = (base == 16 && spec.alternate && !is_zero) ? (upper ? "0X" : "0x") : "";
    usize prefix_length = prefix[0] ? 2 : 0;

    usize used = (sign ? 1 : 0) + prefix_length + zeros + count;
    // '0' pads with zeros after the sign and prefix, but is ignored with '-' or a precision (7.21.6.1p6).
    bool zero_pad = spec.zero && !spec.left && !spec.has_precision;
    if (!zero_pad)
        pad(out, spec.width, used, spec.left, true);
    if (sign)
        out.put(sign);
    out.write(prefix, prefix_length);
    if (zero_pad && spec.width > used)
        out.repeat('0', spec.width - used);
    out.repeat('0', zeros);
    while (count > 0)
        out.put(digits[--count]);
    pad(out, spec.width, used, spec.left, false);
}

void format_text(Output& out, const Spec& spec, const char* text, usize length)
{
    pad(out, spec.width, length, spec.left, true);
    out.write(text, length);
    pad(out, spec.width, length, spec.left, false);
}

// va_arg on the promoted type, then narrowed as hh and h require (7.21.6.1p7).
i64 take_signed(Length length, va_list& args)
{
    switch (length) {
    case Length::Char:
        return static_cast<signed char>(va_arg(args, int));
    case Length::Short:
        return static_cast<short>(va_arg(args, int));
    case Length::Long:
        return va_arg(args, long);
    case Length::LongLong:
        return va_arg(args, long long);
    case Length::Size:
        return va_arg(args, std::make_signed_t<size_t>);
    case Length::Ptrdiff:
        return va_arg(args, ptrdiff_t);
    case Length::Max:
        return va_arg(args, intmax_t);
    case Length::Default:
        break;
    }
    return va_arg(args, int);
}

u64 take_unsigned(Length length, va_list& args)
{
    switch (length) {
    case Length::Char:
        return static_cast<unsigned char>(va_arg(args, unsigned));
    case Length::Short:
        return static_cast<unsigned short>(va_arg(args, unsigned));
    case Length::Long:
        return va_arg(args, unsigned long);
    case Length::LongLong:
        return va_arg(args, unsigned long long);
    case Length::Size:
        return va_arg(args, size_t);
    case Length::Ptrdiff:
        return va_arg(args, std::make_unsigned_t<ptrdiff_t>);
    case Length::Max:
        return va_arg(args, uintmax_t);
    case Length::Default:
        break;
    }
    return va_arg(args, unsigned);
}

// Reads the flags, width, precision and length of one conversion; `p` is just past the '%' and is left
// on the conversion character.
Spec parse_spec(const char*& p, va_list& args)
{
    Spec spec;
    for (;; ++p) {
        if (*p == '-')
            spec.left = true;
        else if (*p == '0')
            spec.zero = true;
        else if (*p == '+')
            spec.plus = true;
        else if (*p == ' ')
            spec.space = true;
        else if (*p == '#')
            spec.alternate = true;
        else
            break;
    }

    if (*p == '*') {
        ++p;
        int width = va_arg(args, int);
        // A negative width argument is a '-' flag and a positive width (7.21.6.1p5).
        if (width < 0) {
            spec.left = true;
            spec.width = static_cast<usize>(-static_cast<i64>(width));
        } else {
            spec.width = static_cast<usize>(width);
        }
    } else {
        spec.width = parse_number(p);
    }

    if (*p == '.') {
        ++p;
        spec.has_precision = true;
        if (*p == '*') {
            ++p;
            int precision = va_arg(args, int);
            // A negative precision argument is taken as if the precision were omitted.
            spec.has_precision = precision >= 0;
            spec.precision = precision >= 0 ? static_cast<usize>(precision) : 0;
        } else {
            spec.precision = parse_number(p);
        }
    }

    switch (*p) {
    case 'h':
        spec.length = p[1] == 'h' ? Length::Char : Length::Short;
        p += p[1] == 'h' ? 2 : 1;
        break;
    case 'l':
        spec.length = p[1] == 'l' ? Length::LongLong : Length::Long;
        p += p[1] == 'l' ? 2 : 1;
        break;
    case 'z':
        spec.length = Length::Size;
        ++p;
        break;
    case 't':
        spec.length = Length::Ptrdiff;
        ++p;
        break;
    case 'j':
        spec.length = Length::Max;
        ++p;
        break;
    default:
        break;
    }
    return spec;
}

} // namespace

usize vformat(char* buffer, usize size, const char* fmt, va_list original_args)
{
    Output out(buffer, size);
    // A local copy: va_list may be an array type, which only a local can be bound to a reference from.
    va_list args;
    va_copy(args, original_args);

    const char* p = fmt;
    while (*p) {
        if (*p != '%') {
            out.put(*p++);
            continue;
        }
        const char* conversion_start = p++;
        Spec spec = parse_spec(p, args);
        switch (*p) {
        case 'd':
        case 'i': {
            i64 value = take_signed(spec.length, args);
            // Negating through u64 is defined even for the most negative value.
            u64 magnitude = value < 0 ? 0 - static_cast<u64>(value) : static_cast<u64>(value);
            format_integer(out, spec, magnitude, value < 0, true, 10, false);
            break;
        }
        case 'u':
            format_integer(out, spec, take_unsigned(spec.length, args), false, false, 10, false);
            break;
        case 'x':
        case 'X':
            format_integer(out, spec, take_unsigned(spec.length, args), false, false, 16, *p == 'X');
            break;
        case 'o':
            format_integer(out, spec, take_unsigned(spec.length, args), false, false, 8, false);
            break;
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            format_text(out, spec, &c, 1);
            break;
        }
        case 's': {
            const char* text = va_arg(args, const char*);
            if (!text) {
                // As glibc: "(null)" unless the precision leaves no room for it, then nothing.
                text = spec.has_precision && spec.precision < 6 ? "" : "(null)";
            }
            // Precision bounds the read too: the argument need not be NUL-terminated (7.21.6.1p8).
            usize length = spec.has_precision ? bounded_string_length(text, spec.precision) : string_length(text);
            format_text(out, spec, text, length);
            break;
        }
        case 'p': {
            void* pointer = va_arg(args, void*);
            if (!pointer) {
                format_text(out, spec, "(nil)", 5);
                break;
            }
            // As glibc: %#x of the address, sign flags included.
            spec.alternate = true;
            format_integer(out, spec, reinterpret_cast<uptr>(pointer), false, true, 16, false);
            break;
        }
        case '%':
            out.put('%');
            break;
        default:
            // Unknown or cut short: copy it as written, so the mistake shows in the output.
            out.write(conversion_start, static_cast<usize>(p - conversion_start) + (*p ? 1 : 0));
            break;
        }
        if (*p)
            ++p;
    }

    va_end(args);
    return out.finish();
}

usize format(char* buffer, usize size, const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    usize length = vformat(buffer, size, fmt, args);
    va_end(args);
    return length;
}
