// boot::CommandLine: how the boot loader's untrusted text becomes parameters, and every way it can be wrong.
// Each case pins exact values, because a parser that is almost right hands the kernel the wrong console or init.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <string_view>

#include "boot/cmdline.hpp"

namespace {

using boot::CommandLine;

CommandLine parse(std::string_view text) { return boot::parse_command_line(text.data(), text.size()); }

std::string_view view(const char* text) { return text ? std::string_view(text) : std::string_view("<null>"); }

// Checks warning `index` in full: its errno, its message and the key it names.
void check_warning(const CommandLine& line, usize index, Errno code, std::string_view message, std::string_view key)
{
    REQUIRE(index < line.warning_count());
    const auto& warning = line.warning(index);
    CHECK(warning.code == code);
    CHECK(view(warning.message) == message);
    CHECK(view(warning.key) == key);
}

// `count` tokens "p0 p1 ..." separated by single spaces.
std::string numbered_flags(usize count)
{
    std::string text;
    for (usize i = 0; i < count; ++i)
        text += (i ? " p" : "p") + std::to_string(i);
    return text;
}

} // namespace

TEST_CASE("An empty or absent command line gives the defaults", "[boot][cmdline]")
{
    for (auto line : { parse(""), parse("   \t\n "), boot::parse_command_line(nullptr, 100) }) {
        CHECK(line.console_count() == 0);
        CHECK(view(line.init()) == "/sbin/init");
        CHECK(view(line.root()) == "");
        CHECK(line.log_level() == 7);
        CHECK(view(line.test()) == "");
        CHECK(line.parameter_count() == 0);
        CHECK(line.warning_count() == 0);
        CHECK(line.warnings_dropped() == 0);
        CHECK_FALSE(line.truncated());
        CHECK_FALSE(line.has("init"));
    }
}

TEST_CASE("Parameters keep their order, keys and values", "[boot][cmdline]")
{
    auto line = parse("quiet  root=/dev/hda1\tro\nfoo= bar=a=b\r");
    REQUIRE(line.parameter_count() == 5);
    CHECK(line.warning_count() == 0);

    CHECK(view(line.parameter(0).key) == "quiet");
    CHECK(line.parameter(0).is_flag());
    CHECK(line.parameter(0).value == nullptr);
    CHECK(view(line.parameter(1).key) == "root");
    CHECK(view(line.parameter(1).value) == "/dev/hda1");
    CHECK(view(line.parameter(2).key) == "ro");
    CHECK(line.parameter(2).is_flag());
    // `key=` has an empty value, which is not the same as a bare flag.
    CHECK(view(line.parameter(3).key) == "foo");
    CHECK(view(line.parameter(3).value) == "");
    CHECK_FALSE(line.parameter(3).is_flag());
    // Only the first '=' splits.
    CHECK(view(line.parameter(4).key) == "bar");
    CHECK(view(line.parameter(4).value) == "a=b");
    // Past the end: not found, never a stale entry.
    CHECK_FALSE(line.parameter(5));
    CHECK(line.parameter(5).key == nullptr);
    CHECK_FALSE(line.parameter(1000));
    CHECK(view(line.root()) == "/dev/hda1");
}

TEST_CASE("console= takes a device and optional driver options", "[boot][cmdline]")
{
    auto line = parse("console=tty0 console=ttyS0,115200n8 console=hvc_0,a,b");
    REQUIRE(line.console_count() == 3);
    CHECK(view(line.console(0).name) == "tty0");
    CHECK(view(line.console(0).options) == "");
    CHECK(view(line.console(1).name) == "ttyS0");
    CHECK(view(line.console(1).options) == "115200n8");
    // Options are the driver's business: further commas stay in them.
    CHECK(view(line.console(2).name) == "hvc_0");
    CHECK(view(line.console(2).options) == "a,b");
    CHECK(line.warning_count() == 0);

    // A trailing comma means "no options", not an error.
    auto comma = parse("console=ttyS1,");
    REQUIRE(comma.console_count() == 1);
    CHECK(view(comma.console(0).name) == "ttyS1");
    CHECK(view(comma.console(0).options) == "");
    CHECK(comma.warning_count() == 0);
}

TEST_CASE("More than four consoles: the first four are used, the rest warned about", "[boot][cmdline]")
{
    auto line = parse("console=tty0 console=tty1 console=tty2 console=tty3 console=ttyS0 console=ttyS1");
    REQUIRE(line.console_count() == 4);
    for (usize i = 0; i < 4; ++i)
        CHECK(view(line.console(i).name) == "tty" + std::to_string(i));
    REQUIRE(line.warning_count() == 2);
    check_warning(line, 0, Errno::TOOBIG, "more than 4 consoles", "console");
    check_warning(line, 1, Errno::TOOBIG, "more than 4 consoles", "console");
    // The parameters themselves are still there as written.
    CHECK(line.parameter_count() == 6);
    CHECK(view(line.find("console").value) == "ttyS1");
}

