// copy_from_user, copy_to_user and copy_string_from_user: bad pointers are EFAULT, never a crash.
#include <catch2/catch_test_macros.hpp>
#include <cstring>

#include "arch/memory.hpp"
#include "user_space.hpp"

using namespace mm;
constexpr uptr kPage = arch::kPageBytes;

TEST_CASE("Copies reach user memory across pages and fault cleanly at the edges")
{
    UserSpace u;
    uptr a = u.map(2 * kPage);
    char text[6000];
    for (usize i = 0; i < sizeof(text); ++i)
        text[i] = static_cast<char>('a' + i % 26);
    REQUIRE_FALSE(raw::copy_to_user(a + 100, text, sizeof(text)).is_error());
    char back[6000] = {};
    REQUIRE_FALSE(raw::copy_from_user(back, a + 100, sizeof(back)).is_error());
    CHECK(std::memcmp(text, back, sizeof(text)) == 0);
    CHECK(raw::copy_from_user(back, a + 2 * kPage - 10, 20).error() == Errno::FAULT); // runs off the mapping
    CHECK(raw::copy_to_user(a + 2 * kPage - 10, text, 20).error() == Errno::FAULT);
    CHECK(raw::copy_from_user(back, 0, 1).error() == Errno::FAULT);
    CHECK(raw::copy_from_user(back, 0xC0000000, 4).error() == Errno::FAULT); // kernel space
    CHECK(raw::copy_from_user(back, 0xBFFFFFFF, 2).error() == Errno::FAULT); // straddles into it
    CHECK(raw::copy_from_user(back, 0xFFFFFFFF, 2).error() == Errno::FAULT); // wraps
    CHECK_FALSE(raw::copy_from_user(back, 0, 0).is_error());
}

// Whether copy_from_user / copy_to_user accept a pointer of that direction (a concept-style probe, so that
// the refusals are checked at compile time rather than trusted).
template<typename P>
concept Readable = requires(P p, u32& v) { copy_from_user(v, p); };
template<typename P>
concept Writable = requires(P p, const u32& v) { copy_to_user(p, v); };
static_assert(Readable<UserIn<u32>> && !Writable<UserIn<u32>>);
static_assert(Writable<UserOut<u32>> && !Readable<UserOut<u32>>);
static_assert(Readable<UserInOut<u32>> && Writable<UserInOut<u32>>);

TEST_CASE("Typed copies go through a UserPointer of the right direction")
{
    UserSpace u;
    uptr a = u.map(kPage);
    struct Pair {
        u32 first, second;
    };
    REQUIRE_FALSE(copy_to_user(UserOut<Pair>(a), Pair { 1, 2 }).is_error());
    Pair pair {};
    REQUIRE_FALSE(copy_from_user(pair, UserIn<Pair>(a)).is_error());
    CHECK(pair.second == 2);
    UserInOut<Pair> both(a);
    REQUIRE_FALSE(copy_from_user(pair, both).is_error());
    REQUIRE_FALSE(copy_to_user(both, Pair { pair.second, pair.first }).is_error());
    CHECK(pair.first == 1);
    UserIn<Pair> handed_on = both; // in-out memory may be handed on for one direction
    REQUIRE_FALSE(copy_from_user(pair, handed_on).is_error());
    CHECK(pair.first == 2);
    u32 values[3] = { 7, 8, 9 };
    REQUIRE_FALSE(copy_array_to_user(UserOut<u32>(a + 8), values, 3).is_error());
    CHECK(copy_array_from_user(values, UserIn<u32>(a), 0x40000001).error() == Errno::FAULT); // overflow
    REQUIRE_FALSE(copy_array_from_user(values, UserIn<Pair>(a).offset(1).as<u32>(), 3).is_error());
    CHECK(values[0] == 7);
    // A partial copy stops at the end of the mapping, in whole elements.
    CHECK(copy_array_from_user_partial(values, UserIn<u32>(a + kPage - 8), 3) == 2);
}

TEST_CASE("copy_string_from_user stops at the NUL and says why it could not")
{
    UserSpace u;
    uptr a = u.map(2 * kPage);
    const char hello[] = "hello";
    REQUIRE_FALSE(raw::copy_to_user(a + 10, hello, sizeof(hello)).is_error());
    char buffer[64];
    CHECK(copy_string_from_user(buffer, UserIn<char>(a + 10), sizeof(buffer)).value() == 5);
    CHECK(std::strcmp(buffer, "hello") == 0);
    CHECK(copy_string_from_user(buffer, UserIn<char>(a + 10), 5).error() == Errno::NAMETOOLONG);
    CHECK(copy_string_from_user(buffer, UserIn<char>(a + 10), 6).value() == 5);
    // A string running off the end of the mapping.
    char unterminated[16];
    std::memset(unterminated, 'x', sizeof(unterminated));
    REQUIRE_FALSE(raw::copy_to_user(a + 2 * kPage - 16, unterminated, 16).is_error());
    CHECK(copy_string_from_user(buffer, UserIn<char>(a + 2 * kPage - 16), sizeof(buffer)).error() == Errno::FAULT);
    CHECK(copy_string_from_user(buffer, UserIn<char>(0xC0000000), sizeof(buffer)).error() == Errno::FAULT);
    CHECK(copy_string_from_user(buffer, UserIn<char>(0), sizeof(buffer)).error() == Errno::FAULT);
}

TEST_CASE("A copy into a read-only private page after fork copies it first")
{
    UserSpace u;
    uptr a = u.map(kPage);
    u.write(a, 1);
    auto child = u.space->fork().release_value();
    u32 value = 0xABCD;
    REQUIRE_FALSE(copy_to_user(UserOut<u32>(a), value).is_error()); // through copy-on-write
    child->activate();
    CHECK(u.read(a) == 1);
    u.space->activate();
}
