// lib/string: byte helpers, C-string helpers with strlcpy's contract, and StringView's search, slicing and
// number parsing (the command-line parser's building blocks).
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <string>

#include "lib/string.hpp"

namespace {

std::string str(StringView view) { return std::string(view.characters(), view.length()); }

int sign(int value) { return (value > 0) - (value < 0); }

} // namespace

TEST_CASE("copy_bytes and fill_bytes write exactly the range asked", "[lib][string]")
{
    char buffer[10];
    std::memset(buffer, '#', sizeof(buffer));
    copy_bytes(buffer + 2, "abcdef", 4);
    CHECK(std::string(buffer, sizeof(buffer)) == "##abcd####");
    copy_bytes(buffer, "zz", 0);
    CHECK(buffer[0] == '#');

    fill_bytes(buffer + 1, 'x', 3);
    CHECK(std::string(buffer, sizeof(buffer)) == "#xxxcd####");
    fill_bytes(buffer, 0xff, 0);
    CHECK(buffer[0] == '#');
    fill_bytes(buffer, 0xff, 1);
    CHECK(static_cast<unsigned char>(buffer[0]) == 0xff);
}

TEST_CASE("copy_bytes and fill_bytes agree with memcpy and memset at every alignment and length", "[lib][string]")
{
    // The word-at-a-time paths: heads and tails of every size, and sources and destinations misaligned
    // alike or differently.
    unsigned char source[96], ours[96], expected[96];
    for (usize i = 0; i < sizeof(source); ++i)
        source[i] = static_cast<unsigned char>(i * 7 + 3);
    for (usize from = 0; from < 9; ++from) {
        for (usize to = 0; to < 9; ++to) {
            for (usize length = 0; length + from < 80 && length + to < 80; ++length) {
                std::memset(ours, 0xEE, sizeof(ours));
                std::memset(expected, 0xEE, sizeof(expected));
                copy_bytes(ours + to, source + from, length);
                std::memcpy(expected + to, source + from, length);
                REQUIRE(std::memcmp(ours, expected, sizeof(ours)) == 0);
                fill_bytes(ours + to, static_cast<u8>(0xA5 ^ length), length);
                std::memset(expected + to, 0xA5 ^ static_cast<int>(length), length);
                REQUIRE(std::memcmp(ours, expected, sizeof(ours)) == 0);
            }
        }
    }
}

TEST_CASE("move_bytes copies overlapping ranges in either direction", "[lib][string]")
{
    char up[] = "0123456789";
    move_bytes(up + 2, up, 6); // dest above src: must copy from the end
    CHECK(std::string(up) == "0101234589");

    char down[] = "0123456789";
    move_bytes(down, down + 3, 7); // dest below src: must copy from the start
    CHECK(std::string(down) == "3456789789");

    char same[] = "abc";
    move_bytes(same, same, 3);
    CHECK(std::string(same) == "abc");

    // Against memmove for every shift of a small window.
    for (int shift = -5; shift <= 5; ++shift) {
        char ours[16];
        char host[16];
        for (int i = 0; i < 16; ++i)
            ours[i] = host[i] = static_cast<char>('a' + i);
        move_bytes(ours + 5 + shift, ours + 5, 6);
        std::memmove(host + 5 + shift, host + 5, 6);
        CHECK(std::string(ours, 16) == std::string(host, 16));
    }
}

TEST_CASE("compare_bytes compares unsigned bytes and stops at count", "[lib][string]")
{
    CHECK(compare_bytes("abc", "abc", 3) == 0);
    CHECK(compare_bytes("abc", "abd", 3) < 0);
    CHECK(compare_bytes("abd", "abc", 3) > 0);
    CHECK(compare_bytes("abX", "abY", 2) == 0);
    CHECK(compare_bytes("x", "y", 0) == 0);
    // 0x80 is above 0x01 whatever char's signedness.
    const unsigned char high[] = { 0x80 };
    const unsigned char low[] = { 0x01 };
    CHECK(compare_bytes(high, low, 1) > 0);
    CHECK(compare_bytes(low, high, 1) < 0);
}

TEST_CASE("find_byte returns the first match inside count or nullptr", "[lib][string]")
{
    const char text[] = "hello";
    CHECK(find_byte(text, 'l', 5) == text + 2);
    CHECK(find_byte(text, 'h', 5) == text);
    CHECK(find_byte(text, 'o', 4) == nullptr); // just past the range
    CHECK(find_byte(text, 'o', 5) == text + 4);
    CHECK(find_byte(text, '\0', 6) == text + 5);
    CHECK(find_byte(text, 'h', 0) == nullptr);
    const unsigned char bytes[] = { 1, 0xfe, 3 };
    CHECK(find_byte(bytes, 0xfe, 3) == bytes + 1);
}