TEST_CASE("Bad console names are rejected with the reason", "[boot][cmdline]")
{
    struct Case {
        std::string_view text;
        Errno code;
        std::string_view message;
    };
    const std::string name16 = "console=" + std::string(16, 'a');
    const std::string options32 = "console=ttyS0," + std::string(32, '9');
    const Case cases[] = {
        { "console", Errno::INVAL, "needs a device" },
        { "console=", Errno::INVAL, "needs a device" },
        { "console=,115200", Errno::INVAL, "bad console name" },
        { "console=0tty", Errno::INVAL, "bad console name" },
        { "console=_tty", Errno::INVAL, "bad console name" },
        { "console=tty-0", Errno::INVAL, "bad console name" },
        { "console=tty/0,9600", Errno::INVAL, "bad console name" },
        { name16, Errno::NAMETOOLONG, "value too long" },
        { options32, Errno::NAMETOOLONG, "value too long" },
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto line = parse(c.text);
        CHECK(line.console_count() == 0);
        REQUIRE(line.warning_count() == 1);
        check_warning(line, 0, c.code, c.message, "console");
    }

    // The longest name and options that fit are taken whole.
    auto longest = parse("console=" + std::string(15, 'b') + "," + std::string(31, '1'));
    REQUIRE(longest.console_count() == 1);
    CHECK(view(longest.console(0).name) == std::string(15, 'b'));
    CHECK(view(longest.console(0).options) == std::string(31, '1'));
    CHECK(longest.warning_count() == 0);
}

TEST_CASE("init= and root= take paths; the last valid one wins", "[boot][cmdline]")
{
    auto line = parse("init=/bin/sh root=/dev/sda1 init=/sbin/other root=/dev/sdb2 init=");
    CHECK(view(line.init()) == "/sbin/other");
    CHECK(view(line.root()) == "/dev/sdb2");
    REQUIRE(line.warning_count() == 1);
    check_warning(line, 0, Errno::INVAL, "needs a value", "init");
    // find() reports the parameter as written, even the rejected one.
    CHECK(view(line.find("init").value) == "");

    auto bare = parse("root");
    CHECK(view(bare.root()) == "");
    REQUIRE(bare.warning_count() == 1);
    check_warning(bare, 0, Errno::INVAL, "needs a value", "root");

    const std::string path255 = "/" + std::string(254, 'x');
    auto longest = parse("init=" + path255);
    CHECK(view(longest.init()) == path255);
    CHECK(longest.warning_count() == 0);

    auto too_long = parse("init=" + path255 + "y root=/" + std::string(255, 'r'));
    CHECK(view(too_long.init()) == "/sbin/init");
    CHECK(view(too_long.root()) == "");
    REQUIRE(too_long.warning_count() == 2);
    check_warning(too_long, 0, Errno::NAMETOOLONG, "value too long", "init");
    check_warning(too_long, 1, Errno::NAMETOOLONG, "value too long", "root");
}

TEST_CASE("loglevel= accepts 0..8 in decimal and nothing else", "[boot][cmdline]")
{
    CHECK(parse("loglevel=0").log_level() == 0);
    CHECK(parse("loglevel=8").log_level() == 8);
    CHECK(parse("loglevel=3").log_level() == 3);
    CHECK(parse("loglevel=0004").log_level() == 4);
    CHECK(parse("loglevel=2 loglevel=5").log_level() == 5);

    struct Case {
        std::string_view text;
        Errno code;
        std::string_view message;
    };
    const Case cases[] = {
        { "loglevel=9", Errno::RANGE, "out of range 0..8" },
        { "loglevel=10", Errno::RANGE, "out of range 0..8" },
        { "loglevel=80", Errno::RANGE, "out of range 0..8" },
        // Past u32 and u64: must not wrap round to a small valid level.
        { "loglevel=4294967299", Errno::RANGE, "out of range 0..8" },
        { "loglevel=18446744073709551619", Errno::RANGE, "out of range 0..8" },
        { "loglevel=99999999999999999999999999999999999999", Errno::RANGE, "out of range 0..8" },
        { "loglevel=abc", Errno::INVAL, "not a decimal number" },
        { "loglevel=3x", Errno::INVAL, "not a decimal number" },
        { "loglevel=-1", Errno::INVAL, "not a decimal number" },
        { "loglevel=+1", Errno::INVAL, "not a decimal number" },
        { "loglevel= ", Errno::INVAL, "needs a number" },
        { "loglevel", Errno::INVAL, "needs a number" },
    };
    for (const auto& c : cases) {
        INFO(c.text);
        // A valid level first: a bad one must leave it alone.
        auto line = parse("loglevel=2 " + std::string(c.text));
        CHECK(line.log_level() == 2);
        REQUIRE(line.warning_count() == 1);
        check_warning(line, 0, c.code, c.message, "loglevel");
    }
}

