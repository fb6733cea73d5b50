// SharedMemory: the pages behind MAP_SHARED | MAP_ANONYMOUS mappings, which a fork shares instead of copying.
#pragma once

#include "mm/vector.hpp"
#include "mm/vm_area.hpp"

namespace mm {

class SharedMemory final : public VmBacking {
public:
    // Room for `pages` pages, none allocated yet; ENOMEM.
    static Result<SharedMemory*> create(u64 pages);
    ~SharedMemory() override;

    Result<PhysAddr> page(u64 index) override;
    PhysAddr existing_page(u64 index) const override;
    Result<void> resize(u64 pages) override;
    // Frees pages [first, first + count) so they read as zero again (MADV_REMOVE).
    void discard(u64 first, u64 count);

    u64 size_in_pages() const { return m_frames.size(); }
    // Pages held by all shared memory (Shmem in /proc/meminfo).
    static u64 total_pages();

private:
    SharedMemory() = default;

    Vector<PhysAddr> m_frames; // 0: not allocated yet
};

} // namespace mm
