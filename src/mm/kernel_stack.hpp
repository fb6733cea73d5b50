// KernelStack: the block of kmalloc memory a thread's kernel stack lives in, freed with its owner. Not an
// mm::Vector: a task runs on this memory, so it must never grow, move or be copied.
#pragma once

#include "lib/result.hpp"
#include "mm/kmalloc.hpp"

namespace mm {

class KernelStack {
public:
    KernelStack() = default;
    ~KernelStack() { kfree(m_base); }
    KernelStack(const KernelStack&) = delete;
    KernelStack& operator=(const KernelStack&) = delete;

    // Takes `bytes` of memory, once; ENOMEM.
    Result<void> allocate(usize bytes)
    {
        m_base = static_cast<u8*>(TRY(kmalloc(bytes)));
        m_size = bytes;
        return {};
    }

    // The lowest address; the stack grows down from base() + size().
    u8* base() const { return m_base; }
    usize size() const { return m_size; }

private:
    u8* m_base { nullptr };
    usize m_size { 0 };
};

} // namespace mm
