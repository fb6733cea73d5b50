// SlabCache: equal-size kernel objects carved from blocks of the page allocator, so that small allocations
// cost neither a page each nor a search (Bonwick, "The Slab Allocator", USENIX 1994, simplified).
#pragma once

#include "lib/intrusive_list.hpp"
#include "lib/result.hpp"

namespace mm {

class SlabCache;

// The header at the start of every slab; its objects follow it.
struct Slab {
    IntrusiveListNode node;
    SlabCache* cache;
    void* free_list; // free objects, linked through their first word
    PhysAddr block;  // the page-allocator block this slab is
    u16 in_use;
};

class SlabCache {
public:
    // Objects of `object_size` bytes (rounded up to 8), from slabs of 2^order pages chosen so that at least
    // 8 objects fit. `name` is static text for logs and /proc/slabinfo.
    SlabCache(const char* name, usize object_size);
    SlabCache(const SlabCache&) = delete;
    SlabCache& operator=(const SlabCache&) = delete;
    // Slabs go back to the page allocator only through shrink(): a cache lives as long as the kernel.
    ~SlabCache() { forget_all_slabs(); }

    // An uninitialised object, 8-byte aligned; ENOMEM when no page is left for a new slab.
    Result<void*> allocate();
    // Returns an object from allocate() of this cache; anything else is a kernel bug (panic).
    void free(void* object);
    // Gives every empty slab back to the page allocator.
    void shrink();
    // Drops every slab without touching it, for when the page allocator below was set up afresh (host tests).
    void forget_all_slabs();

    const char* name() const { return m_name; }
    usize object_size() const { return m_object_size; }
    usize objects_per_slab() const { return m_objects_per_slab; }
    usize objects_in_use() const { return m_objects_in_use; }
    usize slab_count() const { return m_partial.size() + m_full.size() + m_empty.size(); }
    usize pages() const { return slab_count() << m_order; }
    // Pages in empty slabs, which shrink() would give back.
    usize empty_pages() const { return m_empty.size() << m_order; }

    // The cache `object` belongs to when it lies in a slab, else nullptr (a whole-block allocation).
    static SlabCache* cache_of(const void* object);

    // Walks every slab; false on a broken invariant (for tests).
    bool check_invariants() const;

private:
    using SlabList = IntrusiveList<Slab, &Slab::node>;
    static constexpr usize kMinObjectsPerSlab = 8;
    // Empty slabs kept for the next allocation instead of going back at once: avoids page churn.
    static constexpr usize kEmptySlabsKept = 1;

    Result<Slab*> grow();
    void release(Slab& slab);
    usize header_size() const;

    const char* m_name;
    usize m_object_size;
    unsigned m_order { 0 };
    usize m_objects_per_slab { 0 };
    usize m_objects_in_use { 0 };
    SlabList m_partial, m_full, m_empty;
};

} // namespace mm
