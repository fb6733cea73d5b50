// RbTree: every operation on small trees with known answers, removal of each position in trees of many shapes,
// removal during iteration, lookups by address and by a transparent key, and randomized comparison with std::map
// with the red-black invariants checked after every step.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <deque>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "lib/rb_tree.hpp"

namespace {

// The nodes sit after other members so that a wrong node-to-element offset would show.
struct Item {
    explicit Item(int k)
        : key(k)
    {
    }
    int key;
    long padding[3] {};
    RbTreeNode node;
    RbTreeNode other_node;
    int other_key { 0 };
};

struct ItemKey {
    int operator()(const Item& item) const { return item.key; }
};
struct ItemOtherKey {
    const int& operator()(const Item& item) const { return item.other_key; }
};

using Tree = RbTree<Item, &Item::node, ItemKey>;

template<typename TreeType> std::vector<int> keys(const TreeType& tree)
{
    std::vector<int> out;
    for (Item& item : tree)
        out.push_back(item.key);
    return out;
}

// The same walk backwards through last()/prev(), so that both directions are checked against each other.
std::vector<int> keys_backwards(const Tree& tree)
{
    std::vector<int> out;
    for (Item* item = tree.last(); item; item = tree.prev(*item))
        out.push_back(item->key);
    std::reverse(out.begin(), out.end());
    return out;
}

int key_or(const Item* item, int none = -1) { return item ? item->key : none; }

// Items in a deque: elements must not move while linked.
std::deque<Item> make_items(const std::vector<int>& item_keys)
{
    std::deque<Item> items;
    for (int key : item_keys)
        items.emplace_back(key);
    return items;
}

void insert_all(Tree& tree, std::deque<Item>& items)
{
    for (Item& item : items)
        REQUIRE(tree.insert(item));
}

std::vector<int> range(int from, int to)
{
    std::vector<int> out(static_cast<usize>(to - from));
    std::iota(out.begin(), out.end(), from);
    return out;
}

} // namespace

TEST_CASE("RbTree: an empty tree answers every query with nothing", "[lib][rb_tree]")
{
    Tree tree;
    CHECK(tree.is_empty());
    CHECK(tree.size() == 0);
    CHECK(tree.first() == nullptr);
    CHECK(tree.last() == nullptr);
    CHECK(tree.root() == nullptr);
    CHECK(tree.find(0) == nullptr);
    CHECK(tree.lower_bound(0) == nullptr);
    CHECK(tree.upper_bound(0) == nullptr);
    CHECK(tree.floor(0) == nullptr);
    CHECK(tree.begin() == tree.end());
    CHECK(keys(tree).empty());
    CHECK(tree.invariant_violation() == nullptr);

    Item stranger(5);
    CHECK_FALSE(stranger.node.is_linked());
    CHECK_FALSE(tree.remove(stranger));
    CHECK_FALSE(tree.contains(stranger));
    tree.clear();
    CHECK(tree.is_empty());
    CHECK(tree.invariant_violation() == nullptr);
}

TEST_CASE("RbTree: one element is first, last and root", "[lib][rb_tree]")
{
    Item a(7);
    Tree tree;
    REQUIRE(tree.insert(a));
    CHECK(a.node.is_linked());
    CHECK(tree.size() == 1);
    CHECK_FALSE(tree.is_empty());
    CHECK(tree.first() == &a);
    CHECK(tree.last() == &a);
    CHECK(tree.root() == &a);
    CHECK(tree.next(a) == nullptr);
    CHECK(tree.prev(a) == nullptr);
    CHECK(tree.find(7) == &a);
    CHECK(tree.find(6) == nullptr);
    CHECK(tree.find(8) == nullptr);
    CHECK(tree.invariant_violation() == nullptr);

    CHECK(tree.remove(a));
    CHECK_FALSE(a.node.is_linked());
    CHECK(tree.is_empty());
    CHECK(tree.root() == nullptr);
    CHECK(tree.first() == nullptr);
    CHECK(tree.invariant_violation() == nullptr);
}

