// RefPtr: the object lives exactly as long as some RefPtr holds it, through copies, moves and resets.
#include <catch2/catch_test_macros.hpp>

#include "lib/ref_ptr.hpp"

namespace {

struct Counted : RefCounted<Counted> {
    explicit Counted(int* deaths) : deaths(deaths) {}
    ~Counted() { ++*deaths; }
    int* deaths;
};

} // namespace

TEST_CASE("RefPtr deletes the object with its last reference", "[lib][ref_ptr]")
{
    int deaths = 0;
    {
        auto made = make_ref<Counted>(&deaths);
        REQUIRE_FALSE(made.is_error());
        RefPtr<Counted> first = made.release_value();
        CHECK(first->ref_count() == 1);
        RefPtr<Counted> second = first;
        CHECK(first->ref_count() == 2);
        RefPtr<Counted> third = std::move(second);
        CHECK_FALSE(second);
        CHECK(first->ref_count() == 2);
        first.reset();
        CHECK(deaths == 0);
        CHECK(third->ref_count() == 1);
        third = third; // self-assignment keeps it alive
        CHECK(deaths == 0);
        CHECK(third->ref_count() == 1);
    }
    CHECK(deaths == 1);
}

TEST_CASE("RefPtr assignment releases the old object", "[lib][ref_ptr]")
{
    int deaths_a = 0, deaths_b = 0;
    RefPtr<Counted> a = make_ref<Counted>(&deaths_a).release_value();
    RefPtr<Counted> b = make_ref<Counted>(&deaths_b).release_value();
    a = b;
    CHECK(deaths_a == 1);
    CHECK(deaths_b == 0);
    CHECK(a == b);
    CHECK(b->ref_count() == 2);
    a = RefPtr<Counted>();
    b = RefPtr<Counted>();
    CHECK(deaths_b == 1);
}
