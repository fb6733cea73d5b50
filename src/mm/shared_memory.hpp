// SharedMemory: the pages behind MAP_SHARED | MAP_ANONYMOUS mappings, which a fork shares instead of copying.
// A MappedPages over a cache of its own; the object adds the segment's size and the Shmem count.
#pragma once

#include "mm/mapped_pages.hpp"

namespace mm {

class SharedMemory final : public MappedPages {
public:
    // Room for `pages` pages, none allocated yet; ENOMEM. The caller holds the one reference.
    static Result<SharedMemory*> create(u64 pages);
    ~SharedMemory() override = default;

    // NXIO (SIGBUS) past the segment's size.
    Result<PhysAddr> page(u64 index) override;
    PhysAddr existing_page(u64 index) const override;
    Result<void> resize(u64 pages) override;
    // MADV_REMOVE: the pages leave every mapping and read as zero again.
    Result<void> punch_hole(u64 first, u64 count) override;

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