TEST_CASE("RbTree keeps elements in key order whatever the insertion order", "[lib][rb_tree]")
{
    std::vector<int> inserted { 50, 20, 80, 10, 30, 70, 90, 25, 35, 5, 95, 60, 65, 1 };
    auto items = make_items(inserted);
    Tree tree;
    insert_all(tree, items);

    std::vector<int> sorted = inserted;
    std::sort(sorted.begin(), sorted.end());
    CHECK(keys(tree) == sorted);
    CHECK(keys_backwards(tree) == sorted);
    CHECK(tree.size() == inserted.size());
    CHECK(tree.first()->key == 1);
    CHECK(tree.last()->key == 95);
    CHECK(tree.invariant_violation() == nullptr);
    for (Item& item : items) {
        CHECK(item.node.is_linked());
        CHECK(tree.contains(item));
        CHECK(tree.find(item.key) == &item);
    }
    CHECK(tree.find(0) == nullptr);
    CHECK(tree.find(21) == nullptr);
    CHECK(tree.find(96) == nullptr);

    // next/prev step through every neighbour pair.
    for (usize i = 0; i + 1 < sorted.size(); ++i) {
        Item* here = tree.find(sorted[i]);
        Item* after = tree.find(sorted[i + 1]);
        CHECK(tree.next(*here) == after);
        CHECK(tree.prev(*after) == here);
    }
    CHECK(tree.next(*tree.last()) == nullptr);
    CHECK(tree.prev(*tree.first()) == nullptr);
}

TEST_CASE("RbTree: ascending and descending insertion stay balanced", "[lib][rb_tree]")
{
    // The worst cases for an unbalanced tree: every insertion rebalances at the growing edge.
    auto up = make_items(range(0, 1000));
    auto down = make_items(range(0, 1000));
    Tree ascending, descending;
    for (Item& item : up) {
        REQUIRE(ascending.insert(item));
        REQUIRE(ascending.invariant_violation() == nullptr);
    }
    for (auto it = down.rbegin(); it != down.rend(); ++it) {
        REQUIRE(descending.insert(*it));
        REQUIRE(descending.invariant_violation() == nullptr);
    }
    CHECK(keys(ascending) == range(0, 1000));
    CHECK(keys(descending) == range(0, 1000));
    // Inserting 1..7 in order gives 2(1, 4(3, 6(5, 7))), whose root is 2, not the first key.
    auto seven = make_items(range(1, 8));
    Tree small;
    insert_all(small, seven);
    CHECK(small.root()->key == 2);
}

TEST_CASE("RbTree refuses a duplicate key and an element already linked", "[lib][rb_tree]")
{
    Item a(10), b(20), twin(10);
    Tree tree;
    REQUIRE(tree.insert(a));
    REQUIRE(tree.insert(b));

    CHECK_FALSE(tree.insert(twin)); // same key as a
    CHECK_FALSE(twin.node.is_linked());
    CHECK(tree.size() == 2);
    CHECK(tree.find(10) == &a);
    CHECK_FALSE(tree.contains(twin)); // an equal key is not the same element
    CHECK(tree.contains(a));

    CHECK_FALSE(tree.insert(a)); // already on this tree
    CHECK(tree.size() == 2);
    Tree other;
    CHECK_FALSE(other.insert(b)); // already on another tree through the same node
    CHECK(other.is_empty());
    CHECK(keys(tree) == std::vector<int> { 10, 20 });
    CHECK(tree.invariant_violation() == nullptr);

    // Once the holder of the key leaves, the twin gets in.
    CHECK(tree.remove(a));
    CHECK(tree.insert(twin));
    CHECK(tree.find(10) == &twin);
}

