// RbTree: an intrusive red-black tree (CLRS 3rd ed. ch. 13) threaded through a node embedded in each element,
// for ordered sets that must not be searched linearly (an address space's memory areas). The tree owns nothing
// and never allocates. The balancing half works on bare nodes and lives in rb_tree.cpp, once for all trees;
// the template half below only descends by key.
#pragma once

#include <type_traits>
#include <utility>

#include "lib/types.hpp"

// Embed one per tree an object can be on at the same time. A node is on at most one tree at a time, and the
// element must not move while it is linked.
class RbTreeNode {
public:
    RbTreeNode() = default;
    // A copy would point into someone else's tree.
    RbTreeNode(const RbTreeNode&) = delete;
    RbTreeNode& operator=(const RbTreeNode&) = delete;

    bool is_linked() const { return m_parent != nullptr; }

private:
    friend class RbTreeCore;
    template<typename T, RbTreeNode T::*Member, typename KeyOf, typename Less> friend class RbTree;

    // A linked node always has a parent: the root's is the tree's header node, so nullptr means unlinked.
    RbTreeNode* m_parent { nullptr };
    RbTreeNode* m_left { nullptr };
    RbTreeNode* m_right { nullptr };
    bool m_red { false };
};

// The key-independent half: shape, colours and size. The header node stands above the root (the root is its
// left child, its right child is always null), so relinking the root needs no special case and next() knows it
// has climbed off the top when it reaches the only node without a parent.
class RbTreeCore {
public:
    RbTreeCore() = default;
    RbTreeCore(const RbTreeCore&) = delete;
    RbTreeCore& operator=(const RbTreeCore&) = delete;

    RbTreeNode* root() const { return m_header.m_left; }
    usize size() const { return m_size; }

    // Hangs the unlinked `node` at `*link`, a null child pointer of `parent` found by a descent (the header's
    // left pointer in an empty tree), then restores the red-black properties.
    void link(RbTreeNode& node, RbTreeNode* parent, RbTreeNode** link);
    // Unlinks `node`, which must be on this tree, and leaves it reading as unlinked.
    void erase(RbTreeNode& node);

    RbTreeNode* first() const;
    RbTreeNode* last() const;
    // In-order neighbours of a linked node; nullptr past either end.
    static RbTreeNode* next(const RbTreeNode& node);
    static RbTreeNode* prev(const RbTreeNode& node);

    // Unlinks every node (O(n), no recursion).
    void clear();
    // Forgets every node without touching it (see RbTree::forget_all).
    void forget_all();

    // The header node, for descents that need the address of the root pointer.
    RbTreeNode& header() { return m_header; }

    // Names the first broken structural rule (colours, parent links, black height, size), or nullptr. O(n).
    const char* structure_violation() const;

private:
    // A null child counts as black (CLRS's nil).
    static bool is_red(const RbTreeNode* node) { return node && node->m_red; }
    static const char* check_subtree(const RbTreeNode& node, int depth, int& black_height, usize& count);
    void rotate_left(RbTreeNode& node);
    void rotate_right(RbTreeNode& node);
    void insert_fixup(RbTreeNode* node);
    void erase_fixup(RbTreeNode* node, RbTreeNode* parent);
    void transplant(RbTreeNode& old_node, RbTreeNode* new_node);

    RbTreeNode m_header;
    usize m_size { 0 };
};

// The default order: the keys' own operator<. Not transparent, so lookups convert their argument to the key
// type first (an int literal looking up a uptr key is then no signed/unsigned comparison).
struct RbTreeLess {
    template<typename A, typename B> constexpr bool operator()(const A& a, const B& b) const { return a < b; }
};

// A comparator that declares `using is_transparent = void;` (as in the C++ standard library) is called with
// the lookup argument as it is, against the key on either side; the lookups then accept any such type.
template<typename L>
concept RbTreeTransparent = requires
{
    typename L::is_transparent;
};

