// RingBuffer: FIFO order across the wrap, full and empty, push_overwrite dropping the oldest, and a
// randomized comparison with std::deque.
#include <catch2/catch_test_macros.hpp>
#include <deque>
#include <random>

#include "lib/ring_buffer.hpp"

TEST_CASE("RingBuffer push and pop in FIFO order until full", "[lib][ring_buffer]")
{
    RingBuffer<int, 4> ring;
    static_assert(RingBuffer<int, 4>::capacity() == 4);
    CHECK(ring.is_empty());
    CHECK_FALSE(ring.is_full());
    int out = -1;
    CHECK_FALSE(ring.pop(out));
    CHECK(out == -1); // untouched when empty

    for (int i = 1; i <= 4; ++i)
        CHECK(ring.push(i));
    CHECK(ring.is_full());
    CHECK(ring.size() == 4);
    CHECK_FALSE(ring.push(5)); // full: refused, nothing stored
    CHECK(ring.size() == 4);

    for (int i = 1; i <= 4; ++i) {
        REQUIRE(ring.pop(out));
        CHECK(out == i);
    }
    CHECK(ring.is_empty());
    CHECK_FALSE(ring.pop(out));
}

TEST_CASE("RingBuffer keeps order when the head wraps around", "[lib][ring_buffer]")
{
    RingBuffer<int, 5> ring; // not a power of two
    int out = 0;
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 12; ++round) {
        // Fill to a varying level, then drain part of it, so head and tail cross the end often.
        while (ring.size() < static_cast<usize>(round % 5 + 1))
            REQUIRE(ring.push(next_in++));
        for (usize i = 0; i < ring.size(); ++i)
            CHECK(ring[i] == next_out + static_cast<int>(i));
        for (int k = 0; k < round % 3 + 1 && !ring.is_empty(); ++k) {
            REQUIRE(ring.pop(out));
            CHECK(out == next_out++);
        }
    }
    while (ring.pop(out))
        CHECK(out == next_out++);
    CHECK(next_out == next_in);
}

TEST_CASE("RingBuffer push_overwrite drops the oldest when full", "[lib][ring_buffer]")
{
    RingBuffer<char, 3> ring;
    ring.push_overwrite('a');
    ring.push_overwrite('b');
    CHECK(ring.size() == 2);
    ring.push_overwrite('c');
    CHECK(ring.is_full());
    ring.push_overwrite('d'); // drops 'a'
    ring.push_overwrite('e'); // drops 'b'
    CHECK(ring.size() == 3);
    CHECK(ring[0] == 'c');
    CHECK(ring[1] == 'd');
    CHECK(ring[2] == 'e');
    char out = 0;
    REQUIRE(ring.pop(out));
    CHECK(out == 'c');
    ring.push_overwrite('f'); // room again: nothing dropped
    CHECK(ring.size() == 3);
    CHECK(ring[0] == 'd');
    CHECK(ring[2] == 'f');
}

TEST_CASE("RingBuffer clear empties it for reuse", "[lib][ring_buffer]")
{
    RingBuffer<int, 3> ring;
    ring.push(1);
    ring.push(2);
    int out;
    ring.pop(out);
    ring.clear();
    CHECK(ring.is_empty());
    CHECK(ring.size() == 0);
    CHECK(ring.push(7));
    CHECK(ring[0] == 7);
    REQUIRE(ring.pop(out));
    CHECK(out == 7);
}

TEST_CASE("RingBuffer behaves like a bounded std::deque under random operations", "[lib][ring_buffer]")
{
    std::mt19937 random(2024);
    RingBuffer<int, 7> ring;
    std::deque<int> model;
    for (int step = 0; step < 20000; ++step) {
        int value = static_cast<int>(random());
        switch (random() % 4) {
        case 0:
            REQUIRE(ring.push(value) == (model.size() < 7));
            if (model.size() < 7)
                model.push_back(value);
            break;
        case 1:
            ring.push_overwrite(value);
            if (model.size() == 7)
                model.pop_front();
            model.push_back(value);
            break;
        case 2: {
            int out = 0;
            REQUIRE(ring.pop(out) == !model.empty());
            if (!model.empty()) {
                REQUIRE(out == model.front());
                model.pop_front();
            }
            break;
        }
        case 3:
            if (random() % 50 == 0) {
                ring.clear();
                model.clear();
            }
            break;
        }
        REQUIRE(ring.size() == model.size());
        REQUIRE(ring.is_full() == (model.size() == 7));
        for (usize i = 0; i < model.size(); ++i)
            REQUIRE(ring[i] == model[i]);
    }
}