TEST_CASE("RbTree lower_bound, upper_bound and floor, at and between keys and past both ends", "[lib][rb_tree]")
{
    auto items = make_items({ 10, 20, 30 });
    Tree tree;
    insert_all(tree, items);

    struct Row {
        int key, lower, upper, floor_key;
    };
    // -1 stands for nullptr.
    const Row rows[] = {
        { 5, 10, 10, -1 }, // before the first
        { 10, 10, 20, 10 }, // at the first
        { 15, 20, 20, 10 }, // between
        { 20, 20, 30, 20 }, // at an inner key
        { 29, 30, 30, 20 },
        { 30, 30, -1, 30 }, // at the last
        { 31, -1, -1, 30 }, // past the last
        { 1000, -1, -1, 30 },
    };
    for (const Row& row : rows) {
        INFO("key " << row.key);
        CHECK(key_or(tree.lower_bound(row.key)) == row.lower);
        CHECK(key_or(tree.upper_bound(row.key)) == row.upper);
        CHECK(key_or(tree.floor(row.key)) == row.floor_key);
    }
    // At the smallest and largest int the comparisons must not overflow or wrap.
    CHECK(key_or(tree.lower_bound(INT32_MIN)) == 10);
    CHECK(tree.floor(INT32_MIN) == nullptr);
    CHECK(tree.upper_bound(INT32_MAX) == nullptr);
    CHECK(key_or(tree.floor(INT32_MAX)) == 30);
}

TEST_CASE("RbTree remove of the root, a leaf and an inner node keeps the rest in order", "[lib][rb_tree]")
{
    auto items = make_items(range(1, 8)); // 2(1, 4(3, 6(5, 7)))
    Tree tree;
    insert_all(tree, items);
    auto item = [&](int key) -> Item& { return items[static_cast<usize>(key - 1)]; };
    REQUIRE(tree.root() == &item(2));

    // The root has two children: its successor, 3, takes its place.
    CHECK(tree.remove(item(2)));
    CHECK_FALSE(item(2).node.is_linked());
    CHECK(tree.root() == &item(3));
    CHECK(keys(tree) == std::vector<int> { 1, 3, 4, 5, 6, 7 });
    CHECK(tree.invariant_violation() == nullptr);

    CHECK(tree.remove(item(7))); // a leaf
    CHECK(keys(tree) == std::vector<int> { 1, 3, 4, 5, 6 });
    CHECK(tree.invariant_violation() == nullptr);

    CHECK(tree.remove(item(4))); // an inner node
    CHECK(keys(tree) == std::vector<int> { 1, 3, 5, 6 });
    CHECK(tree.invariant_violation() == nullptr);

    CHECK_FALSE(tree.remove(item(4))); // a second time: already off
    CHECK(tree.size() == 4);

    CHECK(tree.remove(item(1))); // the first
    CHECK(tree.remove(item(6))); // the last
    CHECK(keys(tree) == std::vector<int> { 3, 5 });
    CHECK(keys_backwards(tree) == std::vector<int> { 3, 5 });
    CHECK(tree.invariant_violation() == nullptr);
    CHECK(tree.remove(*tree.root()));
    CHECK(tree.remove(*tree.root()));
    CHECK(tree.is_empty());
    CHECK(tree.invariant_violation() == nullptr);

    // Removed elements can go back on.
    REQUIRE(tree.insert(item(4)));
    REQUIRE(tree.insert(item(2)));
    CHECK(keys(tree) == std::vector<int> { 2, 4 });
}

