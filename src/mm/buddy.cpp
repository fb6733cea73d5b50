// Binary buddy allocator (Knuth, TAOCP vol. 1 §2.5). Blocks are aligned to their size in frame numbers, so
// a block's buddy is its frame number with bit `order` flipped, and merging needs no search.
#include "mm/buddy.hpp"
#include "mm/fault_injection.hpp"

#include "kernel/panic.hpp"

namespace mm {

using State = PageFrame::State;

void BuddyAllocator::init(PageFrame* frames, u32 first_frame, usize count)
{
    m_frames = frames;
    m_first_frame = first_frame;
    m_count = count;
    m_managed_pages = m_free_pages = 0;
    for (auto& list : m_free_lists)
        list.forget_all(); // the old descriptors may be gone; the new ones are initialised below
    for (usize i = 0; i < count; ++i)
        new (&frames[i]) PageFrame {};
}

void BuddyAllocator::push_free(u32 frame_number, unsigned order)
{
    PageFrame& frame = at(frame_number);
    frame.state = State::Free;
    frame.order = static_cast<u8>(order);
    frame.refcount = 0;
    m_free_lists[order].push_back(frame);
}

void BuddyAllocator::add_free(u64 start, u64 end)
{
    u64 first = (start + kPageSize - 1) >> kPageShift;
    u64 last = end >> kPageShift; // one past
    if (first < m_first_frame)
        first = m_first_frame;
    if (last > m_first_frame + m_count)
        last = m_first_frame + m_count;
    for (u64 number = first; number < last; ++number) {
        PageFrame& frame = at(static_cast<u32>(number));
        if (frame.state != State::Reserved)
            panic("buddy: frame %#llx handed to the allocator twice", static_cast<unsigned long long>(number));
        // Hand each page over as an allocated one and free it: freeing is what merges buddies.
        frame.state = State::Allocated;
        frame.order = 0;
        frame.refcount = 1;
        ++m_managed_pages;
        free(static_cast<PhysAddr>(number << kPageShift), 0);
    }
}

Result<PhysAddr> BuddyAllocator::allocate(unsigned order)
{
    if (order > kMaxOrder)
        return Errno::INVAL;
    if (allocation_should_fail())
        return Errno::NOMEM;
    unsigned found = order;
    while (found <= kMaxOrder && m_free_lists[found].is_empty())
        ++found;
    if (found > kMaxOrder)
        return Errno::NOMEM;
    PageFrame* head = m_free_lists[found].pop_front();
    u32 number = static_cast<u32>(head - m_frames) + m_first_frame;
    // Split down to the order asked for, returning each upper half to its list.
    while (found > order) {
        --found;
        push_free(number + (1u << found), found);
    }
    head->state = State::Allocated;
    head->order = static_cast<u8>(order);
    head->refcount = 1;
    for (u32 i = 1; i < (1u << order); ++i)
        at(number + i).state = State::Inner;
    m_free_pages -= usize { 1 } << order;
    return static_cast<PhysAddr>(number) << kPageShift;
}

PageFrame& BuddyAllocator::allocated_head(PhysAddr block, const char* operation) const
{
    u32 number = block >> kPageShift;
    if (block & (kPageSize - 1) || !describes(number) || at(number).state != State::Allocated)
        panic("buddy: %s of %#x, which is not an allocated block", operation, block);
    return at(number);
}

void BuddyAllocator::free(PhysAddr block, unsigned order)
{
    PageFrame& head = allocated_head(block, "free");
    if (head.order != order)
        panic("buddy: free of %#x with order %u, allocated with order %u", block, order, head.order);
    u32 number = block >> kPageShift;
    m_free_pages += usize { 1 } << order;
    head.state = State::Inner;
    while (order < kMaxOrder) {
        u32 buddy = number ^ (1u << order);
        if (!describes(buddy) || !describes(buddy + (1u << order) - 1))
            break;
        PageFrame& other = at(buddy);
        if (other.state != State::Free || other.order != order)
            break;
        m_free_lists[order].remove(other);
        other.state = State::Inner;
        number = number < buddy ? number : buddy;
        ++order;
    }
    push_free(number, order);
}

void BuddyAllocator::ref(PhysAddr block) { ++allocated_head(block, "ref").refcount; }

bool BuddyAllocator::unref(PhysAddr block)
{
    PageFrame& head = allocated_head(block, "unref");
    if (--head.refcount > 0)
        return false;
    head.refcount = 1; // free() expects a live block
    free(block, head.order);
    return true;
}

u32 BuddyAllocator::refcount(PhysAddr block) const { return allocated_head(block, "refcount").refcount; }

PageFrame* BuddyAllocator::frame_of(PhysAddr address) const
{
    u32 number = address >> kPageShift;
    return describes(number) ? &at(number) : nullptr;
}

PhysAddr BuddyAllocator::address_of(const PageFrame& frame) const
{
    return static_cast<PhysAddr>((&frame - m_frames) + m_first_frame) << kPageShift;
}

bool BuddyAllocator::check_invariants() const
{
    usize free_pages = 0, managed = 0;
    for (unsigned order = 0; order <= kMaxOrder; ++order) {
        // Casting away const only to iterate: the list is not changed.
        for (auto& frame : const_cast<FreeList&>(m_free_lists[order])) {
            u32 number = static_cast<u32>(&frame - m_frames) + m_first_frame;
            if (frame.state != State::Free || frame.order != order || number & ((1u << order) - 1))
                return false;
            if (!describes(number + (1u << order) - 1))
                return false;
            // A free block whose buddy is free at the same order should have merged.
            u32 buddy = number ^ (1u << order);
            if (order < kMaxOrder && describes(buddy) && describes(buddy + (1u << order) - 1)
                && at(buddy).state == State::Free && at(buddy).order == order)
                return false;
            free_pages += usize { 1 } << order;
        }
    }
    // Every non-reserved frame belongs to exactly one block; walk blocks in frame order.
    for (usize i = 0; i < m_count;) {
        const PageFrame& frame = m_frames[i];
        if (frame.state == State::Reserved) {
            ++i;
            continue;
        }
        if (frame.state == State::Inner)
            return false; // a block must start here
        if (frame.state == State::Allocated && frame.refcount == 0)
            return false;
        usize size = usize { 1 } << frame.order;
        if (i + size > m_count)
            return false;
        for (usize j = 1; j < size; ++j)
            if (m_frames[i + j].state != State::Inner)
                return false;
        managed += size;
        i += size;
    }
    return free_pages == m_free_pages && managed == m_managed_pages;
}

} // namespace mm
