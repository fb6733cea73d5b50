// RefPtr<T>: a shared owner of a kernel object that counts its own references (GUIDE §6): an address space
// shared by threads, an inode held by dentries and open files. T derives from RefCounted<T>; the last
// RefPtr to go deletes it. Single CPU, kernel not preemptible: the count needs no atomics yet.
#pragma once

#include <new>
#include <utility>

#include "lib/result.hpp"
#include "lib/types.hpp"

template<typename T>
class RefCounted {
public:
    void ref() const { ++m_ref_count; }
    void unref() const
    {
        if (--m_ref_count == 0)
            delete static_cast<const T*>(this);
    }
    u32 ref_count() const { return m_ref_count; }

protected:
    RefCounted() = default;
    ~RefCounted() = default;
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

private:
    mutable u32 m_ref_count { 0 };
};

template<typename T>
class RefPtr {
public:
    RefPtr() = default;
    RefPtr(T* pointer) : m_pointer(pointer)
    {
        if (m_pointer)
            m_pointer->ref();
    }
    RefPtr(const RefPtr& other) : RefPtr(other.m_pointer) {}
    RefPtr(RefPtr&& other) : m_pointer(std::exchange(other.m_pointer, nullptr)) {}
    template<typename U>
    RefPtr(const RefPtr<U>& other) : RefPtr(other.get())
    {
    }
    RefPtr& operator=(const RefPtr& other)
    {
        RefPtr copy(other);
        std::swap(m_pointer, copy.m_pointer);
        return *this;
    }
    RefPtr& operator=(RefPtr&& other)
    {
        RefPtr moved(std::move(other));
        std::swap(m_pointer, moved.m_pointer);
        return *this;
    }
    ~RefPtr() { reset(); }

    void reset()
    {
        if (T* pointer = std::exchange(m_pointer, nullptr))
            pointer->unref();
    }

    T* get() const { return m_pointer; }
    T* operator->() const { return m_pointer; }
    T& operator*() const { return *m_pointer; }
    explicit operator bool() const { return m_pointer != nullptr; }
    bool operator==(const RefPtr& other) const { return m_pointer == other.m_pointer; }

private:
    T* m_pointer { nullptr };
};

template<typename T, typename... Args>
Result<RefPtr<T>> make_ref(Args&&... args)
{
    T* pointer = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!pointer)
        return Errno::NOMEM;
    return RefPtr<T>(pointer);
}
