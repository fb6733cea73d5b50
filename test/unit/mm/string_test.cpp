// mm::String: an owned copy read back through its view, moves that carry it, ENOMEM that gives nothing, and
// memory that goes back when the string does.
#include <catch2/catch_test_macros.hpp>

#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "mm/string.hpp"
#include "sim_ram.hpp"

TEST_CASE("mm::String holds its own copy of the characters", "[mm][string]")
{
    SimRam ram(8);
    char source[] = "lost+found";
    auto copied = mm::String::copy(StringView(source, 4));
    REQUIRE_FALSE(copied.is_error());
    mm::String name = copied.release_value();
    source[0] = 'X'; // the copy does not follow its source
    CHECK(name.view() == "lost");
    CHECK(name.length() == 4);
    CHECK_FALSE(name.is_empty());

    mm::String moved(static_cast<mm::String&&>(name));
    CHECK(name.is_empty());
    CHECK(moved.view() == "lost");
    mm::String other;
    CHECK(other.view().is_empty());
    other = static_cast<mm::String&&>(moved);
    CHECK(other.view() == "lost");
    CHECK(moved.is_empty());
}

TEST_CASE("mm::String::copy fails with ENOMEM, except for the empty string", "[mm][string]")
{
    SimRam ram(8);
    mm::inject_allocation_failures(0, 1);
    CHECK(mm::String::copy("name").error() == Errno::NOMEM);
    auto empty = mm::String::copy("");
    CHECK_FALSE(empty.is_error()); // nothing to allocate
    CHECK(mm::injected_failures() == 1);
    mm::stop_allocation_failures();
}

TEST_CASE("mm::String gives its memory back", "[mm][string]")
{
    SimRam ram(8);
    static char long_text[8192];
    fill_bytes(long_text, 'a', sizeof long_text);
    mm::kmalloc_shrink();
    u64 free_before = mm::page_allocator().free_pages();
    {
        auto text = mm::String::copy(StringView(long_text, sizeof long_text));
        REQUIRE_FALSE(text.is_error());
        CHECK(mm::page_allocator().free_pages() < free_before);
        CHECK(text.value().view().length() == sizeof long_text);
    }
    mm::kmalloc_shrink();
    CHECK(mm::page_allocator().free_pages() == free_before);
}
