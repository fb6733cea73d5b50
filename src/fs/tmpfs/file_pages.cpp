// Sparse page storage for tmpfs files. Pages come from the page allocator and are reached through the direct
// map (arch::phys_to_virt), as the page cache's would be.
#include "fs/tmpfs/file_pages.hpp"

#include "arch/arch.hpp"
#include "lib/own_ptr.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"

namespace fs::tmpfs {

Result<void> PageBudget::charge()
{
    if (m_max_pages != 0 && m_used_pages >= m_max_pages)
        return Errno::NOSPC;
    ++m_used_pages;
    return {};
}

FilePages::~FilePages() { truncate(0); }

u8* FilePages::bytes_of(const Page& page) { return static_cast<u8*>(arch::phys_to_virt(page.frame, mm::kPageSize)); }

usize FilePages::read(u64 offset, mm::OutBuffer& to, usize count) const
{
    usize done = 0;
    while (done < count) {
        u64 index = offset >> mm::kPageShift;
        usize within = static_cast<usize>(offset & (mm::kPageSize - 1));
        usize chunk = mm::kPageSize - within;
        if (chunk > count - done)
            chunk = count - done;
        const Page* page = m_pages.find(index);
        usize put = page ? to.put(bytes_of(*page) + within, chunk) : to.put_zeros(chunk);
        done += put;
        if (put < chunk)
            break;
        offset += chunk;
    }
    return done;
}

Result<FilePages::Page*> FilePages::page_for_write(u64 index)
{
    if (Page* page = m_pages.find(index))
        return page;
    TRY(m_budget.charge());
    auto frame = mm::page_allocator().allocate(0);
    if (frame.is_error()) {
        m_budget.uncharge();
        return Errno::NOMEM;
    }
    auto page = make_own<Page>();
    if (page.is_error()) {
        mm::page_allocator().free(frame.value(), 0);
        m_budget.uncharge();
        return Errno::NOMEM;
    }
    Page* raw = page.value().leak();
    raw->index = index;
    raw->frame = frame.value();
    fill_bytes(bytes_of(*raw), 0, mm::kPageSize);
    bool inserted = m_pages.insert(*raw);
    (void)inserted; // the index was absent: find() said so above
    return raw;
}

Result<usize> FilePages::write(u64 offset, mm::InBuffer& from, usize count)
{
    usize done = 0;
    while (done < count) {
        u64 index = offset >> mm::kPageShift;
        usize within = static_cast<usize>(offset & (mm::kPageSize - 1));
        usize chunk = mm::kPageSize - within;
        if (chunk > count - done)
            chunk = count - done;
        auto page = page_for_write(index);
        if (page.is_error()) {
            if (done > 0)
                return done;
            return page.error();
        }
        usize taken = from.take(bytes_of(*page.value()) + within, chunk);
        done += taken;
        if (taken < chunk)
            break;
        offset += chunk;
    }
    return done;
}

void FilePages::free_page(Page& page)
{
    m_pages.remove(page);
    mm::page_allocator().free(page.frame, 0);
    m_budget.uncharge();
    OwnPtr<Page> owner(&page);
}

void FilePages::truncate(u64 size)
{
    u64 first_whole = (size + mm::kPageSize - 1) >> mm::kPageShift;
    while (Page* page = m_pages.lower_bound(first_whole))
        free_page(*page);
    usize within = static_cast<usize>(size & (mm::kPageSize - 1));
    if (within != 0) {
        if (Page* page = m_pages.find(size >> mm::kPageShift))
            fill_bytes(bytes_of(*page) + within, 0, mm::kPageSize - within);
    }
}

u64 FilePages::next_data(u64 offset) const
{
    const Page* page = m_pages.lower_bound(offset >> mm::kPageShift);
    if (!page)
        return kNone;
    u64 start = page->index << mm::kPageShift;
    return start > offset ? start : offset;
}

u64 FilePages::next_hole(u64 offset) const
{
    u64 index = offset >> mm::kPageShift;
    const Page* page = m_pages.find(index);
    if (!page)
        return offset;
    while (const Page* next = m_pages.next(*page)) {
        if (next->index != page->index + 1)
            break;
        page = next;
    }
    return (page->index + 1) << mm::kPageShift;
}

} // namespace fs::tmpfs
