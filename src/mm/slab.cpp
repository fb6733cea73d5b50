// Slab caches. Each page of a slab points at the slab's header through its frame descriptor (PageFrame::owner),
// so freeing an object finds its cache without trusting the object's virtual alignment.
#include "mm/slab.hpp"
#include "mm/fault_injection.hpp"

#include "arch/arch.hpp"
#include "kernel/panic.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

namespace {

constexpr usize kObjectAlignment = 8;

usize round_up(usize value, usize alignment) { return (value + alignment - 1) / alignment * alignment; }

} // namespace

SlabCache::SlabCache(const char* name, usize object_size)
    : m_name(name)
    , m_object_size(round_up(object_size < sizeof(void*) ? sizeof(void*) : object_size, kObjectAlignment))
{
    while (m_order < BuddyAllocator::kMaxOrder
        && ((kPageSize << m_order) - header_size()) / m_object_size < kMinObjectsPerSlab)
        ++m_order;
    m_objects_per_slab = ((kPageSize << m_order) - header_size()) / m_object_size;
}

void SlabCache::forget_all_slabs()
{
    m_partial.forget_all();
    m_full.forget_all();
    m_empty.forget_all();
    m_objects_in_use = 0;
}

usize SlabCache::header_size() const { return round_up(sizeof(Slab), kObjectAlignment); }

Result<Slab*> SlabCache::grow()
{
    PhysAddr block = TRY(page_allocator().allocate(m_order));
    usize bytes = kPageSize << m_order;
    auto* base = static_cast<u8*>(arch::phys_to_virt(block, bytes));
    if (!base) {
        page_allocator().free(block, m_order);
        return Errno::NOMEM;
    }
    auto* slab = new (base) Slab { {}, this, nullptr, block, 0 };
    // Thread the free list from the last object down so allocation hands out ascending addresses.
    u8* objects = base + header_size();
    for (usize i = m_objects_per_slab; i-- > 0;) {
        void* object = objects + i * m_object_size;
        *static_cast<void**>(object) = slab->free_list;
        slab->free_list = object;
    }
    for (usize page = 0; page < (usize { 1 } << m_order); ++page)
        page_allocator().frame_of(static_cast<PhysAddr>(block + page * kPageSize))->owner = slab;
    return slab;
}

void SlabCache::release(Slab& slab)
{
    PhysAddr block = slab.block;
    for (usize page = 0; page < (usize { 1 } << m_order); ++page)
        page_allocator().frame_of(static_cast<PhysAddr>(block + page * kPageSize))->owner = nullptr;
    page_allocator().free(block, m_order);
}

Result<void*> SlabCache::allocate()
{
    if (allocation_should_fail())
        return Errno::NOMEM;
    Slab* slab = m_partial.front();
    if (!slab) {
        slab = m_empty.pop_front();
        if (!slab)
            slab = TRY(grow());
        m_partial.push_back(*slab);
    }
    void* object = slab->free_list;
    slab->free_list = *static_cast<void**>(object);
    ++slab->in_use;
    ++m_objects_in_use;
    if (slab->in_use == m_objects_per_slab) {
        m_partial.remove(*slab);
        m_full.push_back(*slab);
    }
    return object;
}

SlabCache* SlabCache::cache_of(const void* object)
{
    PageFrame* frame = page_allocator().frame_of(arch::virt_to_phys(object));
    return frame && frame->owner ? static_cast<Slab*>(frame->owner)->cache : nullptr;
}

void SlabCache::free(void* object)
{
    PageFrame* frame = page_allocator().frame_of(arch::virt_to_phys(object));
    auto* slab = frame ? static_cast<Slab*>(frame->owner) : nullptr;
    if (!slab || slab->cache != this)
        panic("slab %s: free of %p, which is not one of its objects", m_name, object);
    auto* first = reinterpret_cast<u8*>(slab) + header_size();
    auto offset = static_cast<usize>(static_cast<u8*>(object) - first);
    if (static_cast<u8*>(object) < first || offset % m_object_size || offset / m_object_size >= m_objects_per_slab)
        panic("slab %s: free of %p, which is not the start of an object", m_name, object);

    bool was_full = slab->in_use == m_objects_per_slab;
    *static_cast<void**>(object) = slab->free_list;
    slab->free_list = object;
    --slab->in_use;
    --m_objects_in_use;
    if (was_full) {
        m_full.remove(*slab);
        m_partial.push_back(*slab);
    }
    if (slab->in_use == 0) {
        m_partial.remove(*slab);
        if (m_empty.size() < kEmptySlabsKept)
            m_empty.push_back(*slab);
        else
            release(*slab);
    }
}

void SlabCache::shrink()
{
    while (Slab* slab = m_empty.pop_front())
        release(*slab);
}

bool SlabCache::check_invariants() const
{
    usize in_use = 0;
    auto check_list = [&](const SlabList& list, bool (*fits)(usize, usize)) {
        for (auto& slab : const_cast<SlabList&>(list)) {
            if (slab.cache != this || !fits(slab.in_use, m_objects_per_slab))
                return false;
            usize free_count = 0;
            for (void* object = slab.free_list; object; object = *static_cast<void**>(object))
                if (++free_count > m_objects_per_slab)
                    return false; // a cycle: some object was freed twice
            if (free_count + slab.in_use != m_objects_per_slab)
                return false;
            in_use += slab.in_use;
        }
        return true;
    };
    return check_list(m_partial, [](usize used, usize capacity) { return used > 0 && used < capacity; })
        && check_list(m_full, [](usize used, usize capacity) { return used == capacity; })
        && check_list(m_empty, [](usize used, usize) { return used == 0; }) && in_use == m_objects_in_use;
}

} // namespace mm
