// IntrusiveList: linking through embedded nodes, removal during iteration, two lists per element, and a
// randomized comparison with std::list.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <deque>
#include <list>
#include <random>
#include <vector>

#include "lib/intrusive_list.hpp"

namespace {

// The nodes sit after other members so that a wrong node-to-element offset would show.
struct Item {
    explicit Item(int v)
        : value(v)
    {
    }
    int value;
    long padding[3] {};
    IntrusiveListNode run_node;
    IntrusiveListNode wait_node;
};

using RunList = IntrusiveList<Item, &Item::run_node>;
using WaitList = IntrusiveList<Item, &Item::wait_node>;

template<typename List> std::vector<int> values(List& list)
{
    std::vector<int> out;
    for (Item& item : list)
        out.push_back(item.value);
    return out;
}

} // namespace

TEST_CASE("IntrusiveList push and pop at both ends", "[lib][intrusive_list]")
{
    Item a(1), b(2), c(3);
    RunList list;
    CHECK(list.is_empty());
    CHECK(list.front() == nullptr);
    CHECK(list.back() == nullptr);
    CHECK(list.pop_front() == nullptr);
    CHECK(list.pop_back() == nullptr);

    list.push_back(b);
    list.push_front(a);
    list.push_back(c);
    CHECK(list.size() == 3);
    CHECK(values(list) == std::vector<int> { 1, 2, 3 });
    CHECK(list.front() == &a);
    CHECK(list.back() == &c);
    CHECK(a.run_node.is_linked());

    CHECK(list.pop_front() == &a);
    CHECK_FALSE(a.run_node.is_linked());
    CHECK(list.pop_back() == &c);
    CHECK_FALSE(c.run_node.is_linked());
    CHECK(list.size() == 1);
    CHECK(list.front() == &b);
    CHECK(list.back() == &b);
    CHECK(list.pop_back() == &b);
    CHECK(list.is_empty());
    CHECK(values(list).empty());
}

TEST_CASE("IntrusiveList insert_before keeps order at the head, middle and tail", "[lib][intrusive_list]")
{
    Item a(10), b(20), c(30), d(5), e(25);
    RunList list;
    list.push_back(a);
    list.push_back(c);
    list.insert_before(c, b); // middle
    list.insert_before(a, d); // new head
    list.insert_before(c, e); // just before the tail
    CHECK(values(list) == std::vector<int> { 5, 10, 20, 25, 30 });
    CHECK(list.front() == &d);
    CHECK(list.back() == &c);
    CHECK(list.size() == 5);
}

TEST_CASE("IntrusiveList remove unlinks, and refuses an unlinked element", "[lib][intrusive_list]")
{
    Item a(1), b(2), c(3), stranger(9);
    RunList list;
    list.push_back(a);
    list.push_back(b);
    list.push_back(c);

    CHECK(list.remove(b));
    CHECK_FALSE(b.run_node.is_linked());
    CHECK(values(list) == std::vector<int> { 1, 3 });
    CHECK(list.size() == 2);

    CHECK_FALSE(list.remove(b)); // a second time: already off
    CHECK_FALSE(list.remove(stranger));
    CHECK(list.size() == 2);
    CHECK(values(list) == std::vector<int> { 1, 3 });

    CHECK(list.contains(a));
    CHECK_FALSE(list.contains(b));
    CHECK(list.remove(a));
    CHECK(list.remove(c));
    CHECK(list.is_empty());

    // A removed element can go back on.
    list.push_back(b);
    CHECK(values(list) == std::vector<int> { 2 });
}

TEST_CASE("IntrusiveList allows removing the current element while iterating", "[lib][intrusive_list]")
{
    std::deque<Item> items; // a deque never moves its elements (nor could it: nodes are not movable)
    for (int i = 0; i < 10; ++i)
        items.emplace_back(i);
    RunList list;
    for (auto& item : items)
        list.push_back(item);

    std::vector<int> visited;
    for (Item& item : list) {
        visited.push_back(item.value);
        if (item.value % 2 == 0)
            list.remove(item);
    }
    CHECK(visited == std::vector<int> { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 });
    CHECK(values(list) == std::vector<int> { 1, 3, 5, 7, 9 });
    CHECK(list.size() == 5);

    // Removing every element, the last one included.
    for (Item& item : list)
        list.remove(item);
    CHECK(list.is_empty());
    for (auto& item : items)
        CHECK_FALSE(item.run_node.is_linked());
}

