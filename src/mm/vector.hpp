// Vector: the kernel's growable array on the kmalloc heap, for the buffers a call or an object owns (an
// iovec array, a path, a pollfd copy, a chunk of file data) instead of hand-written kmalloc holders. Growing
// can fail: every operation that allocates returns a Result (ENOMEM) and leaves the vector as it was. The
// first `Inline` elements live inside the object, so a small vector needs no allocation at all (Linux's
// UIO_FASTIOV stack arrays). Elements are trivially copyable: they move with plain byte copies and are not
// constructed or destroyed one by one.
#pragma once

#include <type_traits>

#include "lib/result.hpp"
#include "lib/string.hpp"
#include "mm/kmalloc.hpp"

namespace mm {

template<typename T, usize Inline = 0>
class Vector {
    static_assert(std::is_trivially_copyable_v<T>, "mm::Vector holds plain data");

public:
    Vector() = default;
    ~Vector() { release(); }
    Vector(const Vector&) = delete;
    Vector& operator=(const Vector&) = delete;
    Vector(Vector&& other) { take(other); }
    Vector& operator=(Vector&& other)
    {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }

    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }
    usize capacity() const { return m_capacity; }
    T* data() { return elements(); }
    const T* data() const { return elements(); }
    T& operator[](usize index) { return elements()[index]; }
    const T& operator[](usize index) const { return elements()[index]; }
    T* begin() { return elements(); }
    T* end() { return elements() + m_size; }
    const T* begin() const { return elements(); }
    const T* end() const { return elements() + m_size; }

    // Room for `count` elements in all, without changing the size.
    Result<void> try_reserve(usize count)
    {
        if (count <= m_capacity)
            return {};
        if (count > ~usize { 0 } / sizeof(T))
            return Errno::NOMEM;
        auto* grown = static_cast<T*>(TRY(kmalloc(count * sizeof(T))));
        if (m_size)
            copy_bytes(grown, elements(), m_size * sizeof(T));
        if (m_heap)
            kfree(m_heap);
        m_heap = grown;
        m_capacity = count;
        return {};
    }
    // `count` elements; new ones are zero.
    Result<void> try_resize(usize count)
    {
        TRY(try_reserve(count));
        if (count > m_size)
            fill_bytes(elements() + m_size, 0, (count - m_size) * sizeof(T));
        m_size = count;
        return {};
    }
    // `count` elements whose contents the caller fills (a copy from user memory): no zeroing.
    Result<void> try_resize_uninitialised(usize count)
    {
        TRY(try_reserve(count));
        m_size = count;
        return {};
    }
    Result<void> try_append(const T& value)
    {
        if (m_size == m_capacity)
            TRY(try_reserve(m_capacity ? 2 * m_capacity : (Inline ? 2 * Inline : 8)));
        elements()[m_size++] = value;
        return {};
    }
    void clear() { m_size = 0; }

private:
    T* elements() { return m_heap ? m_heap : reinterpret_cast<T*>(m_inline); }
    const T* elements() const { return m_heap ? m_heap : reinterpret_cast<const T*>(m_inline); }
    void release()
    {
        if (m_heap)
            kfree(m_heap);
        m_heap = nullptr;
        m_size = 0;
        m_capacity = Inline;
    }
    void take(Vector& other)
    {
        m_size = other.m_size;
        m_capacity = other.m_capacity;
        m_heap = other.m_heap;
        if (!m_heap && m_size)
            copy_bytes(m_inline, other.m_inline, m_size * sizeof(T));
        other.m_heap = nullptr;
        other.m_size = 0;
        other.m_capacity = Inline;
    }

    alignas(T) unsigned char m_inline[Inline ? Inline * sizeof(T) : 1];
    T* m_heap { nullptr };
    usize m_size { 0 };
    usize m_capacity { Inline };
};

} // namespace mm
