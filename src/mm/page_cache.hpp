// PageCache: the pages of one file-like object (a tmpfs file, a shared anonymous segment), keyed by page index
// in a radix tree of 64-slot nodes whose height grows with the largest index. The cache holds one reference
// on each frame (the page allocator's PageFrame::refcount, the one copy-on-write uses); a mapping that takes
// its own keeps the frame alive after the cache lets it go.
#pragma once

#include "lib/result.hpp"
#include "mm/buddy.hpp"
#include "mm/io_buffer.hpp"

namespace mm {

// Who pays for the pages of a cache: charge() before a page is added (ENOSPC or any error refuses it),
// uncharge() when the cache lets one go. A tmpfs size= limit, or the Shmem counter.
class PageAccount {
public:
    virtual Result<void> charge() = 0;
    virtual void uncharge() = 0;

protected:
    ~PageAccount() = default;
};

class PageCache {
public:
    static constexpr unsigned kSlotShift = 6;
    static constexpr unsigned kSlots = 1u << kSlotShift;
    static constexpr u64 kNone = ~u64 { 0 };
    // Page indices of byte offsets below 2^64.
    static constexpr u64 kMaxIndex = (~u64 { 0 }) >> kPageShift;

    // `account` may be null: nobody is charged.
    explicit PageCache(PageAccount* account = nullptr)
        : m_account(account)
    {
    }
    ~PageCache() { remove_from(0); }
    PageCache(const PageCache&) = delete;
    PageCache& operator=(const PageCache&) = delete;

    // The frame at `index`, or 0 when the cache holds none.
    PhysAddr find(u64 index) const;
    // The frame at `index`, a new zero-filled one when there was none; ENOMEM, EINVAL past kMaxIndex, or the
    // account's error. A failure leaves the cache as it was.
    Result<PhysAddr> find_or_create(u64 index);
    // Puts `frame`, a page whose one reference the cache takes over, at `index` unless the cache holds one
    // there already (then `frame` is released): a page read from a store goes in only once it is filled, so
    // nobody sees it half read. Returns the frame now at `index`. ENOMEM or the account's error release it too.
    Result<PhysAddr> add(u64 index, PhysAddr frame);
    // Drops the cache's reference on the pages at [first, first + count) (all from `first` when count is
    // kNone); a frame some mapping still references lives on until its last reference goes.
    void remove(u64 first, u64 count = 1);
    void remove_from(u64 first) { remove(first, kNone); }
    // The first index at or after `from` that holds a page, or kNone; empty subtrees are skipped whole.
    u64 next_index(u64 from) const;
    u64 page_count() const { return m_pages; }

    // Byte-level access for read()/write() and truncate(): holes read as zeros.
    // Copies [offset, offset + count) to `to`; returns the bytes that went before `to` faulted.
    usize read(u64 offset, OutBuffer& to, usize count) const;
    // Stores `count` bytes from `from` at `offset`, creating pages as needed; returns how many were stored
    // before a page could not be had or `from` faulted (the error when not even one byte was).
    Result<usize> write(u64 offset, InBuffer& from, usize count);
    // Drops every page wholly at or past `size` and zeros the rest of the page `size` falls in (truncate(2)).
    void truncate(u64 size);

    // Dirty tags: a page changed since it was last written back (write() and writes through shared mappings
    // set them; write-back clears them). A cache with no store behind it (tmpfs) keeps them set for good.
    bool is_dirty(u64 index) const;
    // Sets or clears the tag of a page the cache holds; nothing when it holds none.
    void set_dirty(u64 index, bool dirty);
    // The first dirty index at or after `from`, or kNone.
    u64 next_dirty(u64 from) const;

    // Walks the tree; false when a node's count or the page count disagrees with its slots (tests, fuzzer).
    bool check_invariants() const;

private:
    struct Node;

    // A level-0 slot holds a frame address; its low bit, free in a page-aligned address, is the dirty tag.
    static constexpr PhysAddr kDirtyTag = 1;

    static u8* bytes_of(PhysAddr frame);
    // The level-0 slot of `index`, or nullptr when no node covers it.
    PhysAddr* slot_of(u64 index) const;
    unsigned digit(u64 index, unsigned level) const { return (index >> (kSlotShift * level)) & (kSlots - 1); }
    // Pages the tree of the current height can index.
    bool covers(u64 index) const;
    Result<void> grow_to_cover(u64 index);
    // Enters `frame`, already charged, at the free slot `index`; on ENOMEM releases it and the charge.
    Result<PhysAddr> place(u64 index, PhysAddr frame);
    void remove_in(Node* node, unsigned level, u64 base, u64 first, u64 last);
    u64 next_in(const Node* node, unsigned level, u64 base, u64 from) const;
    void prune_path(u64 index);
    u64 check_node(const Node* node, unsigned level, bool& ok) const;

    PageAccount* m_account;
    Node* m_root { nullptr };
    unsigned m_height { 0 }; // levels of nodes; 0 when empty, 1 when the root holds frames
    u64 m_pages { 0 };
};

} // namespace mm