TEST_CASE("RbTree: removing each position from trees of every size up to 40", "[lib][rb_tree]")
{
    // Every node of every shape these orders build is removed once: root, leaves, red and black nodes with
    // zero, one or two children, and so every case of the rebalancing after removal.
    std::mt19937 random(4242);
    for (int n = 1; n <= 40; ++n) {
        std::vector<std::vector<int>> orders { range(0, n), range(0, n), range(0, n) };
        std::reverse(orders[1].begin(), orders[1].end());
        std::shuffle(orders[2].begin(), orders[2].end(), random);
        for (const auto& order : orders) {
            for (int victim = 0; victim < n; ++victim) {
                INFO("n " << n << " victim " << victim);
                auto items = make_items(order);
                Tree tree;
                insert_all(tree, items);
                Item* target = tree.find(victim);
                REQUIRE(target != nullptr);
                REQUIRE(tree.remove(*target));
                REQUIRE_FALSE(target->node.is_linked());
                REQUIRE(tree.invariant_violation() == nullptr);
                std::vector<int> expected = range(0, n);
                expected.erase(expected.begin() + victim);
                REQUIRE(keys(tree) == expected);
                REQUIRE(keys_backwards(tree) == expected);
                REQUIRE(tree.find(victim) == nullptr);
            }
        }
    }
}

TEST_CASE("RbTree allows removing the current element while iterating", "[lib][rb_tree]")
{
    auto items = make_items({ 5, 3, 8, 1, 4, 7, 9, 0, 2, 6 });
    Tree tree;
    insert_all(tree, items);

    std::vector<int> visited;
    for (Item& item : tree) {
        visited.push_back(item.key);
        if (item.key % 2 == 0)
            CHECK(tree.remove(item));
    }
    CHECK(visited == range(0, 10));
    CHECK(keys(tree) == std::vector<int> { 1, 3, 5, 7, 9 });
    CHECK(tree.size() == 5);
    CHECK(tree.invariant_violation() == nullptr);

    // Removing every element, the last one included; each removal rebalances under the walk.
    visited.clear();
    for (Item& item : tree) {
        visited.push_back(item.key);
        tree.remove(item);
        REQUIRE(tree.invariant_violation() == nullptr);
    }
    CHECK(visited == std::vector<int> { 1, 3, 5, 7, 9 });
    CHECK(tree.is_empty());
    for (Item& item : items)
        CHECK_FALSE(item.node.is_linked());
}

TEST_CASE("RbTree: removal during iteration over a large tree visits everything once", "[lib][rb_tree]")
{
    auto items = make_items(range(0, 5000));
    Tree tree;
    insert_all(tree, items);
    std::vector<int> visited;
    for (Item& item : tree) {
        visited.push_back(item.key);
        if (item.key % 3 != 0)
            tree.remove(item);
    }
    CHECK(visited == range(0, 5000));
    CHECK(tree.size() == 1667);
    CHECK(tree.invariant_violation() == nullptr);
    std::vector<int> expected;
    for (int k = 0; k < 5000; k += 3)
        expected.push_back(k);
    CHECK(keys(tree) == expected);
}

TEST_CASE("RbTree clear and destruction leave elements unlinked", "[lib][rb_tree]")
{
    auto items = make_items(range(0, 100));
    {
        Tree tree;
        insert_all(tree, items);
        tree.clear();
        CHECK(tree.is_empty());
        CHECK(tree.size() == 0);
        CHECK(tree.first() == nullptr);
        CHECK(tree.find(50) == nullptr);
        CHECK(tree.invariant_violation() == nullptr);
        for (Item& item : items)
            REQUIRE_FALSE(item.node.is_linked());
        // Cleared elements go back on, and the tree still works.
        insert_all(tree, items);
        CHECK(keys(tree) == range(0, 100));
        CHECK(tree.invariant_violation() == nullptr);
    }
    // The tree went out of scope holding all of them: none may point into it.
    for (Item& item : items)
        REQUIRE_FALSE(item.node.is_linked());
    Tree other;
    insert_all(other, items);
    CHECK(other.size() == 100);
}

