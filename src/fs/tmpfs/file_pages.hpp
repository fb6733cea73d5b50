// FilePages: a tmpfs file's data, held in an mm::PageCache (tmpfs's pages are the cache and are never written
// back). Holes (pages never written, or cut away by truncate) read as zeros and hold no memory, so a sparse
// file costs only what it stores. Each page is charged to the filesystem's size limit.
#pragma once

#include "lib/result.hpp"
#include "mm/io_buffer.hpp"
#include "mm/page_cache.hpp"

namespace fs::tmpfs {

// The page budget of one tmpfs instance (its size= option); 0 pages means no limit.
class PageBudget final : public mm::PageAccount {
public:
    explicit PageBudget(u64 max_pages)
        : m_max_pages(max_pages)
    {
    }
    u64 max_pages() const { return m_max_pages; }
    u64 used_pages() const { return m_used_pages; }
    // Charges one page; ENOSPC when the limit is reached.
    Result<void> charge() override;
    void uncharge() override { --m_used_pages; }

private:
    u64 m_max_pages;
    u64 m_used_pages { 0 };
};

class FilePages {
public:
    explicit FilePages(PageBudget& budget)
        : m_cache(&budget)
    {
    }
    FilePages(const FilePages&) = delete;
    FilePages& operator=(const FilePages&) = delete;

    // Copies [offset, offset + count) to `to`, zeros for holes; returns how many bytes went before a fault in
    // `to`. The caller clamps the range to the size.
    usize read(u64 offset, mm::OutBuffer& to, usize count) const { return m_cache.read(offset, to, count); }
    // Stores `count` bytes from `from` at `offset`, allocating pages as needed; returns how many were stored
    // before the budget or memory ran out or `from` faulted (ENOSPC or ENOMEM when the first page could not be
    // had).
    Result<usize> write(u64 offset, mm::InBuffer& from, usize count) { return m_cache.write(offset, from, count); }
    // Frees every page wholly at or past `size` and zeros the rest of the page `size` falls in, so that a
    // later extension reads zeros there (truncate(2)).
    void truncate(u64 size) { m_cache.truncate(size); }
    u64 page_count() const { return m_cache.page_count(); }
    // The first byte at or after `offset` in a page that holds data, or kNone (for SEEK_DATA).
    static constexpr u64 kNone = ~u64 { 0 };
    u64 next_data(u64 offset) const;
    // The first byte at or after `offset` in a hole (for SEEK_HOLE; the end of file counts as one).
    u64 next_hole(u64 offset) const;

    mm::PageCache& cache() { return m_cache; }

private:
    mm::PageCache m_cache;
};

} // namespace fs::tmpfs