TEST_CASE("test= names a self-test; empty means a normal boot", "[boot][cmdline]")
{
    CHECK(view(parse("test=mm.buddy").test()) == "mm.buddy");
    CHECK(view(parse("test=mm test=").test()) == "");

    auto bare = parse("test=one test");
    CHECK(view(bare.test()) == "one");
    REQUIRE(bare.warning_count() == 1);
    check_warning(bare, 0, Errno::INVAL, "needs a test name", "test");

    CHECK(view(parse("test=" + std::string(63, 't')).test()) == std::string(63, 't'));
    auto too_long = parse("test=" + std::string(64, 't'));
    CHECK(view(too_long.test()) == "");
    REQUIRE(too_long.warning_count() == 1);
    check_warning(too_long, 0, Errno::NAMETOOLONG, "value too long", "test");
}

TEST_CASE("Double quotes group whitespace and are dropped", "[boot][cmdline]")
{
    auto line = parse(R"(init="/bin/sh -l" "root=/dev/disk by label" quiet a"b c"d="x y"z)");
    CHECK(view(line.init()) == "/bin/sh -l");
    CHECK(view(line.root()) == "/dev/disk by label");
    REQUIRE(line.parameter_count() == 4);
    CHECK(view(line.parameter(0).key) == "init");
    CHECK(view(line.parameter(0).value) == "/bin/sh -l");
    CHECK(view(line.parameter(2).key) == "quiet");
    CHECK(view(line.parameter(3).key) == "ab cd");
    CHECK(view(line.parameter(3).value) == "x yz");
    CHECK(line.warning_count() == 0);

    // An empty quoted value is an empty value.
    auto empty = parse(R"(foo="")");
    REQUIRE(empty.parameter_count() == 1);
    CHECK(view(empty.parameter(0).value) == "");

    // A quote never closed swallows the rest of the line, so the whole token is dropped.
    auto open = parse(R"(quiet init="/bin/sh -l root=/dev/sda)");
    CHECK(view(open.init()) == "/sbin/init");
    CHECK(view(open.root()) == "");
    REQUIRE(open.parameter_count() == 1);
    CHECK(view(open.parameter(0).key) == "quiet");
    REQUIRE(open.warning_count() == 1);
    check_warning(open, 0, Errno::INVAL, "unterminated quote", "init");
}

TEST_CASE("find() treats '-' and '_' in keys as the same and returns the last match", "[boot][cmdline]")
{
    auto line = parse("foo-bar=1 foo_baz=2 foo_bar=3 x-y");
    CHECK(view(line.find("foo_bar").value) == "3");
    CHECK(view(line.find("foo-bar").value) == "3");
    CHECK(view(line.find("foo-baz").value) == "2");
    CHECK(view(line.find("foo_baz").key) == "foo_baz"); // the key as written
    CHECK(view(line.find("x_y").key) == "x-y");
    CHECK(line.find("x_y").is_flag());
    CHECK(line.has("x-y"));
    CHECK_FALSE(line.has("foo"));
    CHECK_FALSE(line.has("foo-bar-"));
    CHECK_FALSE(line.has("foo_ba"));
    CHECK_FALSE(line.has(""));
    CHECK_FALSE(line.find(nullptr));
    CHECK(line.find(nullptr).key == nullptr);

    // The kernel's own parameters go through the same rule.
    auto dashed = parse("log-level=3");
    CHECK(dashed.log_level() == 7); // "log-level" is not "loglevel"
    CHECK(view(dashed.find("log_level").value) == "3");
}

TEST_CASE("Tokens with an empty key are dropped", "[boot][cmdline]")
{
    auto line = parse(R"(=x a =  "" b)");
    REQUIRE(line.parameter_count() == 2);
    CHECK(view(line.parameter(0).key) == "a");
    CHECK(view(line.parameter(1).key) == "b");
    REQUIRE(line.warning_count() == 3);
    for (usize i = 0; i < 3; ++i)
        check_warning(line, i, Errno::INVAL, "empty key", "");
}