TEST_CASE("RbTree forget_all empties the tree without touching the elements", "[lib][rb_tree]")
{
    auto items = make_items(range(0, 10));
    auto fresh = make_items({ 3, 1, 2 }); // declared before the tree: its destructor unlinks what it holds
    Tree tree;
    insert_all(tree, items);
    tree.forget_all();
    CHECK(tree.is_empty());
    CHECK(tree.first() == nullptr);
    CHECK(tree.invariant_violation() == nullptr);
    // As documented, the forgotten nodes still read as linked (their memory is assumed to be reinitialised).
    CHECK(items[3].node.is_linked());
    CHECK_FALSE(tree.insert(items[3]));
    insert_all(tree, fresh);
    CHECK(keys(tree) == std::vector<int> { 1, 2, 3 });
    CHECK(tree.invariant_violation() == nullptr);
}

TEST_CASE("RbTree: one element on two trees through two nodes, ordered by different keys", "[lib][rb_tree]")
{
    using OtherTree = RbTree<Item, &Item::other_node, ItemOtherKey>;
    auto items = make_items({ 1, 2, 3, 4 });
    for (Item& item : items)
        item.other_key = 100 - item.key; // the reverse order
    Tree by_key;
    OtherTree by_other;
    insert_all(by_key, items);
    for (Item& item : items)
        REQUIRE(by_other.insert(item));

    CHECK(keys(by_key) == std::vector<int> { 1, 2, 3, 4 });
    CHECK(keys(by_other) == std::vector<int> { 4, 3, 2, 1 });
    CHECK(by_other.find(98) == &items[1]);
    CHECK(by_other.floor(97) == &items[2]);

    CHECK(by_other.remove(items[0]));
    CHECK(items[0].node.is_linked()); // still on the first tree
    CHECK_FALSE(items[0].other_node.is_linked());
    CHECK(keys(by_key) == std::vector<int> { 1, 2, 3, 4 });
    CHECK(keys(by_other) == std::vector<int> { 4, 3, 2 });
    CHECK(by_key.invariant_violation() == nullptr);
    CHECK(by_other.invariant_violation() == nullptr);
}

namespace {

// The intended use: memory areas [start, end) keyed by start, looked up by address.
struct Area {
    uptr start;
    uptr end;
    RbTreeNode node {};
};
struct AreaStart {
    uptr operator()(const Area& area) const { return area.start; }
};
using AreaTree = RbTree<Area, &Area::node, AreaStart>;

Area* area_containing(const AreaTree& tree, uptr address)
{
    Area* area = tree.floor(address);
    return area && address < area->end ? area : nullptr;
}

} // namespace

TEST_CASE("RbTree finds the memory area containing an address by floor", "[lib][rb_tree]")
{
    Area a { 0x1000, 0x3000 }, b { 0x5000, 0x6000 }, c { 0x8000, 0xa000 }, top { 0xffff0000, 0xffffffff };
    AreaTree tree;
    REQUIRE(tree.insert(c));
    REQUIRE(tree.insert(a));
    REQUIRE(tree.insert(top));
    REQUIRE(tree.insert(b));

    CHECK(area_containing(tree, 0) == nullptr);
    CHECK(area_containing(tree, 0xfff) == nullptr);
    CHECK(area_containing(tree, 0x1000) == &a);
    CHECK(area_containing(tree, 0x2fff) == &a);
    CHECK(area_containing(tree, 0x3000) == nullptr); // end is exclusive
    CHECK(area_containing(tree, 0x4fff) == nullptr);
    CHECK(area_containing(tree, 0x5000) == &b);
    CHECK(area_containing(tree, 0x9abc) == &c);
    CHECK(area_containing(tree, 0xa000) == nullptr);
    CHECK(area_containing(tree, 0xfffeffff) == nullptr);
    CHECK(area_containing(tree, 0xffff0000) == &top);
    CHECK(area_containing(tree, 0xfffffffe) == &top);

    // The first area at or after an address (where a search for a free gap would look next).
    CHECK(tree.lower_bound(0x3000) == &b);
    CHECK(tree.upper_bound(0x5000) == &c);
    // A plain int literal converts to the key type: no signed comparison against uptr.
    CHECK(tree.find(0x5000) == &b);
    CHECK(tree.invariant_violation() == nullptr);
}

