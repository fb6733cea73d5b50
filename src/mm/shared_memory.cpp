// Shared anonymous memory: a lazily filled array of frames, each holding one reference of its own.
#include "mm/shared_memory.hpp"

#include "arch/arch.hpp"
#include "lib/string.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

namespace {

u64 g_total_pages;

} // namespace

u64 SharedMemory::total_pages() { return g_total_pages; }

Result<SharedMemory*> SharedMemory::create(u64 pages)
{
    auto* memory = new (std::nothrow) SharedMemory;
    if (!memory)
        return Errno::NOMEM;
    if (auto resized = memory->resize(pages); resized.is_error()) {
        delete memory;
        return resized.error();
    }
    return memory;
}

SharedMemory::~SharedMemory() { discard(0, m_frames.size()); }

Result<void> SharedMemory::resize(u64 pages)
{
    if (pages <= m_frames.size())
        return {}; // shrinking keeps the pages: another mapping may still reach them
    if (pages > kKmallocMax / sizeof(PhysAddr))
        return Errno::NOMEM; // before the count is cut to 32 bits
    return m_frames.try_resize(static_cast<usize>(pages));
}

Result<PhysAddr> SharedMemory::page(u64 index)
{
    if (index >= m_frames.size())
        return Errno::FAULT;
    if (!m_frames[index]) {
        PhysAddr frame = TRY(page_allocator().allocate(0));
        fill_bytes(arch::phys_to_virt(frame, arch::kPageBytes), 0, arch::kPageBytes);
        m_frames[index] = frame;
        ++g_total_pages;
    }
    return m_frames[index];
}

PhysAddr SharedMemory::existing_page(u64 index) const { return index < m_frames.size() ? m_frames[index] : 0; }

void SharedMemory::discard(u64 first, u64 count)
{
    for (u64 index = first; index < m_frames.size() && index - first < count; ++index) {
        if (m_frames[index]) {
            page_allocator().unref(m_frames[index]);
            --g_total_pages;
        }
        m_frames[index] = 0;
    }
}

} // namespace mm