TEST_CASE("string_length and bounded_string_length", "[lib][string]")
{
    CHECK(string_length("") == 0);
    CHECK(string_length("abc") == 3);
    CHECK(string_length("ab\0cd") == 2);
    CHECK(bounded_string_length("abcdef", 3) == 3);
    CHECK(bounded_string_length("abc", 10) == 3);
    CHECK(bounded_string_length("abc", 0) == 0);
    // Reads no further than max: the array has no NUL at all.
    const char unterminated[4] = { 'w', 'x', 'y', 'z' };
    CHECK(bounded_string_length(unterminated, 4) == 4);
}

TEST_CASE("compare_strings and compare_bounded_strings order like strcmp", "[lib][string]")
{
    const char* words[] = { "", "a", "ab", "abc", "abd", "b", "\x80", "\xff" };
    for (const char* a : words) {
        for (const char* b : words) {
            INFO(a << " vs " << b);
            CHECK(sign(compare_strings(a, b)) == sign(std::strcmp(a, b)));
            for (usize n = 0; n < 5; ++n)
                CHECK(sign(compare_bounded_strings(a, b, n)) == sign(std::strncmp(a, b, n)));
        }
    }
    CHECK(compare_bounded_strings("abcX", "abcY", 3) == 0);
}

TEST_CASE("copy_string keeps strlcpy's contract", "[lib][string]")
{
    char buffer[8];
    std::memset(buffer, '#', sizeof(buffer));
    CHECK(copy_string(buffer, "hello", sizeof(buffer)) == 5);
    CHECK(std::string(buffer) == "hello");
    CHECK(buffer[6] == '#'); // nothing written past the NUL

    std::memset(buffer, '#', sizeof(buffer));
    CHECK(copy_string(buffer, "truncated!", 5) == 10); // >= size: truncated
    CHECK(std::string(buffer) == "trun");
    CHECK(buffer[5] == '#');

    CHECK(copy_string(buffer, "abc", 4) == 3); // exactly fits
    CHECK(std::string(buffer) == "abc");

    CHECK(copy_string(buffer, "abc", 1) == 3);
    CHECK(buffer[0] == '\0');

    buffer[0] = '#';
    CHECK(copy_string(buffer, "abc", 0) == 3);
    CHECK(buffer[0] == '#');
    CHECK(copy_string(nullptr, "measure", 0) == 7);
}

TEST_CASE("StringView construction and comparison", "[lib][string]")
{
    constexpr StringView literal("abc");
    static_assert(literal.length() == 3);
    CHECK(StringView(nullptr).is_empty());
    CHECK(StringView(nullptr).length() == 0);
    CHECK(StringView("").is_empty());
    CHECK(StringView("abcdef", 3) == StringView("abc"));
    CHECK_FALSE(StringView("abc") == StringView("abd"));
    CHECK_FALSE(StringView("abc") == StringView("ab"));
    CHECK(StringView() == StringView(""));
    std::string joined;
    for (char c : StringView("xyz"))
        joined += c;
    CHECK(joined == "xyz");
}

TEST_CASE("StringView find and find_last", "[lib][string]")
{
    StringView view("a=b=c");
    CHECK(view.find('=') == 1);
    CHECK(view.find('=', 2) == 3);
    CHECK(view.find('=', 4) == StringView::kNotFound);
    CHECK(view.find('a', 100) == StringView::kNotFound);
    CHECK(view.find('x') == StringView::kNotFound);
    CHECK(view.find_last('=') == 3);
    CHECK(view.find_last('a') == 0);
    CHECK(view.find_last('c') == 4);
    CHECK(view.find_last('x') == StringView::kNotFound);
    CHECK(StringView().find_last('x') == StringView::kNotFound);
    // Only inside the view, not in the bytes after it.
    CHECK(StringView("abcd", 2).find('c') == StringView::kNotFound);
    CHECK(StringView("abcb", 2).find_last('b') == 1);
}

TEST_CASE("StringView substring clamps to the view", "[lib][string]")
{
    StringView view("kernel");
    CHECK(str(view.substring(0)) == "kernel");
    CHECK(str(view.substring(2)) == "rnel");
    CHECK(str(view.substring(2, 2)) == "rn");
    CHECK(str(view.substring(4, 100)) == "el");
    CHECK(str(view.substring(6)) == "");
    CHECK(view.substring(6).characters() == view.characters() + 6);
    CHECK(view.substring(100, 2).is_empty());
    CHECK(view.substring(100, 2).characters() == view.characters() + 6); // never points past the end
    CHECK(str(view.substring(1, 0)) == "");
}

TEST_CASE("StringView trimmed drops surrounding whitespace only", "[lib][string]")
{
    CHECK(str(StringView("  a b \t\n").trimmed()) == "a b");
    CHECK(str(StringView("\r\v\fx\f").trimmed()) == "x");
    CHECK(str(StringView("none").trimmed()) == "none");
    CHECK(StringView(" \t\n ").trimmed().is_empty());
    CHECK(StringView().trimmed().is_empty());
}

