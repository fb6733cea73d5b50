// IntrusiveList: a doubly linked list threaded through a node embedded in each element, so linking and
// unlinking never allocate (run queues, wait queues, free lists). The list owns nothing.
#pragma once

#include "lib/types.hpp"

class IntrusiveListNode;
template<typename T, IntrusiveListNode T::*Member>
class IntrusiveList;

// Embed one per list an object can be on at the same time. A node is on at most one list at a time.
class IntrusiveListNode {
public:
    IntrusiveListNode() = default;
    // A copy would point into someone else's list.
    IntrusiveListNode(const IntrusiveListNode&) = delete;
    IntrusiveListNode& operator=(const IntrusiveListNode&) = delete;

    bool is_linked() const { return m_next != nullptr; }

private:
    template<typename T, IntrusiveListNode T::*Member>
    friend class IntrusiveList;

    IntrusiveListNode* m_next { nullptr };
    IntrusiveListNode* m_prev { nullptr };
};

// Use as IntrusiveList<Task, &Task::m_run_node>. Circular around a sentinel node, so that no operation has
// a special case for the ends. Not copyable or movable: linked nodes point at the sentinel inside it.
template<typename T, IntrusiveListNode T::*Member>
class IntrusiveList {
public:
    IntrusiveList()
    {
        m_head.m_next = &m_head;
        m_head.m_prev = &m_head;
    }
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;
    // Leaves every remaining element unlinked rather than pointing at a dead sentinel.
    ~IntrusiveList() { clear(); }

    bool is_empty() const { return m_size == 0; }
    usize size() const { return m_size; }

    // `item` must not be on any list.
    void push_front(T& item) { link_after(&m_head, item); }
    void push_back(T& item) { link_after(m_head.m_prev, item); }
    // Links `item` just before `position`, which must be on this list (for keeping a list sorted).
    void insert_before(T& position, T& item) { link_after(node_of(position).m_prev, item); }

    // The first (last) element, or nullptr when empty.
    T* front() const { return is_empty() ? nullptr : item_of(m_head.m_next, m_offset); }
    T* back() const { return is_empty() ? nullptr : item_of(m_head.m_prev, m_offset); }

    T* pop_front()
    {
        T* item = front();
        if (item)
            remove(*item);
        return item;
    }
    T* pop_back()
    {
        T* item = back();
        if (item)
            remove(*item);
        return item;
    }

    // Unlinks `item`, which must be on this list or on none; returns false (and does nothing) for an
    // unlinked one, so that "cancel if still queued" needs no check first.
    bool remove(T& item)
    {
        IntrusiveListNode& node = node_of(item);
        if (!node.is_linked())
            return false;
        node.m_prev->m_next = node.m_next;
        node.m_next->m_prev = node.m_prev;
        node.m_next = nullptr;
        node.m_prev = nullptr;
        --m_size;
        return true;
    }

    // O(n): for tests and assertions.
    bool contains(const T& item) const
    {
        for (const IntrusiveListNode* node = m_head.m_next; node != &m_head; node = node->m_next) {
            if (node == &(item.*Member))
                return true;
        }
        return false;
    }

    void clear()
    {
        while (pop_front()) { }
    }

    // Empties the list without touching its elements: for when their memory is about to be reinitialised
    // or is gone (an allocator set up afresh over new descriptors).
    void forget_all()
    {
        m_head.m_next = &m_head;
        m_head.m_prev = &m_head;
        m_size = 0;
    }

    // Reads the next node before yielding the current one, so the loop body may remove the element it is on
    // (and only that one).
    class Iterator {
    public:
        Iterator(IntrusiveListNode* node, uptr offset) : m_node(node), m_next(node->m_next), m_offset(offset) {}
        T& operator*() const { return *item_of(m_node, m_offset); }
        T* operator->() const { return item_of(m_node, m_offset); }
        Iterator& operator++()
        {
            m_node = m_next;
            m_next = m_node->m_next;
            return *this;
        }
        bool operator==(const Iterator& other) const { return m_node == other.m_node; }

    private:
        IntrusiveListNode* m_node;
        IntrusiveListNode* m_next;
        uptr m_offset;
    };

    Iterator begin() { return Iterator(m_head.m_next, m_offset); }
    Iterator end() { return Iterator(&m_head, m_offset); }

private:
    static IntrusiveListNode& node_of(T& item) { return item.*Member; }

    // The element that embeds `node`, `offset` bytes below it. offsetof needs a member name, not a pointer
    // to member, and measuring on a fake object is UB (UBSan's vptr check would read it), so the offset is
    // taken from each real element as it is linked (the same for every T).
    static T* item_of(IntrusiveListNode* node, uptr offset)
    {
        return reinterpret_cast<T*>(reinterpret_cast<uptr>(node) - offset);
    }

    void link_after(IntrusiveListNode* previous, T& item)
    {
        IntrusiveListNode& node = node_of(item);
        m_offset = reinterpret_cast<uptr>(&node) - reinterpret_cast<uptr>(&item);
        node.m_prev = previous;
        node.m_next = previous->m_next;
        previous->m_next->m_prev = &node;
        previous->m_next = &node;
        ++m_size;
    }

    IntrusiveListNode m_head;
    usize m_size { 0 };
    uptr m_offset { 0 };
};
