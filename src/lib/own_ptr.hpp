// OwnPtr<T>: the sole owner of a heap object (GUIDE §6), and make_own(), which turns running out of memory
// into ENOMEM instead of an exception or a null pointer nobody checks.
#pragma once

#include <new>
#include <utility>

#include "lib/result.hpp"

template<typename T>
class OwnPtr {
public:
    OwnPtr() = default;
    // Takes ownership of `pointer`, which came from new (std::nothrow).
    explicit OwnPtr(T* pointer) : m_pointer(pointer) {}
    OwnPtr(OwnPtr&& other) : m_pointer(other.leak()) {}
    template<typename U>
    OwnPtr(OwnPtr<U>&& other) : m_pointer(other.leak())
    {
    }
    OwnPtr& operator=(OwnPtr&& other)
    {
        if (this != &other) {
            reset();
            m_pointer = other.leak();
        }
        return *this;
    }
    OwnPtr(const OwnPtr&) = delete;
    OwnPtr& operator=(const OwnPtr&) = delete;
    ~OwnPtr() { reset(); }

    void reset()
    {
        delete m_pointer;
        m_pointer = nullptr;
    }
    // Gives up ownership without deleting.
    T* leak()
    {
        T* pointer = m_pointer;
        m_pointer = nullptr;
        return pointer;
    }

    T* get() const { return m_pointer; }
    T* operator->() const { return m_pointer; }
    T& operator*() const { return *m_pointer; }
    explicit operator bool() const { return m_pointer != nullptr; }

private:
    T* m_pointer { nullptr };
};

template<typename T, typename... Args>
Result<OwnPtr<T>> make_own(Args&&... args)
{
    T* pointer = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!pointer)
        return Errno::NOMEM;
    return OwnPtr<T>(pointer);
}
