// SharedMemory: the pages behind MAP_SHARED | MAP_ANONYMOUS mappings, which a fork shares instead of copying.
// The pages live in an mm::PageCache; the object adds the segment's size and the Shmem count.
#pragma once

#include "mm/page_cache.hpp"
#include "mm/vm_area.hpp"

namespace mm {

class SharedMemory final : public VmBacking {
public:
    // Room for `pages` pages, none allocated yet; ENOMEM.
    static Result<SharedMemory*> create(u64 pages);
    ~SharedMemory() override = default;

    Result<PhysAddr> page(u64 index) override;
    PhysAddr existing_page(u64 index) const override;
    Result<void> resize(u64 pages) override;
    // Frees pages [first, first + count) so they read as zero again (MADV_REMOVE).
    void discard(u64 first, u64 count) { m_pages.remove(first, count); }

    u64 size_in_pages() const { return m_size_in_pages; }
    u64 resident_pages() const { return m_pages.page_count(); }
    // Pages held by all shared memory (Shmem in /proc/meminfo).
    static u64 total_pages();

private:
    SharedMemory();

    PageCache m_pages;
    u64 m_size_in_pages { 0 };
};

} // namespace mm