TEST_CASE("IntrusiveList clear and destruction leave elements unlinked", "[lib][intrusive_list]")
{
    Item a(1), b(2);
    {
        RunList list;
        list.push_back(a);
        list.push_back(b);
        list.clear();
        CHECK(list.is_empty());
        CHECK(list.size() == 0);
        CHECK_FALSE(a.run_node.is_linked());
        CHECK_FALSE(b.run_node.is_linked());
        list.push_back(a);
    }
    // The list went out of scope holding `a`: `a` must not point at its dead sentinel.
    CHECK_FALSE(a.run_node.is_linked());
    RunList other;
    other.push_back(a);
    CHECK(other.front() == &a);
}

TEST_CASE("IntrusiveList: one element on two lists through two nodes", "[lib][intrusive_list]")
{
    Item a(1), b(2), c(3);
    RunList run;
    WaitList wait;
    run.push_back(a);
    run.push_back(b);
    run.push_back(c);
    wait.push_back(c);
    wait.push_back(a);

    CHECK(values(run) == std::vector<int> { 1, 2, 3 });
    CHECK(values(wait) == std::vector<int> { 3, 1 });

    CHECK(wait.remove(a));
    CHECK(a.run_node.is_linked()); // still on the run list
    CHECK_FALSE(a.wait_node.is_linked());
    CHECK(values(run) == std::vector<int> { 1, 2, 3 });
    CHECK(values(wait) == std::vector<int> { 3 });

    CHECK(run.pop_front() == &a);
    CHECK(wait.front() == &c);
    CHECK(run.remove(c));
    CHECK(wait.front() == &c);
    CHECK(wait.size() == 1);
}

TEST_CASE("IntrusiveList behaves like std::list under random operations", "[lib][intrusive_list]")
{
    std::mt19937 random(12345);
    constexpr int kItems = 64;
    std::deque<Item> items;
    for (int i = 0; i < kItems; ++i)
        items.emplace_back(i);
    RunList list;
    std::list<int> model;
    auto linked = [&](int v) { return items[static_cast<usize>(v)].run_node.is_linked(); };

    for (int step = 0; step < 20000; ++step) {
        int v = static_cast<int>(random() % kItems);
        Item& item = items[static_cast<usize>(v)];
        switch (random() % 6) {
        case 0:
            if (!linked(v)) {
                list.push_back(item);
                model.push_back(v);
            }
            break;
        case 1:
            if (!linked(v)) {
                list.push_front(item);
                model.push_front(v);
            }
            break;
        case 2: {
            bool from_front = random() % 2;
            Item* popped = from_front ? list.pop_front() : list.pop_back();
            if (model.empty()) {
                REQUIRE(popped == nullptr);
                break;
            }
            REQUIRE(popped != nullptr);
            REQUIRE(popped->value == (from_front ? model.front() : model.back()));
            REQUIRE_FALSE(popped->run_node.is_linked());
            from_front ? model.pop_front() : model.pop_back();
            break;
        }
        case 3: {
            bool was_linked = linked(v);
            REQUIRE(list.remove(item) == was_linked);
            model.remove(v);
            break;
        }
        case 4: {
            int position = static_cast<int>(random() % kItems);
            if (!linked(v) && linked(position)) {
                list.insert_before(items[static_cast<usize>(position)], item);
                for (auto it = model.begin(); it != model.end(); ++it) {
                    if (*it == position) {
                        model.insert(it, v);
                        break;
                    }
                }
            }
            break;
        }
        case 5:
            if (random() % 100 == 0) {
                list.clear();
                model.clear();
            }
            break;
        }
        REQUIRE(list.size() == model.size());
        if (step % 64 == 0) {
            std::vector<int> expected(model.begin(), model.end());
            REQUIRE(values(list) == expected);
            REQUIRE((list.front() ? list.front()->value : -1) == (model.empty() ? -1 : model.front()));
            REQUIRE((list.back() ? list.back()->value : -1) == (model.empty() ? -1 : model.back()));
        }
    }
    std::vector<int> expected(model.begin(), model.end());
    CHECK(values(list) == expected);
    for (int v = 0; v < kItems; ++v)
        CHECK(linked(v) == (std::find(model.begin(), model.end(), v) != model.end()));
}
