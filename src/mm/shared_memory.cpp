// Shared anonymous memory: a lazily filled page cache whose pages count as Shmem.
#include "mm/shared_memory.hpp"

#include "mm/kmalloc.hpp"

namespace mm {

namespace {

u64 g_total_pages;

// Every shared page is charged here, so Shmem follows the caches' pages exactly.
struct ShmemAccount final : PageAccount {
    Result<void> charge() override
    {
        ++g_total_pages;
        return {};
    }
    void uncharge() override { --g_total_pages; }
};

ShmemAccount g_shmem_account;

} // namespace

u64 SharedMemory::total_pages() { return g_total_pages; }

SharedMemory::SharedMemory()
    : MappedPages(m_pages)
    , m_pages(&g_shmem_account)
{
}

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

Result<void> SharedMemory::resize(u64 pages)
{
    if (pages <= m_size_in_pages)
        return {}; // shrinking keeps the pages: another mapping may still reach them
    // The limit the flat frame array had, kept so that mremap's ENOMEM for absurd sizes stays as it was.
    if (pages > kKmallocMax / sizeof(PhysAddr))
        return Errno::NOMEM;
    m_size_in_pages = pages;
    return {};
}

Result<PhysAddr> SharedMemory::page(u64 index)
{
    if (index >= m_size_in_pages)
        return Errno::NXIO;
    return m_pages.find_or_create(index);
}

Result<void> SharedMemory::punch_hole(u64 first, u64 count)
{
    remove_pages(first, count);
    return {};
}

PhysAddr SharedMemory::existing_page(u64 index) const { return index < m_size_in_pages ? m_pages.find(index) : 0; }

} // namespace mm
