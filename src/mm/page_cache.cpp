// The page cache's radix tree. Level 0 nodes hold frames, higher ones hold children; a node is freed as soon
// as it holds nothing, so an empty subtree is never walked. Frames are reached through the direct map.
#include "mm/page_cache.hpp"

#include "arch/arch.hpp"
#include "lib/own_ptr.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

namespace mm {

struct PageCache::Node {
    union Slot {
        Node* child;
        PhysAddr frame;
    };
    Slot slots[kSlots] {};
    u16 used { 0 };
};

namespace {

// Indices one slot of a node at `level` spans: 64^level (a page at level 0). Levels stop at 8, so no overflow.
u64 span_of_level(unsigned level) { return u64 { 1 } << (PageCache::kSlotShift * level); }

} // namespace

u8* PageCache::bytes_of(PhysAddr frame) { return static_cast<u8*>(arch::phys_to_virt(frame, kPageSize)); }

bool PageCache::covers(u64 index) const
{
    if (m_height == 0)
        return false;
    unsigned bits = kSlotShift * m_height;
    return bits >= 64 || (index >> bits) == 0;
}

PhysAddr* PageCache::slot_of(u64 index) const
{
    if (!covers(index))
        return nullptr;
    Node* node = m_root;
    for (unsigned level = m_height - 1; level > 0; --level) {
        node = node->slots[digit(index, level)].child;
        if (!node)
            return nullptr;
    }
    return &node->slots[digit(index, 0)].frame;
}

PhysAddr PageCache::find(u64 index) const
{
    PhysAddr* slot = slot_of(index);
    return slot ? *slot & ~kDirtyTag : 0;
}

bool PageCache::is_dirty(u64 index) const
{
    PhysAddr* slot = slot_of(index);
    return slot && (*slot & kDirtyTag);
}

void PageCache::set_dirty(u64 index, bool dirty)
{
    PhysAddr* slot = slot_of(index);
    if (slot && *slot)
        *slot = dirty ? *slot | kDirtyTag : *slot & ~kDirtyTag;
}

u64 PageCache::next_dirty(u64 from) const
{
    for (u64 index = next_index(from); index != kNone; index = index == kMaxIndex ? kNone : next_index(index + 1)) {
        if (is_dirty(index))
            return index;
    }
    return kNone;
}

Result<void> PageCache::grow_to_cover(u64 index)
{
    if (!m_root) {
        auto root = TRY(make_own<Node>());
        m_root = root.leak();
        m_height = 1;
        while (!covers(index))
            ++m_height;
        return {};
    }
    while (!covers(index)) {
        // A new root over the old one: failing here still leaves a whole tree, one level taller.
        auto root = TRY(make_own<Node>());
        Node* raw = root.leak();
        raw->slots[0].child = m_root;
        raw->used = 1;
        m_root = raw;
        ++m_height;
    }
    return {};
}

Result<PhysAddr> PageCache::find_or_create(u64 index)
{
    if (index > kMaxIndex)
        return Errno::INVAL;
    if (PhysAddr frame = find(index))
        return frame;
    // Charged first: a full tmpfs refuses with ENOSPC before a page is allocated and cleared for nothing.
    if (m_account)
        TRY(m_account->charge());
    auto allocated = page_allocator().allocate(0);
    if (allocated.is_error()) {
        if (m_account)
            m_account->uncharge();
        return Errno::NOMEM;
    }
    fill_bytes(bytes_of(allocated.value()), 0, kPageSize);
    return place(index, allocated.value());
}

Result<PhysAddr> PageCache::add(u64 index, PhysAddr frame)
{
    if (index > kMaxIndex) {
        page_allocator().unref(frame);
        return Errno::INVAL;
    }
    if (PhysAddr present = find(index)) {
        page_allocator().unref(frame);
        return present;
    }
    if (m_account) {
        if (auto charged = m_account->charge(); charged.is_error()) {
            page_allocator().unref(frame);
            return charged.error();
        }
    }
    return place(index, frame);
}

Result<PhysAddr> PageCache::place(u64 index, PhysAddr frame)
{
    bool placed = !grow_to_cover(index).is_error();
    Node* node = m_root;
    for (unsigned level = m_height - 1; placed && level > 0; --level) {
        Node::Slot& slot = node->slots[digit(index, level)];
        if (!slot.child) {
            auto child = make_own<Node>();
            if (child.is_error()) {
                placed = false;
                break;
            }
            slot.child = child.value().leak();
            ++node->used;
        }
        node = slot.child;
    }
    if (!placed) {
        page_allocator().unref(frame);
        if (m_account)
            m_account->uncharge();
        remove(index); // frees the empty nodes made on the way
        return Errno::NOMEM;
    }
    node->slots[digit(index, 0)].frame = frame;
    ++node->used;
    ++m_pages;
    return frame;
}

void PageCache::remove_in(Node* node, unsigned level, u64 base, u64 first, u64 last)
{
    u64 span = span_of_level(level);
    unsigned start = first > base ? static_cast<unsigned>((first - base) / span) : 0;
    for (unsigned i = start; i < kSlots; ++i) {
        u64 child_base = base + i * span;
        if (child_base > last)
            break;
        Node::Slot& slot = node->slots[i];
        if (level == 0) {
            if (!slot.frame)
                continue;
            page_allocator().unref(slot.frame & ~kDirtyTag); // a mapping's reference keeps the frame alive
            if (m_account)
                m_account->uncharge();
            slot.frame = 0;
            --node->used;
            --m_pages;
            continue;
        }
        if (!slot.child)
            continue;
        remove_in(slot.child, level - 1, child_base, first, last);
        if (slot.child->used == 0) {
            OwnPtr<Node> owner(slot.child);
            slot.child = nullptr;
            --node->used;
        }
    }
}

void PageCache::remove(u64 first, u64 count)
{
    if (!m_root || !covers(first) || count == 0)
        return;
    u64 last = count > kNone - first ? kNone : first + count - 1;
    remove_in(m_root, m_height - 1, 0, first, last);
    if (m_root->used == 0) {
        OwnPtr<Node> owner(m_root);
        m_root = nullptr;
        m_height = 0;
    }
}

u64 PageCache::next_in(const Node* node, unsigned level, u64 base, u64 from) const
{
    u64 span = span_of_level(level);
    unsigned start = from > base ? static_cast<unsigned>((from - base) / span) : 0;
    for (unsigned i = start; i < kSlots; ++i) {
        u64 child_base = base + i * span;
        const Node::Slot& slot = node->slots[i];
        if (level == 0) {
            if (slot.frame)
                return child_base;
            continue;
        }
        if (!slot.child)
            continue; // an empty subtree: skipped whole
        u64 found = next_in(slot.child, level - 1, child_base, from > child_base ? from : child_base);
        if (found != kNone)
            return found;
    }
    return kNone;
}

u64 PageCache::next_index(u64 from) const
{
    if (!m_root || !covers(from))
        return kNone;
    return next_in(m_root, m_height - 1, 0, from);
}

namespace {

// The bytes from `within` a page to its end, or fewer when only `left` are wanted.
usize chunk_in_page(usize within, usize left) { return kPageSize - within < left ? kPageSize - within : left; }

} // namespace

usize PageCache::read(u64 offset, OutBuffer& to, usize count) const
{
    usize done = 0;
    while (done < count) {
        usize within = static_cast<usize>(offset & (kPageSize - 1));
        usize chunk = chunk_in_page(within, count - done);
        PhysAddr frame = find(offset >> kPageShift);
        usize put = frame ? to.put(bytes_of(frame) + within, chunk) : to.put_zeros(chunk);
        done += put;
        if (put < chunk)
            break;
        offset += chunk;
    }
    return done;
}

Result<usize> PageCache::write(u64 offset, InBuffer& from, usize count)
{
    usize done = 0;
    while (done < count) {
        usize within = static_cast<usize>(offset & (kPageSize - 1));
        usize chunk = chunk_in_page(within, count - done);
        auto frame = find_or_create(offset >> kPageShift);
        if (frame.is_error()) {
            if (done > 0)
                return done;
            return frame.error();
        }
        usize taken = from.take(bytes_of(frame.value()) + within, chunk);
        if (taken)
            set_dirty(offset >> kPageShift, true);
        done += taken;
        if (taken < chunk)
            break;
        offset += chunk;
    }
    return done;
}

void PageCache::truncate(u64 size)
{
    u64 first_whole = (size >> kPageShift) + ((size & (kPageSize - 1)) != 0 ? 1 : 0);
    remove_from(first_whole);
    usize within = static_cast<usize>(size & (kPageSize - 1));
    if (within != 0) {
        if (PhysAddr frame = find(size >> kPageShift))
            fill_bytes(bytes_of(frame) + within, 0, kPageSize - within);
    }
}

u64 PageCache::check_node(const Node* node, unsigned level, bool& ok) const
{
    u64 pages = 0;
    unsigned used = 0;
    for (const Node::Slot& slot : node->slots) {
        if (level == 0) {
            if (slot.frame) {
                ++used;
                ++pages;
                if (page_allocator().refcount(slot.frame & ~kDirtyTag) == 0)
                    ok = false;
            }
        } else if (slot.child) {
            ++used;
            if (slot.child->used == 0)
                ok = false; // empty nodes are freed at once
            pages += check_node(slot.child, level - 1, ok);
        }
    }
    if (used != node->used)
        ok = false;
    return pages;
}

bool PageCache::check_invariants() const
{
    if (!m_root)
        return m_height == 0 && m_pages == 0;
    bool ok = m_root->used != 0 && m_height > 0;
    return check_node(m_root, m_height - 1, ok) == m_pages && ok;
}

} // namespace mm