// Use as RbTree<VmArea, &VmArea::m_tree_node, VmAreaStart>, where VmAreaStart is a function object type taking
// `const VmArea&` and returning its key (by value or by reference), and Less a strict weak order on keys.
// Keys are unique: insert refuses an element whose key is already present. An element's key must not change
// while it is linked. Not copyable or movable: the root points at the header inside the tree. Destroying the
// tree unlinks what is still on it, so elements must outlive the tree or be removed first.
//
// The queries are const but return mutable elements, as IntrusiveList's do: the tree only orders elements, it
// does not own them.
template<typename T, RbTreeNode T::*Member, typename KeyOf, typename Less = RbTreeLess> class RbTree {
public:
    using Key = std::remove_cvref_t<decltype(std::declval<const KeyOf&>()(std::declval<const T&>()))>;

    RbTree() = default;
    RbTree(const RbTree&) = delete;
    RbTree& operator=(const RbTree&) = delete;
    // Leaves every remaining element unlinked rather than pointing into a dead tree.
    ~RbTree() { clear(); }

    bool is_empty() const { return m_core.size() == 0; }
    usize size() const { return m_core.size(); }

    // Links `item` in key order and returns true. Returns false and changes nothing when an element with an
    // equal key is already on the tree, or when `item` is already linked (to this tree or another). O(log n).
    [[nodiscard]] bool insert(T& item)
    {
        RbTreeNode& node = node_of(item);
        if (node.is_linked())
            return false;
        m_offset = reinterpret_cast<uptr>(&node) - reinterpret_cast<uptr>(&item);
        const auto& key = m_key_of(item);
        RbTreeNode* parent = &m_core.header();
        RbTreeNode** link = &parent->m_left;
        while (*link) {
            parent = *link;
            const auto& other = key_of(parent);
            if (m_less(key, other))
                link = &parent->m_left;
            else if (m_less(other, key))
                link = &parent->m_right;
            else
                return false;
        }
        m_core.link(node, parent, link);
        return true;
    }

    // Unlinks `item`, which must be on this tree or on none; returns false (and does nothing) for an unlinked
    // one, so that "remove if still there" needs no check first. O(log n).
    bool remove(T& item)
    {
        RbTreeNode& node = node_of(item);
        if (!node.is_linked())
            return false;
        m_core.erase(node);
        return true;
    }

    // The element whose key equals `key`, or nullptr.
    T* find(const Key& key) const { return item_or_null(find_node(key)); }
    // The first element whose key is >= `key` (not less than it), or nullptr.
    T* lower_bound(const Key& key) const { return item_or_null(lower_bound_node(key)); }
    // The first element whose key is > `key`, or nullptr.
    T* upper_bound(const Key& key) const { return item_or_null(upper_bound_node(key)); }
    // The last element whose key is <= `key`, or nullptr. With areas keyed by start address, floor(address)
    // is the only area that can contain `address`: the caller still checks that address < its end.
    T* floor(const Key& key) const { return item_or_null(floor_node(key)); }

    // The same lookups with any argument a transparent comparator accepts.
    template<typename K>
    requires RbTreeTransparent<Less> T* find(const K& key) const { return item_or_null(find_node(key)); }
    template<typename K>
    requires RbTreeTransparent<Less> T* lower_bound(const K& key) const { return item_or_null(lower_bound_node(key)); }
    template<typename K>
    requires RbTreeTransparent<Less> T* upper_bound(const K& key) const { return item_or_null(upper_bound_node(key)); }
    template<typename K>
    requires RbTreeTransparent<Less> T* floor(const K& key) const { return item_or_null(floor_node(key)); }

    // The smallest (largest) element, or nullptr when empty. O(log n).
    T* first() const { return item_or_null(m_core.first()); }
    T* last() const { return item_or_null(m_core.last()); }
    // The element after (before) `item`, which must be on this tree; nullptr at the end. O(log n), O(1)
    // amortised over a whole walk.
    T* next(const T& item) const { return item_or_null(RbTreeCore::next(item.*Member)); }
    T* prev(const T& item) const { return item_or_null(RbTreeCore::prev(item.*Member)); }

    // Whether `item` itself (not merely an element with its key) is on this tree. O(log n).
    bool contains(const T& item) const
    {
        if (!(item.*Member).is_linked())
            return false;
        return find_node(m_key_of(item)) == &(item.*Member);
    }

    // The element at the top: for tests that pin the shape of a small tree. nullptr when empty.
    T* root() const { return item_or_null(m_core.root()); }

    // Unlinks every element without freeing anything. O(n).
    void clear() { m_core.clear(); }

    // Empties the tree without touching its elements: for when their memory is about to be reinitialised or is
    // gone. Their nodes still read as linked, so insert refuses them until they are constructed afresh.
    void forget_all() { m_core.forget_all(); }

    // Names the first broken invariant, or nullptr: the red-black properties, parent links, strictly
    // increasing keys in order, and the size. For tests and assertions; O(n).
    const char* invariant_violation() const
    {
        if (const char* violation = m_core.structure_violation())
            return violation;
        const RbTreeNode* previous = nullptr;
        for (const RbTreeNode* node = m_core.first(); node; node = RbTreeCore::next(*node)) {
            if (previous && !m_less(key_of(previous), key_of(node)))
                return "keys out of order";
            previous = node;
        }
        return nullptr;
    }
    bool check_invariants() const { return invariant_violation() == nullptr; }

    // In key order. Reads the next node before yielding the current one, so the loop body may remove the
    // element it is on (and only that one). An element inserted during the walk may or may not be visited.
    class Iterator {
    public:
        Iterator(RbTreeNode* node, uptr offset)
            : m_node(node)
            , m_next(node ? RbTreeCore::next(*node) : nullptr)
            , m_offset(offset)
        {
        }
        T& operator*() const { return *item_of(m_node, m_offset); }
        T* operator->() const { return item_of(m_node, m_offset); }
        Iterator& operator++()
        {
            m_node = m_next;
            m_next = m_node ? RbTreeCore::next(*m_node) : nullptr;
            return *this;
        }
        bool operator==(const Iterator& other) const { return m_node == other.m_node; }

    private:
        RbTreeNode* m_node;
        RbTreeNode* m_next;
        uptr m_offset;
    };

    Iterator begin() const { return Iterator(m_core.first(), m_offset); }
    Iterator end() const { return Iterator(nullptr, m_offset); }

private:
    static RbTreeNode& node_of(T& item) { return item.*Member; }

    // The element that embeds `node`, `offset` bytes below it. As in IntrusiveList, the offset is measured on
    // each real element as it is linked (offsetof needs a member name, not a pointer to member).
    static T* item_of(const RbTreeNode* node, uptr offset)
    {
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - offset);
    }
    T* item_or_null(const RbTreeNode* node) const { return node ? item_of(node, m_offset) : nullptr; }
    decltype(auto) key_of(const RbTreeNode* node) const { return m_key_of(*item_of(node, m_offset)); }

    template<typename K> RbTreeNode* find_node(const K& key) const
    {
        RbTreeNode* node = m_core.root();
        while (node) {
            const auto& other = key_of(node);
            if (m_less(key, other))
                node = node->m_left;
            else if (m_less(other, key))
                node = node->m_right;
            else
                return node;
        }
        return nullptr;
    }

    template<typename K> RbTreeNode* lower_bound_node(const K& key) const
    {
        RbTreeNode* best = nullptr;
        for (RbTreeNode* node = m_core.root(); node;) {
            if (m_less(key_of(node), key)) {
                node = node->m_right;
            } else {
                best = node;
                node = node->m_left;
            }
        }
        return best;
    }

    template<typename K> RbTreeNode* upper_bound_node(const K& key) const
    {
        RbTreeNode* best = nullptr;
        for (RbTreeNode* node = m_core.root(); node;) {
            if (m_less(key, key_of(node))) {
                best = node;
                node = node->m_left;
            } else {
                node = node->m_right;
            }
        }
        return best;
    }

    template<typename K> RbTreeNode* floor_node(const K& key) const
    {
        RbTreeNode* best = nullptr;
        for (RbTreeNode* node = m_core.root(); node;) {
            if (m_less(key, key_of(node))) {
                node = node->m_left;
            } else {
                best = node;
                node = node->m_right;
            }
        }
        return best;
    }

    RbTreeCore m_core;
    uptr m_offset { 0 };
    [[no_unique_address]] KeyOf m_key_of {};
    [[no_unique_address]] Less m_less {};
};
