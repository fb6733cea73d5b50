// Result<T> and TRY: values and Linux errnos travel without exceptions.
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "lib/result.hpp"

namespace {

Result<int> parse_digit(char c)
{
    if (c < '0' || c > '9')
        return Errno::INVAL;
    return c - '0';
}

Result<int> sum_digits(const char* text)
{
    int sum = 0;
    for (; *text; ++text)
        sum += TRY(parse_digit(*text));
    return sum;
}

Result<void> must_be_even(int n)
{
    if (n % 2)
        return Errno::RANGE;
    return {};
}

Result<int> half(int n)
{
    TRY(must_be_even(n));
    return n / 2;
}

} // namespace

TEST_CASE("Result carries a value or an errno with Linux's number", "[lib][result]")
{
    auto ok = parse_digit('7');
    REQUIRE_FALSE(ok.is_error());
    CHECK(ok.value() == 7);

    auto bad = parse_digit('x');
    REQUIRE(bad.is_error());
    CHECK(bad.error() == Errno::INVAL);
    CHECK(static_cast<int>(bad.error()) == 22);
    CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("TRY returns the first error and yields values otherwise", "[lib][result]")
{
    CHECK(sum_digits("123").value() == 6);
    CHECK(sum_digits("1a3").error() == Errno::INVAL);
    CHECK(half(8).value() == 4);
    CHECK(half(7).error() == Errno::RANGE);
}

TEST_CASE("Result holds non-trivial values and moves them out", "[lib][result]")
{
    Result<std::string> r(std::string(100, 'x'));
    Result<std::string> moved(std::move(r));
    CHECK(moved.release_value().size() == 100);
}

TEST_CASE("errno_name names Linux errnos", "[lib][errno]")
{
    CHECK(std::string(errno_name(Errno::NOENT)) == "ENOENT");
    CHECK(std::string(errno_name(Errno::NOSYS)) == "ENOSYS");
    CHECK(static_cast<int>(Errno::NOSYS) == 38);
    CHECK(static_cast<int>(Errno::LOOP) == 40);
    CHECK(std::string(errno_name(static_cast<Errno>(9999))) == "E?");
}