namespace {

struct Named {
    std::string name;
    RbTreeNode node {};
};
struct NamedKey {
    const std::string& operator()(const Named& named) const { return named.name; }
};
// Transparent: lookups take a string_view or a C string without building a std::string.
struct NameLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a < b; }
};
// Reversed order, to show the comparator (not operator<) decides.
struct Greater {
    bool operator()(int a, int b) const { return a > b; }
};

} // namespace

TEST_CASE("RbTree looks up by a transparent key and orders by the given comparator", "[lib][rb_tree]")
{
    Named tmp { "tmp" }, dev { "dev" }, proc { "proc" }, bin { "bin" };
    RbTree<Named, &Named::node, NamedKey, NameLess> names;
    for (Named* named : { &tmp, &dev, &proc, &bin })
        REQUIRE(names.insert(*named));
    CHECK(names.find("proc") == &proc);
    CHECK(names.find(std::string_view("dev")) == &dev);
    CHECK(names.find("sys") == nullptr);
    CHECK(names.lower_bound("c") == &dev);
    CHECK(names.upper_bound("dev") == &proc);
    CHECK(names.floor("zzz") == &tmp);
    CHECK(names.floor("a") == nullptr);
    CHECK(names.first() == &bin);
    CHECK(names.invariant_violation() == nullptr);

    auto items = make_items({ 2, 9, 4 });
    RbTree<Item, &Item::node, ItemKey, Greater> descending;
    for (Item& item : items)
        REQUIRE(descending.insert(item));
    CHECK(keys(descending) == std::vector<int> { 9, 4, 2 });
    // Under this order "floor" is the nearest element at or above 5, lower_bound the nearest at or below.
    CHECK(key_or(descending.floor(5)) == 9);
    CHECK(key_or(descending.lower_bound(5)) == 4);
    CHECK(descending.invariant_violation() == nullptr);
}

TEST_CASE("RbTree check_invariants notices an element whose key changed while linked", "[lib][rb_tree]")
{
    auto items = make_items({ 1, 2, 3 });
    Tree tree;
    insert_all(tree, items);
    REQUIRE(tree.check_invariants());

    items[1].key = 10;
    CHECK_FALSE(tree.check_invariants());
    CHECK(std::string(tree.invariant_violation()) == "keys out of order");
    items[1].key = 3; // equal neighbours: keys must be strictly increasing
    CHECK_FALSE(tree.check_invariants());
    items[1].key = 2;
    CHECK(tree.check_invariants());
}

