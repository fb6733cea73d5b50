// Bitmap: bit access, range setting clamped to the size, counting and searching across word boundaries and
// partial last words, and a randomized comparison with std::vector<bool>.
#include <catch2/catch_test_macros.hpp>
#include <random>
#include <vector>

#include "lib/bitmap.hpp"

namespace {

// The model's answers, written the obvious way.
usize model_find_first(const std::vector<bool>& bits, bool value, usize from)
{
    for (usize i = from; i < bits.size(); ++i)
        if (bits[i] == value)
            return i;
    return Bitmap::kNotFound;
}

usize model_find_run(const std::vector<bool>& bits, bool value, usize count)
{
    if (count == 0)
        return Bitmap::kNotFound;
    usize run = 0;
    for (usize i = 0; i < bits.size(); ++i) {
        run = bits[i] == value ? run + 1 : 0;
        if (run == count)
            return i + 1 - count;
    }
    return Bitmap::kNotFound;
}

} // namespace

TEST_CASE("Bitmap starts cleared and gets, sets and clears single bits", "[lib][bitmap]")
{
    Bitmap::Word words[Bitmap::words_for(70)];
    for (auto& word : words)
        word = 0xa5a5a5a5; // junk the constructor must clear
    Bitmap bitmap(words, 70);
    CHECK(Bitmap::words_for(70) == 3);
    CHECK(Bitmap::words_for(64) == 2);
    CHECK(Bitmap::words_for(0) == 0);
    CHECK(bitmap.size() == 70);
    CHECK(bitmap.count_set() == 0);
    for (usize i = 0; i < 70; ++i)
        CHECK_FALSE(bitmap.get(i));

    bitmap.set(0);
    bitmap.set(31);
    bitmap.set(32);
    bitmap.set(69);
    CHECK(bitmap.get(0));
    CHECK(bitmap.get(31));
    CHECK(bitmap.get(32));
    CHECK(bitmap.get(69));
    CHECK_FALSE(bitmap.get(1));
    CHECK_FALSE(bitmap.get(33));
    CHECK(words[0] == 0x80000001u);
    CHECK(words[1] == 0x00000001u);
    CHECK(words[2] == 0x00000020u);
    CHECK(bitmap.count_set() == 4);

    bitmap.clear(31);
    bitmap.set(32, false);
    bitmap.set(5, true);
    CHECK_FALSE(bitmap.get(31));
    CHECK_FALSE(bitmap.get(32));
    CHECK(bitmap.get(5));
    CHECK(bitmap.count_set() == 3);
}

TEST_CASE("Bitmap set_range sets and clears ranges, clamped to the size", "[lib][bitmap]")
{
    Bitmap::Word words[Bitmap::words_for(100)];
    Bitmap bitmap(words, 100);
    bitmap.set_range(30, 40); // crosses two word boundaries
    CHECK(bitmap.count_set() == 40);
    CHECK_FALSE(bitmap.get(29));
    CHECK(bitmap.get(30));
    CHECK(bitmap.get(69));
    CHECK_FALSE(bitmap.get(70));

    bitmap.set_range(40, 5, false);
    CHECK(bitmap.count_set() == 35);
    CHECK(bitmap.get(39));
    CHECK_FALSE(bitmap.get(40));
    CHECK_FALSE(bitmap.get(44));
    CHECK(bitmap.get(45));

    bitmap.set_range(90, 1000); // clamped at 100
    CHECK(bitmap.count_set() == 45);
    CHECK(bitmap.get(99));
    CHECK(words[3] == 0x0000000fu); // nothing beyond bit 99 in the partial last word

    bitmap.set_range(95, Bitmap::kNotFound, false); // a count that would overflow first + count
    CHECK(bitmap.count_set() == 40);
    bitmap.set_range(200, 5); // starting past the end: nothing
    bitmap.set_range(10, 0);
    CHECK(bitmap.count_set() == 40);
}

TEST_CASE("Bitmap count_set ignores the unused bits of the last word", "[lib][bitmap]")
{
    Bitmap::Word words[2];
    Bitmap bitmap(words, 40);
    bitmap.set_range(0, 40);
    CHECK(bitmap.count_set() == 40);
    // Storage bits beyond the size are not part of the bitmap even if something wrote them.
    words[1] |= 0xffffff00u;
    CHECK(bitmap.count_set() == 40);
    CHECK(bitmap.find_first(true, 40) == Bitmap::kNotFound);
}