TEST_CASE("StringView starts_with and ends_with", "[lib][string]")
{
    StringView view("console=ttyS0");
    CHECK(view.starts_with("console="));
    CHECK(view.starts_with(""));
    CHECK(view.starts_with(view));
    CHECK_FALSE(view.starts_with("consolE"));
    CHECK_FALSE(StringView("ab").starts_with("abc"));
    CHECK(view.ends_with("S0"));
    CHECK(view.ends_with(""));
    CHECK_FALSE(view.ends_with("s0"));
    CHECK_FALSE(StringView("bc").ends_with("abc"));
}

TEST_CASE("StringView to_u64 parses whole views in bases 0, 2, 8, 10 and 16", "[lib][string]")
{
    CHECK(StringView("0").to_u64().value() == 0);
    CHECK(StringView("12345").to_u64().value() == 12345);
    CHECK(StringView("0123").to_u64().value() == 123); // a leading 0 is not octal
    CHECK(StringView("0123").to_u64(0).value() == 123);
    CHECK(StringView("0x1F").to_u64(0).value() == 0x1f);
    CHECK(StringView("0XaB").to_u64(0).value() == 0xab);
    CHECK(StringView("ff").to_u64(16).value() == 0xff);
    CHECK(StringView("0xff").to_u64(16).value() == 0xff);
    CHECK(StringView("777").to_u64(8).value() == 0777);
    CHECK(StringView("1011").to_u64(2).value() == 11);
    CHECK(StringView("18446744073709551615").to_u64().value() == UINT64_MAX);
    CHECK(StringView("0xffffffffffffffff").to_u64(0).value() == UINT64_MAX);
    CHECK(StringView("1777777777777777777777").to_u64(8).value() == UINT64_MAX);
    CHECK(StringView("12345", 3).to_u64().value() == 123); // the view, not the NUL-terminated string
}

TEST_CASE("StringView to_u64 rejects what is not a whole number", "[lib][string]")
{
    for (const char* bad : { "", "+1", "-1", " 1", "1 ", "1a", "0x", "0x ", "1.0", "x1" }) {
        INFO("'" << bad << "'");
        auto result = StringView(bad).to_u64(0);
        REQUIRE(result.is_error());
        CHECK(result.error() == Errno::INVAL);
    }
    CHECK(StringView("12").to_u64(2).error() == Errno::INVAL);
    CHECK(StringView("8").to_u64(8).error() == Errno::INVAL);
    CHECK(StringView("g").to_u64(16).error() == Errno::INVAL);
    CHECK(StringView("0x10").to_u64(10).error() == Errno::INVAL); // the prefix is for base 16 and 0 only
    CHECK(StringView("0x10").to_u64(8).error() == Errno::INVAL);
    CHECK(StringView("10").to_u64(3).error() == Errno::INVAL); // unsupported base
    CHECK(StringView("10").to_u64(36).error() == Errno::INVAL);
    CHECK(StringView().to_u64().error() == Errno::INVAL);
}

TEST_CASE("StringView to_u64 and to_u32 report overflow as ERANGE", "[lib][string]")
{
    CHECK(StringView("18446744073709551616").to_u64().error() == Errno::RANGE);
    CHECK(StringView("99999999999999999999999").to_u64().error() == Errno::RANGE);
    CHECK(StringView("0x10000000000000000").to_u64(0).error() == Errno::RANGE);
    CHECK(StringView("2000000000000000000000").to_u64(8).error() == Errno::RANGE);
    CHECK(StringView(std::string(65, '1').c_str()).to_u64(2).error() == Errno::RANGE);
    // Junk is reported over overflow.
    CHECK(StringView("99999999999999999999999x").to_u64().error() == Errno::INVAL);

    CHECK(StringView("4294967295").to_u32().value() == 0xffffffffu);
    CHECK(StringView("0xffffffff").to_u32(0).value() == 0xffffffffu);
    CHECK(StringView("4294967296").to_u32().error() == Errno::RANGE);
    CHECK(StringView("18446744073709551616").to_u32().error() == Errno::RANGE);
    CHECK(StringView("-1").to_u32().error() == Errno::INVAL);
    CHECK(StringView("").to_u32().error() == Errno::INVAL);
    CHECK(StringView("101").to_u32(2).value() == 5);
}

TEST_CASE("StringView copy_to NUL-terminates and truncates like copy_string", "[lib][string]")
{
    StringView view("abcdefgh", 5); // "abcde", not NUL-terminated
    char buffer[8];
    std::memset(buffer, '#', sizeof(buffer));
    CHECK(view.copy_to(buffer, sizeof(buffer)) == 5);
    CHECK(std::string(buffer) == "abcde");
    CHECK(buffer[6] == '#');

    CHECK(view.copy_to(buffer, 3) == 5);
    CHECK(std::string(buffer) == "ab");

    CHECK(view.copy_to(buffer, 1) == 5);
    CHECK(buffer[0] == '\0');

    buffer[0] = '#';
    CHECK(view.copy_to(buffer, 0) == 5);
    CHECK(buffer[0] == '#');
    CHECK(view.copy_to(nullptr, 0) == 5);
}