TEST_CASE("Tokens with non-printable bytes are dropped and shown with '?'", "[boot][cmdline]")
{
    auto line = parse("a\x01"
                      "b=1 ok=\x7f x=caf\xc3\xa9 \"y=\tz\" good");
    REQUIRE(line.parameter_count() == 1);
    CHECK(view(line.parameter(0).key) == "good");
    REQUIRE(line.warning_count() == 4);
    check_warning(line, 0, Errno::ILSEQ, "non-printable byte", "a?b");
    check_warning(line, 1, Errno::ILSEQ, "non-printable byte", "ok");
    check_warning(line, 2, Errno::ILSEQ, "non-printable byte", "x");
    check_warning(line, 3, Errno::ILSEQ, "non-printable byte", "y");
}

TEST_CASE("Keys of 64 characters or more are dropped", "[boot][cmdline]")
{
    const std::string key63(63, 'k');
    auto fits = parse(key63 + "=v");
    REQUIRE(fits.parameter_count() == 1);
    CHECK(view(fits.parameter(0).key) == key63);
    CHECK(fits.warning_count() == 0);

    auto line = parse("x" + key63 + "=v");
    CHECK(line.parameter_count() == 0);
    REQUIRE(line.warning_count() == 1);
    // The warning keeps the first 31 characters of the key.
    check_warning(line, 0, Errno::NAMETOOLONG, "key too long", "x" + std::string(30, 'k'));
}

TEST_CASE("Parameters past the 128th are dropped with a warning each", "[boot][cmdline]")
{
    auto line = parse(numbered_flags(130) + " console=ttyS0");
    REQUIRE(line.parameter_count() == 128);
    CHECK(view(line.parameter(0).key) == "p0");
    CHECK(view(line.parameter(127).key) == "p127");
    CHECK_FALSE(line.has("p128"));
    // A dropped parameter is not acted on either.
    CHECK(line.console_count() == 0);
    REQUIRE(line.warning_count() == 3);
    check_warning(line, 0, Errno::TOOBIG, "too many parameters", "p128");
    check_warning(line, 1, Errno::TOOBIG, "too many parameters", "p129");
    check_warning(line, 2, Errno::TOOBIG, "too many parameters", "console");
}

TEST_CASE("Input over 4096 bytes is truncated and reported", "[boot][cmdline]")
{
    SECTION("the bound falls right after a token")
    {
        // "root=/dev/sda" ends exactly at the bound and a space follows: it is whole, what follows is lost.
        std::string text = std::string(4096 - 13, ' ') + "root=/dev/sda console=ttyS0";
        auto line = parse(text);
        CHECK(line.truncated());
        CHECK(view(line.root()) == "/dev/sda");
        CHECK(line.console_count() == 0);
        CHECK(line.parameter_count() == 1);
        REQUIRE(line.warning_count() == 1);
        check_warning(line, 0, Errno::TOOBIG, "command line over 4096 bytes, truncated", "");

        // The bound on a space, the next token starting just past it: nothing is cut, only lost.
        auto on_space = parse(std::string(4096 - 14, ' ') + "root=/dev/sda console=ttyS0");
        CHECK(on_space.truncated());
        CHECK(view(on_space.root()) == "/dev/sda");
        CHECK(on_space.console_count() == 0);
        REQUIRE(on_space.warning_count() == 1);
        check_warning(on_space, 0, Errno::TOOBIG, "command line over 4096 bytes, truncated", "");
    }
    SECTION("the bound cuts a token, which is dropped rather than taken cut short")
    {
        // "init=/bin/shell" with the bound after "init=/bin/sh": a shorter, wrong path must not be used.
        std::string text = "quiet" + std::string(4096 - 5 - 12, ' ') + "init=/bin/shell";
        REQUIRE(text.substr(4084, 12) == "init=/bin/sh");
        auto line = parse(text);
        CHECK(line.truncated());
        CHECK(view(line.init()) == "/sbin/init");
        REQUIRE(line.parameter_count() == 1);
        CHECK(view(line.parameter(0).key) == "quiet");
        // One warning, naming the cut token.
        REQUIRE(line.warning_count() == 1);
        check_warning(line, 0, Errno::TOOBIG, "command line over 4096 bytes, truncated", "init");
    }
    SECTION("the bound falls inside quotes")
    {
        std::string text = std::string(4096 - 10, ' ') + "init=\"/bin/sh -l\"";
        auto line = parse(text);
        CHECK(line.truncated());
        CHECK(view(line.init()) == "/sbin/init");
        CHECK(line.parameter_count() == 0);
        REQUIRE(line.warning_count() == 1);
        check_warning(line, 0, Errno::TOOBIG, "command line over 4096 bytes, truncated", "init");
    }
    SECTION("a token of the whole 4096 bytes is kept, however large the length given")
    {
        std::string text = "x=" + std::string(4094, 'v');
        auto exact = parse(text);
        CHECK_FALSE(exact.truncated());
        CHECK(exact.warning_count() == 0);
        REQUIRE(exact.parameter_count() == 1);
        CHECK(view(exact.parameter(0).value).size() == 4094);

        // A C string of exactly 4096 characters: its NUL is just past the bound, and nothing is lost.
        auto with_nul = boot::parse_command_line(text.c_str(), text.size() + 1);
        CHECK_FALSE(with_nul.truncated());
        CHECK(with_nul.warning_count() == 0);
        CHECK(with_nul.parameter_count() == 1);

        // A huge length is only a bound: the NUL ends the line and nothing past the 4096 bytes is read.
        auto huge = boot::parse_command_line(text.c_str(), usize(-1));
        CHECK_FALSE(huge.truncated());
        CHECK(huge.parameter_count() == 1);
    }
}

