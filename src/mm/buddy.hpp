// The physical page allocator: a binary buddy system over page frames (orders 0 to 10, 4 KiB to 4 MiB),
// with a descriptor per frame carrying the reference count that copy-on-write and shared mappings need.
#pragma once

#include "arch/memory.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/result.hpp"

namespace mm {

inline constexpr unsigned kPageShift = arch::kPageShift;
inline constexpr usize kPageSize = arch::kPageBytes;

// One per physical page (Linux's struct page). Only the first frame of a block says what the block is.
struct PageFrame {
    enum class State : u8 {
        Reserved,  // never handed to the allocator: firmware, kernel image, modules, holes
        Inner,     // inside a block whose first frame describes it
        Free,      // first frame of a free block of `order`
        Allocated, // first frame of an allocated block of `order`
    };

    IntrusiveListNode free_node;
    void* owner { nullptr }; // for every page of a slab: its header (mm/slab.hpp), so kfree finds the cache
    u32 refcount { 0 };
    u8 order { 0 };
    State state { State::Reserved };
};

class BuddyAllocator {
public:
    static constexpr unsigned kMaxOrder = 10;

    BuddyAllocator() = default;
    BuddyAllocator(const BuddyAllocator&) = delete;
    BuddyAllocator& operator=(const BuddyAllocator&) = delete;
    // The descriptors are not ours and may already be gone: leave them alone.
    ~BuddyAllocator()
    {
        for (auto& list : m_free_lists)
            list.forget_all();
    }

    // Describes frames [first_frame, first_frame + count) with `frames`, all reserved until add_free().
    void init(PageFrame* frames, u32 first_frame, usize count);

    // Hands the whole pages inside [start, end) to the allocator. Pages outside the described frames are
    // ignored; a page already handed over is a kernel bug.
    void add_free(u64 start, u64 end);

    // A naturally aligned block of 2^order pages with reference count 1; ENOMEM when none is left, EINVAL
    // for an order above kMaxOrder.
    Result<PhysAddr> allocate(unsigned order = 0);
    // Returns a block from allocate() with the same order, whatever its reference count.
    void free(PhysAddr block, unsigned order = 0);

    // Reference counts of allocated blocks (page sharing after fork); unref frees the block at zero and
    // says so.
    void ref(PhysAddr block);
    bool unref(PhysAddr block);
    u32 refcount(PhysAddr block) const;

    usize managed_pages() const { return m_managed_pages; }
    usize free_pages() const { return m_free_pages; }
    usize free_blocks(unsigned order) const { return m_free_lists[order].size(); }

    // The descriptor of the frame holding `address`, or nullptr when it is not described.
    PageFrame* frame_of(PhysAddr address) const;
    PhysAddr address_of(const PageFrame& frame) const;

    // Walks every frame and list; false on the first broken invariant (for tests and the fuzzer).
    bool check_invariants() const;

private:
    using FreeList = IntrusiveList<PageFrame, &PageFrame::free_node>;

    void push_free(u32 frame_number, unsigned order);
    PageFrame& at(u32 frame_number) const { return m_frames[frame_number - m_first_frame]; }
    bool describes(u64 frame_number) const
    {
        return frame_number >= m_first_frame && frame_number - m_first_frame < m_count;
    }
    // The allocated block's first frame for `block`, or a kernel panic for an address that is not one.
    PageFrame& allocated_head(PhysAddr block, const char* operation) const;

    PageFrame* m_frames { nullptr };
    u32 m_first_frame { 0 };
    usize m_count { 0 };
    usize m_managed_pages { 0 };
    usize m_free_pages { 0 };
    FreeList m_free_lists[kMaxOrder + 1];
};

} // namespace mm
