// RingBuffer: a fixed-capacity FIFO in place (no heap), for the kernel log and byte queues in drivers.
#pragma once

#include "lib/types.hpp"

template<typename T, usize Capacity>
class RingBuffer {
    static_assert(Capacity > 0, "a ring needs room for one element");

public:
    static constexpr usize capacity() { return Capacity; }
    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }
    bool is_full() const { return m_size == Capacity; }

    // Appends `value`; false (and nothing stored) when full.
    bool push(const T& value)
    {
        if (is_full())
            return false;
        m_items[(m_head + m_size) % Capacity] = value;
        ++m_size;
        return true;
    }

    // Appends `value`, dropping the oldest element when full: a log keeps its newest lines.
    void push_overwrite(const T& value)
    {
        if (is_full()) {
            m_items[m_head] = value;
            m_head = (m_head + 1) % Capacity;
            return;
        }
        m_items[(m_head + m_size) % Capacity] = value;
        ++m_size;
    }

    // Removes the oldest element into `out`; false when empty.
    bool pop(T& out)
    {
        if (is_empty())
            return false;
        out = m_items[m_head];
        m_head = (m_head + 1) % Capacity;
        --m_size;
        return true;
    }

    // The element `index` places after the oldest; `index` must be below size().
    const T& operator[](usize index) const { return m_items[(m_head + index) % Capacity]; }

    void clear() { m_head = m_size = 0; }

private:
    T m_items[Capacity] {};
    usize m_head { 0 };
    usize m_size { 0 };
};