TEST_CASE("Bitmap find_first for both values, from offsets, across words", "[lib][bitmap]")
{
    Bitmap::Word words[Bitmap::words_for(95)];
    Bitmap bitmap(words, 95);
    CHECK(bitmap.find_first(true) == Bitmap::kNotFound);
    CHECK(bitmap.find_first(false) == 0);
    CHECK(bitmap.find_first(false, 94) == 94);
    CHECK(bitmap.find_first(false, 95) == Bitmap::kNotFound);
    CHECK(bitmap.find_first(false, 1000) == Bitmap::kNotFound);

    bitmap.set(3);
    bitmap.set(40);
    bitmap.set(94);
    CHECK(bitmap.find_first(true) == 3);
    CHECK(bitmap.find_first(true, 3) == 3);
    CHECK(bitmap.find_first(true, 4) == 40);
    CHECK(bitmap.find_first(true, 41) == 94);
    CHECK(bitmap.find_first(true, 95) == Bitmap::kNotFound);

    bitmap.set_range(0, 95);
    CHECK(bitmap.find_first(false) == Bitmap::kNotFound); // the tail bits of the last word do not count
    bitmap.clear(64);
    CHECK(bitmap.find_first(false) == 64);
    CHECK(bitmap.find_first(false, 64) == 64);
    CHECK(bitmap.find_first(false, 65) == Bitmap::kNotFound);
}

TEST_CASE("Bitmap find_first in sizes that are and are not multiples of 32", "[lib][bitmap]")
{
    for (usize size : { 1u, 31u, 32u, 33u, 63u, 64u, 65u }) {
        INFO("size " << size);
        std::vector<Bitmap::Word> words(Bitmap::words_for(size));
        Bitmap bitmap(words.data(), size);
        bitmap.set_range(0, size);
        CHECK(bitmap.count_set() == size);
        CHECK(bitmap.find_first(false) == Bitmap::kNotFound);
        bitmap.clear(size - 1);
        CHECK(bitmap.find_first(false) == size - 1);
        CHECK(bitmap.find_first(true, size - 1) == Bitmap::kNotFound);
        bitmap.set_range(0, size, false);
        CHECK(bitmap.find_first(true) == Bitmap::kNotFound);
        CHECK(bitmap.find_first(false, size - 1) == size - 1);
    }
}

TEST_CASE("Bitmap find_run finds the first long enough run", "[lib][bitmap]")
{
    Bitmap::Word words[Bitmap::words_for(80)];
    Bitmap bitmap(words, 80);
    bitmap.set_range(2, 3); // run of 3 at 2
    bitmap.set_range(10, 5); // run of 5 at 10
    bitmap.set_range(30, 10); // run of 10 across the word boundary at 32
    CHECK(bitmap.find_run(true, 1) == 2);
    CHECK(bitmap.find_run(true, 3) == 2);
    CHECK(bitmap.find_run(true, 4) == 10);
    CHECK(bitmap.find_run(true, 6) == 30);
    CHECK(bitmap.find_run(true, 10) == 30);
    CHECK(bitmap.find_run(true, 11) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(true, 0) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(false, 2) == 0);
    CHECK(bitmap.find_run(false, 5) == 5);
    CHECK(bitmap.find_run(false, 40) == 40); // up to the last bit exactly
    CHECK(bitmap.find_run(false, 41) == Bitmap::kNotFound);
}

TEST_CASE("Bitmap find_run with a count larger than the bitmap finds nothing", "[lib][bitmap]")
{
    Bitmap::Word words[2];
    Bitmap bitmap(words, 64);
    bitmap.set_range(1, 63);
    // The runs start after bit 0, where start + count must not wrap around.
    CHECK(bitmap.find_run(true, 64) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(true, Bitmap::kNotFound) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(true, Bitmap::kNotFound - 1) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(false, Bitmap::kNotFound) == Bitmap::kNotFound);
    CHECK(bitmap.find_run(true, 63) == 1);
}

TEST_CASE("Bitmap behaves like std::vector<bool> under random operations", "[lib][bitmap]")
{
    std::mt19937 random(77);
    for (usize size : { 1u, 7u, 32u, 33u, 95u, 128u, 257u }) {
        INFO("size " << size);
        std::vector<Bitmap::Word> words(Bitmap::words_for(size));
        Bitmap bitmap(words.data(), size);
        std::vector<bool> model(size);
        for (int step = 0; step < 3000; ++step) {
            usize index = random() % size;
            bool value = random() % 2;
            switch (random() % 4) {
            case 0:
                bitmap.set(index, value);
                model[index] = value;
                break;
            case 1: {
                usize count = random() % (size / 4 + 2);
                bitmap.set_range(index, count, value);
                for (usize i = index; i < size && i < index + count; ++i)
                    model[i] = value;
                break;
            }
            case 2:
                REQUIRE(bitmap.find_first(value, index) == model_find_first(model, value, index));
                break;
            case 3: {
                usize count = random() % 12;
                REQUIRE(bitmap.find_run(value, count) == model_find_run(model, value, count));
                break;
            }
            }
            REQUIRE(bitmap.get(index) == model[index]);
        }
        usize expected = 0;
        for (bool bit : model)
            expected += bit;
        CHECK(bitmap.count_set() == expected);
        for (usize i = 0; i < size; ++i)
            REQUIRE(bitmap.get(i) == model[i]);
    }
}
