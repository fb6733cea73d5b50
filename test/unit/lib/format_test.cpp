// format/vformat: every conversion, flag, width, precision and length against the host's snprintf, plus
// the snprintf contract (truncation, return value, measuring) and the documented differences from glibc.
#include <catch2/catch_test_macros.hpp>
#include <climits>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "lib/format.hpp"

namespace {

// Formats with ours and the host's, and checks that text and return value agree.
__attribute__((format(printf, 1, 2))) void check_like_host(const char* fmt, ...)
{
    va_list ours_args;
    va_list host_args;
    va_start(ours_args, fmt);
    va_copy(host_args, ours_args);
    char ours[512];
    char host[512];
    usize ours_length = vformat(ours, sizeof(ours), fmt, ours_args);
    int host_length = vsnprintf(host, sizeof(host), fmt, host_args);
    va_end(host_args);
    va_end(ours_args);

    INFO("format \"" << fmt << "\"");
    REQUIRE(host_length >= 0);
    CHECK(std::string(ours) == std::string(host));
    CHECK(ours_length == static_cast<usize>(host_length));
}

// Formats into every buffer size from 0 to one past the full length, and checks each against the host's
// output and that no byte past `size` was touched.
__attribute__((format(printf, 1, 2))) void check_truncation_like_host(const char* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    va_list measure;
    va_copy(measure, args);
    int full = vsnprintf(nullptr, 0, fmt, measure);
    va_end(measure);
    REQUIRE(full >= 0);

    for (usize size = 0; size <= static_cast<usize>(full) + 1; ++size) {
        char ours[128];
        char host[128];
        REQUIRE(size + 1 < sizeof(ours));
        std::string guard(sizeof(ours), '#');
        guard.copy(ours, sizeof(ours));
        guard.copy(host, sizeof(host));
        va_list ours_args;
        va_list host_args;
        va_copy(ours_args, args);
        va_copy(host_args, args);
        usize ours_length = vformat(ours, size, fmt, ours_args);
        int host_length = vsnprintf(host, size, fmt, host_args);
        va_end(host_args);
        va_end(ours_args);

        INFO("format \"" << fmt << "\" into " << size << " bytes");
        CHECK(ours_length == static_cast<usize>(full));
        CHECK(host_length == full);
        CHECK(std::string(ours, size + 1) == std::string(host, size + 1));
        for (usize i = size; i < sizeof(ours); ++i)
            CHECK(ours[i] == '#');
        if (size > 0)
            CHECK(ours[size - 1 < static_cast<usize>(full) ? size - 1 : static_cast<usize>(full)] == '\0');
    }
    va_end(args);
}

std::string formatted(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string formatted(const char* fmt, ...)
{
    char buffer[256];
    va_list args;
    va_start(args, fmt);
    usize length = vformat(buffer, sizeof(buffer), fmt, args);
    va_end(args);
    REQUIRE(length < sizeof(buffer));
    return std::string(buffer);
}

// A format string the compiler cannot see, for the cases -Wformat rightly rejects.
const char* opaque(const char* fmt)
{
    static const char* volatile s_fmt;
    s_fmt = fmt;
    return s_fmt;
}

// The 64-bit extremes as the types %lld and %llu take (int64_t is long on the x86-64 host).
constexpr long long kInt64Min = INT64_MIN;
constexpr long long kInt64Max = INT64_MAX;
constexpr unsigned long long kUint64Max = UINT64_MAX;

} // namespace

TEST_CASE("format: each conversion prints as the host's snprintf", "[lib][format]")
{
    check_like_host("plain text, no conversions");
    check_like_host("%d %d %d", 0, 42, -42);
    check_like_host("%i %i", 2147483647, INT_MIN);
    check_like_host("%u %u", 0u, 4294967295u);
    check_like_host("%x %x %x", 0u, 0xdeadbeefu, 0xau);
    check_like_host("%X %X", 0xdeadbeefu, 0xabcdefu);
    check_like_host("%o %o %o", 0u, 8u, 0777u);
    check_like_host("%c%c%c", 'a', 'Z', '~');
    check_like_host("%s|%s", "hello", "");
    check_like_host("%p %p", reinterpret_cast<void*>(0x1234), reinterpret_cast<void*>(0xffffffffu));
    check_like_host("%p", static_cast<void*>(nullptr));
    check_like_host("100%% and %%d");
}

TEST_CASE("format: flags - 0 + space # as the host's snprintf", "[lib][format]")
{
    check_like_host("[%-6d] [%-6u] [%-6x] [%-6s] [%-3c]", -12, 34u, 0xabu, "ab", 'q');
    check_like_host("[%06d] [%06d] [%06u] [%06x] [%06o]", 42, -42, 42u, 0xabu, 8u);
    check_like_host("[%+d] [%+d] [%+d] [%+i]", 5, -5, 0, 7);
    check_like_host("[% d] [% d] [% d]", 5, -5, 0);
    check_like_host(opaque("[%+ d] [% +d]"), 5, 5); // '+' wins over space
    check_like_host(opaque("[%+u] [% u] [%+x] [% o]"), 5u, 5u, 5u, 5u); // sign flags do nothing when unsigned
    check_like_host("[%#x] [%#X] [%#x] [%#o] [%#o] [%#o]", 0xffu, 0xffu, 0u, 8u, 0u, 01u);
    check_like_host(opaque("[%-06d] [%-#8x] [%0-6d]"), 42, 0x2au, 42); // '-' beats '0'
    check_like_host("[%#010x] [%#010X] [%+08d] [% 08d] [%08d]", 0xbeefu, 0xbeefu, 42, 42, -42);
    check_like_host(opaque("[%05s] [%-05c]"), "ab", 'x'); // '0' is for numbers only
    check_like_host(opaque("[%20p] [%-20p] [%020p] [%.20p]"), reinterpret_cast<void*>(0x1234),
        reinterpret_cast<void*>(0x1234), reinterpret_cast<void*>(0x1234), reinterpret_cast<void*>(0x1234));
    check_like_host("[%8p] [%-8p]", static_cast<void*>(nullptr), static_cast<void*>(nullptr));
    // The sign flags with %p are undefined in C but glibc honours them; -Wformat rejects them.
    check_like_host(opaque("[%+p] [% p]"), reinterpret_cast<void*>(0x1234), reinterpret_cast<void*>(0x1234));
}

TEST_CASE("format: width and precision, literal and '*', as the host's snprintf", "[lib][format]")
{
    check_like_host("[%5d] [%1d] [%0d] [%12d]", 42, 12345, 7, INT_MIN);
    check_like_host("[%.5d] [%.5d] [%.1d] [%.0d] [%.d]", 42, -42, 0, 0, 0);
    check_like_host(opaque("[%8.5d] [%-8.5d] [%08.5d] [%+8.5d]"), 42, 42, 42, 42); // precision turns '0' off
    check_like_host("[%.0u] [%.0x] [%#.0x] [%#.0o] [%5.0d] [%+.0d]", 0u, 0u, 0u, 0u, 0, 0);
    check_like_host("[%#.3o] [%#.5x] [%#8.3o]", 8u, 0xabu, 8u);
    check_like_host("[%.3s] [%.0s] [%.10s] [%8.3s] [%-8.3s]", "abcdef", "abc", "abc", "abcdef", "abcdef");
    check_like_host("[%*d] [%-*d] [%*d]", 6, 42, 6, 42, -6, 42); // a negative '*' width means '-'
    check_like_host("[%.*d] [%.*d] [%*.*d]", 4, 7, -1, 7, 8, 4, 7); // a negative '*' precision is none
    check_like_host(opaque("[%0*.*d] [%0*d]"), 8, -1, 42, 8, 42);
    check_like_host("[%.*s] [%*s] [%*c]", 2, "abcdef", 5, "ab", -3, 'z');
}

TEST_CASE("format: length modifiers hh h l ll z t j as the host's snprintf", "[lib][format]")
{
    check_like_host("%hhd %hhd %hhu %hhx %hho", 127, 200, 0x1ff, 0x1ab, 0x1ff); // narrowed as the modifier says
    check_like_host("%hd %hd %hu %hx", 32767, 70000, 70000, 0x12345);
    check_like_host("%ld %ld %lu %lx", LONG_MAX, LONG_MIN, ULONG_MAX, ULONG_MAX);
    check_like_host("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
    check_like_host("%zu %zx %zd", SIZE_MAX, SIZE_MAX, static_cast<ptrdiff_t>(-5));
    check_like_host("%td %td %tx", PTRDIFF_MAX, PTRDIFF_MIN, static_cast<ptrdiff_t>(0x7f));
    check_like_host("%jd %jd %ju %jX", INTMAX_MAX, INTMAX_MIN, UINTMAX_MAX, UINTMAX_MAX);
    // A modifier must not leak into the next conversion's argument size.
    check_like_host("%hhd %lld %d %hd %llu", 1, 2LL, 3, 4, 5ULL);
}

TEST_CASE("format: 64-bit extremes with every flag", "[lib][format]")
{
    check_like_host(
        "%lld|%+lld|%25lld|%-25lld|%025lld|%.22lld", kInt64Min, kInt64Min, kInt64Min, kInt64Min, kInt64Min, kInt64Min);
    check_like_host("%lld|%+lld|% lld", kInt64Max, kInt64Max, kInt64Max);
    check_like_host("%llu|%#llx|%#llX|%#llo|%30llu", kUint64Max, kUint64Max, kUint64Max, kUint64Max, kUint64Max);
    check_like_host("%llx %llu %llu", 0x100000000ULL, 0x100000000ULL, 4294967296ULL * 10 + 3);
    // Ours divides in 16-bit pieces: numbers whose pieces carry remainders across are the risky ones.
    check_like_host("%llu %llu %llo", 0xffff0000ffff0000ULL, 0x0001000100010001ULL, 0x8000000000000001ULL);
    CHECK(formatted("%lld", kInt64Min) == "-9223372036854775808");
    CHECK(formatted("%llu", kUint64Max) == "18446744073709551615");
    CHECK(formatted("%llo", kUint64Max) == "1777777777777777777777");
}

TEST_CASE("format: truncation keeps snprintf's contract at every buffer size", "[lib][format]")
{
    check_truncation_like_host("hello, %s!", "world");
    check_truncation_like_host("[%-8d|%08x|%+.3d]", -7, 0xbeefu, 9);
    check_truncation_like_host("%#llx %c%%", 0x123456789abcULL, 'q');
    check_truncation_like_host("%*s|%.2s", 12, "pad", "abc");

    char buffer[8] = { '#', '#', '#', '#', '#', '#', '#', '#' };
    CHECK(format(buffer, 4, "%d", 123456) == 6);
    CHECK(std::string(buffer) == "123");
    CHECK(buffer[4] == '#');

    CHECK(format(buffer, 1, "abc") == 3);
    CHECK(buffer[0] == '\0');
    CHECK(buffer[1] == '2'); // untouched from the call before
}

TEST_CASE("format: size 0 measures without touching the buffer", "[lib][format]")
{
    CHECK(format(nullptr, 0, "abc%d", 12345) == 8);
    CHECK(format(nullptr, 0, opaque("")) == 0);
    CHECK(format(nullptr, 0, "%*d", 100, 1) == 100);
    char byte = '#';
    CHECK(format(&byte, 0, "%s", "text") == 4);
    CHECK(byte == '#');
}

TEST_CASE("format: a huge width is counted, not written, and saturates at INT_MAX", "[lib][format]")
{
    char buffer[16];
    CHECK(format(buffer, sizeof(buffer), "%1000000d", 1) == 1000000);
    CHECK(std::string(buffer) == std::string(15, ' '));
    CHECK(format(buffer, sizeof(buffer), "%-1000000d", 1) == 1000000);
    CHECK(std::string(buffer) == "1" + std::string(14, ' '));
    // Width and precision are ints in C: a longer number saturates instead of wrapping around.
    CHECK(format(nullptr, 0, opaque("%99999999999999999999d"), 1) == 2147483647);
    CHECK(format(nullptr, 0, opaque("%.99999999999999999999d"), 1) == 2147483647);
}

TEST_CASE("format: %s of nullptr prints (null), or nothing when the precision is below 6", "[lib][format]")
{
    const char* null = nullptr;
    CHECK(formatted("[%s]", null) == "[(null)]");
    CHECK(formatted("[%8s]", null) == "[  (null)]");
    CHECK(formatted("[%-8s]", null) == "[(null)  ]");
    CHECK(formatted("[%.6s]", null) == "[(null)]");
    CHECK(formatted("[%.5s]", null) == "[]");
    CHECK(formatted("[%4.3s]", null) == "[    ]");
    // The same as glibc.
    check_like_host("[%s|%.3s|%8s|%-8.6s]", null, null, null, null);
}

TEST_CASE("format: an unknown or unfinished conversion is copied as written", "[lib][format]")
{
    char buffer[64];
    CHECK(format(buffer, sizeof(buffer), opaque("a%yb"), 1) == 4);
    CHECK(std::string(buffer) == "a%yb");
    CHECK(format(buffer, sizeof(buffer), opaque("[%-08.3y]")) == 9);
    CHECK(std::string(buffer) == "[%-08.3y]");
    // A trailing '%' (glibc returns -1 there).
    CHECK(format(buffer, sizeof(buffer), opaque("abc%")) == 4);
    CHECK(std::string(buffer) == "abc%");
    CHECK(format(buffer, sizeof(buffer), opaque("abc%-5")) == 6);
    CHECK(std::string(buffer) == "abc%-5");
    // %n is not supported: it must not write through its argument.
    int target = 7;
    CHECK(format(buffer, sizeof(buffer), opaque("x%ny"), &target) == 4);
    CHECK(std::string(buffer) == "x%ny");
    CHECK(target == 7);
    // An unknown conversion consumes no argument.
    CHECK(format(buffer, sizeof(buffer), opaque("%q %d"), 9) == 4);
    CHECK(std::string(buffer) == "%q 9");
}

TEST_CASE("format: %% takes no argument and ignores flags and width, as glibc", "[lib][format]")
{
    char buffer[16];
    // C leaves "%5%" undefined (and ASan's printf interceptor rejects it), so not compared with the host.
    CHECK(format(buffer, sizeof(buffer), opaque("%5%|%-3%|%d"), 7) == 5);
    CHECK(std::string(buffer) == "%|%|7");
}

TEST_CASE("format: %c of a NUL byte is counted and stored", "[lib][format]")
{
    char buffer[8];
    CHECK(format(buffer, sizeof(buffer), "a%cb", 0) == 3);
    CHECK(buffer[0] == 'a');
    CHECK(buffer[1] == '\0');
    CHECK(buffer[2] == 'b');
    CHECK(buffer[3] == '\0');
}