TEST_CASE("RbTree behaves like std::map under random operations", "[lib][rb_tree]")
{
    std::mt19937 random(20240611);
    constexpr int kItems = 300;
    constexpr int kKeys = 600; // twice the items: duplicate keys are tried often
    std::deque<Item> items;
    for (int i = 0; i < kItems; ++i)
        items.emplace_back(0);
    Tree tree;
    std::map<int, Item*> model;
    auto random_key = [&] { return static_cast<int>(random() % kKeys) - 10; }; // a few beyond each end
    auto model_item = [&](std::map<int, Item*>::iterator it) { return it == model.end() ? nullptr : it->second; };
    usize refused = 0;

    for (int step = 0; step < 30000; ++step) {
        Item& item = items[random() % kItems];
        int key = random_key();
        switch (random() % 9) {
        case 0:
        case 1:
        case 2:
            if (!item.node.is_linked()) {
                item.key = key; // an unlinked element may change its key
                bool fresh = !model.count(key);
                REQUIRE(tree.insert(item) == fresh);
                if (fresh)
                    model[key] = &item;
                else
                    ++refused;
            } else {
                REQUIRE_FALSE(tree.insert(item));
            }
            break;
        case 3: {
            bool was_linked = item.node.is_linked();
            REQUIRE(tree.remove(item) == was_linked);
            if (was_linked)
                model.erase(item.key);
            break;
        }
        case 4: {
            auto it = model.find(key);
            REQUIRE(tree.find(key) == model_item(it));
            if (it != model.end() && random() % 2) {
                REQUIRE(tree.remove(*it->second));
                model.erase(it);
            }
            break;
        }
        case 5:
            REQUIRE(tree.lower_bound(key) == model_item(model.lower_bound(key)));
            REQUIRE(tree.upper_bound(key) == model_item(model.upper_bound(key)));
            break;
        case 6: {
            auto it = model.upper_bound(key);
            Item* expected = it == model.begin() ? nullptr : std::prev(it)->second;
            REQUIRE(tree.floor(key) == expected);
            break;
        }
        case 7:
            if (item.node.is_linked()) {
                auto it = model.find(item.key);
                REQUIRE(it != model.end());
                REQUIRE(it->second == &item);
                REQUIRE(tree.contains(item));
                REQUIRE(tree.next(item) == model_item(std::next(it)));
                REQUIRE(tree.prev(item) == (it == model.begin() ? nullptr : std::prev(it)->second));
            } else {
                REQUIRE_FALSE(tree.contains(item));
            }
            break;
        case 8:
            if (random() % 200 == 0) {
                tree.clear();
                model.clear();
                for (Item& each : items)
                    REQUIRE_FALSE(each.node.is_linked());
            }
            break;
        }
        REQUIRE(tree.size() == model.size());
        REQUIRE(tree.invariant_violation() == nullptr);
        REQUIRE(tree.first() == (model.empty() ? nullptr : model.begin()->second));
        REQUIRE(tree.last() == (model.empty() ? nullptr : model.rbegin()->second));
        if (step % 64 == 0) {
            std::vector<int> expected;
            for (const auto& [k, v] : model)
                expected.push_back(k);
            REQUIRE(keys(tree) == expected);
            REQUIRE(keys_backwards(tree) == expected);
        }
    }
    // The run must have reached both full-ish trees and refused duplicates for the above to mean much.
    CHECK(refused > 100);
    for (Item& item : items) {
        auto it = model.find(item.key);
        CHECK(item.node.is_linked() == (it != model.end() && it->second == &item));
    }
}

TEST_CASE("RbTree: a long random run of inserts and removals on a large tree", "[lib][rb_tree]")
{
    // Deeper trees than the model test: all of 0..N in random order, then removed in another random order,
    // checked against the sorted sequence at intervals.
    constexpr int kCount = 20000;
    std::mt19937 random(777);
    std::vector<int> order = range(0, kCount);
    std::shuffle(order.begin(), order.end(), random);
    auto items = make_items(order);
    Tree tree;
    insert_all(tree, items);
    CHECK(tree.invariant_violation() == nullptr);
    CHECK(keys(tree) == range(0, kCount));

    std::vector<usize> removal(static_cast<usize>(kCount));
    std::iota(removal.begin(), removal.end(), usize { 0 });
    std::shuffle(removal.begin(), removal.end(), random);
    std::vector<bool> present(static_cast<usize>(kCount), true);
    for (usize i = 0; i < removal.size(); ++i) {
        Item& item = items[removal[i]];
        REQUIRE(tree.remove(item));
        present[static_cast<usize>(item.key)] = false;
        if (i % 1000 == 0) {
            REQUIRE(tree.invariant_violation() == nullptr);
            std::vector<int> expected;
            for (int k = 0; k < kCount; ++k) {
                if (present[static_cast<usize>(k)])
                    expected.push_back(k);
            }
            REQUIRE(keys(tree) == expected);
        }
    }
    CHECK(tree.is_empty());
    CHECK(tree.invariant_violation() == nullptr);
}