TEST_CASE("A NUL ends the command line; text after it is reported", "[boot][cmdline]")
{
    auto padded = parse(std::string_view("quiet\0\0\0\0", 9));
    CHECK(padded.parameter_count() == 1);
    CHECK(padded.warning_count() == 0);

    auto junk = parse(std::string_view("quiet\0init=/evil\0", 17));
    REQUIRE(junk.parameter_count() == 1);
    CHECK(view(junk.parameter(0).key) == "quiet");
    CHECK(view(junk.init()) == "/sbin/init");
    REQUIRE(junk.warning_count() == 1);
    check_warning(junk, 0, Errno::INVAL, "bytes after a NUL ignored", "");

    // The length bounds the line even without a NUL.
    auto prefix = parse(std::string_view("root=/dev/sda1", 12));
    CHECK(view(prefix.root()) == "/dev/sd");
}

TEST_CASE("Warnings beyond eight are counted, not kept", "[boot][cmdline]")
{
    auto line = parse("=1 =2 =3 =4 =5 =6 =7 =8 loglevel=x console= init= ok");
    CHECK(line.warning_count() == CommandLine::kMaxWarnings);
    CHECK(line.warnings_dropped() == 3);
    check_warning(line, 7, Errno::INVAL, "empty key", "");
    // Dropped warnings do not stop parsing.
    REQUIRE(line.parameter_count() == 4);
    CHECK(view(line.parameter(3).key) == "ok");
}

TEST_CASE("A parse replaces everything; a copy stands alone", "[boot][cmdline]")
{
    CommandLine line;
    const std::string first = "console=ttyS0 init=/a loglevel=1 test=t =bad " + std::string(4100, 'z');
    line.parse(first.data(), first.size());
    CHECK(line.truncated());
    CHECK(line.warning_count() == 2);

    const std::string second = "root=/dev/b";
    line.parse(second.data(), second.size());
    CHECK(line.console_count() == 0);
    CHECK(view(line.init()) == "/sbin/init");
    CHECK(view(line.root()) == "/dev/b");
    CHECK(line.log_level() == 7);
    CHECK(view(line.test()) == "");
    CHECK(line.parameter_count() == 1);
    CHECK(line.warning_count() == 0);
    CHECK_FALSE(line.truncated());

    // Parameters are found through the copy's own storage, not the original's.
    CommandLine copy = line;
    const std::string third = "root=/dev/c";
    line.parse(third.data(), third.size());
    CHECK(view(copy.find("root").value) == "/dev/b");
    CHECK(view(copy.root()) == "/dev/b");
    CHECK(view(line.find("root").value) == "/dev/c");
}

TEST_CASE("Dense input fills the storage without overflowing it", "[boot][cmdline]")
{
    // 2048 one-byte tokens, most of them dropped, and a 4096-byte run of '=' signs: both stress the storage bound.
    std::string flags;
    for (usize i = 0; i < 2048; ++i)
        flags += i ? " a" : "a";
    auto line = parse(flags);
    CHECK(line.parameter_count() == 128);
    CHECK(line.warning_count() == 8);
    CHECK(line.warnings_dropped() == 2048 - 128 - 8);

    auto equals = parse("k" + std::string(4095, '='));
    REQUIRE(equals.parameter_count() == 1);
    CHECK(view(equals.parameter(0).value) == std::string(4094, '='));
}
