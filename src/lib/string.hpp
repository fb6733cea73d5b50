// Byte and C-string helpers and StringView, the kernel's own: the host build links glibc, so no name here
// may be a C library function's (the i386 flavour's memcpy and friends call these).
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"

// Copies `count` bytes; the ranges must not overlap (use move_bytes when they may).
void copy_bytes(void* dest, const void* src, usize count);
// Copies `count` bytes; the ranges may overlap.
void move_bytes(void* dest, const void* src, usize count);
void fill_bytes(void* dest, u8 value, usize count);
// <0, 0 or >0 as the first differing byte (compared unsigned) of `a` is below, equal or above `b`'s.
int compare_bytes(const void* a, const void* b, usize count);
// The first byte equal to `value` in [bytes, bytes + count), or nullptr.
const void* find_byte(const void* bytes, u8 value, usize count);

usize string_length(const char* string);
// Like string_length but reads at most `max` bytes, for strings that may lack their NUL.
usize bounded_string_length(const char* string, usize max);
int compare_strings(const char* a, const char* b);
// Compares at most `max` characters.
int compare_bounded_strings(const char* a, const char* b, usize max);
// Copies as much of `src` as fits and always NUL-terminates when `size` > 0 (strlcpy's contract);
// returns string_length(src) so that a result >= size means the copy was truncated.
usize copy_string(char* dest, const char* src, usize size);

// A borrowed run of characters: pointer and length, not necessarily NUL-terminated. Cheap to copy.
class StringView {
public:
    static constexpr usize kNotFound = static_cast<usize>(-1);

    constexpr StringView() = default;
    constexpr StringView(const char* characters, usize length) : m_characters(characters), m_length(length) {}
    // From a NUL-terminated string (nullptr gives the empty view). Constexpr so literals cost nothing.
    constexpr StringView(const char* string) : m_characters(string)
    {
        if (string) {
            while (string[m_length])
                ++m_length;
        }
    }

    constexpr const char* characters() const { return m_characters; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    // `index` must be below length().
    constexpr char operator[](usize index) const { return m_characters[index]; }
    constexpr const char* begin() const { return m_characters; }
    constexpr const char* end() const { return m_characters + m_length; }

    bool equals(StringView other) const;
    bool operator==(StringView other) const { return equals(other); }
    bool starts_with(StringView prefix) const;
    bool ends_with(StringView suffix) const;

    // Index of the first (last) `c` at or after `from` (anywhere), or kNotFound.
    usize find(char c, usize from = 0) const;
    usize find_last(char c) const;

    // Up to `count` characters starting at `start`, clamped to the view (a start past the end gives "").
    StringView substring(usize start, usize count = kNotFound) const;
    // Without leading and trailing spaces, tabs and newlines.
    StringView trimmed() const;

    // Parses the whole view as an unsigned number. `base` is 10, 16 (an optional 0x/0X prefix allowed),
    // 8, 2, or 0 to choose 16 on a 0x prefix and 10 otherwise (a leading 0 does not mean octal: command
    // lines are written by people). EINVAL for an empty view, a sign, spaces or any other non-digit;
    // ERANGE when the value does not fit.
    Result<u64> to_u64(unsigned base = 10) const;
    Result<u32> to_u32(unsigned base = 10) const;

    // Copies into `buffer` as a NUL-terminated string, truncating to fit; returns length() like copy_string.
    usize copy_to(char* buffer, usize size) const;

private:
    const char* m_characters { nullptr };
    usize m_length { 0 };
};
