// MappedPages: a PageCache as mappings see it (Linux's struct address_space with its i_mmap list): the cache
// and the areas that map it, so that pages leaving the cache (truncate, a punched hole) leave every mapping
// too, and write-back can write-protect a page everywhere before it writes it. Shared anonymous memory
// (mm/shared_memory.hpp) and every mapped file (FileMapping below) are one.
#pragma once

#include "mm/page_cache.hpp"
#include "mm/vm_area.hpp"

namespace mm {

class MappedPages : public VmBacking {
public:
    ~MappedPages() override;

    PhysAddr existing_page(u64 index) const override { return m_cache.find(index); }
    void attach(VmArea& area) override;
    void detach(VmArea& area) override;

    // Unmaps the pages at [first, first + count) from every area, then drops them from the cache; count kNone
    // means all from `first`. Truncation drops the private copies made from them too (Linux's even_cows); a
    // punched hole keeps them, as Linux's shmem does.
    enum class Copies : u8 { Drop, Keep };
    void remove_pages(u64 first, u64 count = PageCache::kNone, Copies copies = Copies::Drop);
    // Write-protects page `index` in every shared area, so that the next write through a mapping faults.
    void write_protect(u64 index);

    PageCache& cache() { return m_cache; }
    const PageCache& cache() const { return m_cache; }
    usize area_count() const { return m_areas.size(); }

protected:
    // `cache` must outlive this object (it may be a member of the derived class, constructed after it).
    explicit MappedPages(PageCache& cache) : m_cache(cache) {}

private:
    // The page range [first, first + count) of the backing that `area` maps, as addresses; false when none.
    static bool range_in(const VmArea& area, u64 first, u64 count, uptr& start, uptr& end);

    PageCache& m_cache;
    IntrusiveList<VmArea, &VmArea::m_backing_node> m_areas;
};

// What a file offers the mapping of its pages; the filesystem's inode implements it.
class MappedFile {
public:
    // Keeps the file, and so its cache, alive while an area maps it (the inode's reference count).
    virtual void pin() = 0;
    virtual void unpin() = 0;
    virtual u64 size() const = 0;
    // Whether the pages are written back to a store: shared writable mappings then track dirty pages.
    virtual bool has_store() const { return false; }
    // Writes page `index` back to the store (for write-back and msync); EIO.
    virtual Result<void> write_page(u64, const u8*) { return {}; }
    // Reads pages [first, first + count) from the store into `frames`, zero-filled pages the cache takes
    // once they are read (the part of the last one past the end of the file stays zero); EIO. Asked only
    // when has_store(); count is at most ReadAhead::kMaxWindow.
    virtual Result<void> read_pages(u64, const PhysAddr*, usize) { return Errno::IO; }
    // A fault added page `index` to the cache (a hole of a tmpfs file: its blocks change).
    virtual void page_added(u64) {}
    // MADV_REMOVE's hole punch (fallocate's FALLOC_FL_PUNCH_HOLE); EOPNOTSUPP by default.
    virtual Result<void> punch_hole(u64, u64) { return Errno::OPNOTSUPP; }

protected:
    ~MappedFile() = default;
};

// Sequential read-ahead (Linux's file_ra_state, simplified): a reader that goes on where it stopped, or where
// the last window read in ends, doubles the pages a miss reads in, from kInitialWindow to kMaxWindow; any
// other miss starts over. One per open file for read(2), one per file for faults through its mappings (whose
// fault-around maps a window's pages without asking for them one by one).
struct ReadAhead {
    static constexpr u32 kInitialWindow = 4, kMaxWindow = 32; // 16 KiB, then up to 128 KiB per read
    u64 next { 0 };   // the page after the last one asked for
    u64 end { 0 };    // the page after the last window
    u32 window { 0 }; // pages the last miss read in; 0 before the first

    // How many pages to read in at `index`, a miss while reading `wanted` pages from there.
    u32 on_miss(u64 index, u64 wanted)
    {
        bool sequential = window && (index == next || index == end);
        u64 size = sequential ? u64 { window } * 2 : kInitialWindow;
        if (size < wanted)
            size = wanted;
        window = static_cast<u32>(size < kMaxWindow ? size : kMaxWindow);
        end = index + window;
        return window;
    }
};

// The pages of one file as mmap and read(2) see them; lives as long as the file it belongs to. A file with a
// store (has_store) is read into the cache on a miss with read-ahead; without one its cache is its data.
class FileMapping final : public MappedPages {
public:
    FileMapping(PageCache& cache, MappedFile& file) : MappedPages(cache), m_file(file) {}

    // A fault's page: NXIO (SIGBUS) for a page wholly past the end of the file, as Linux; EIO from the store.
    Result<PhysAddr> page(u64 index) override { return read_page(index, m_fault_ahead); }
    // The page at `index`, read in from the store on a miss with the pages `ahead` asks for (`wanted`: how
    // many the caller is about to read); NXIO past the end, EIO, ENOMEM.
    Result<PhysAddr> read_page(u64 index, ReadAhead& ahead, u64 wanted = 1);
    // read(2) through the cache: up to `count` bytes at `offset`, stopping at the end of the file. The bytes
    // copied, or the error when not even one was (EIO from the store, EFAULT from `to`).
    Result<usize> read(u64 offset, OutBuffer& to, usize count, ReadAhead& ahead);
    // write(2) through the cache: a page only partly written is read in first when the store has it. The
    // bytes stored (the file's size is the caller's), or the error when not even one was.
    Result<usize> write(u64 offset, InBuffer& from, usize count, ReadAhead& ahead);
    // A mapping may reach past the end of the file: that part faults with SIGBUS until the file grows.
    Result<void> resize(u64) override { return {}; }
    Result<void> punch_hole(u64 first, u64 count) override { return m_file.punch_hole(first, count); }
    bool tracks_dirty() const override { return m_file.has_store(); }
    bool is_dirty(u64 index) const override { return cache().is_dirty(index); }
    void mark_dirty(u64 index) override { cache().set_dirty(index, true); }
    Result<void> sync(u64 first, u64 count) override { return write_back(first, count); }
    // The file's references, not a count of the mapping's own: it is a part of the file.
    void ref() override { m_file.pin(); }
    void unref() override { m_file.unpin(); }

    // Writes the dirty pages among [first, first + count) back (msync, fsync), each write-protected in
    // every mapping first so that a later write marks it again. The first error, after trying them all.
    Result<void> write_back(u64 first, u64 count = PageCache::kNone);

private:
    // Reads pages from `index` (a miss, below the end of the file) into the cache, at most `count` and not
    // past the end or the next cached page; the cache's frame at `index`.
    Result<PhysAddr> fill(u64 index, u32 count);
    // Pages the file's size reaches into (a last partial one counts).
    u64 file_pages() const { return (m_file.size() + arch::kPageBytes - 1) / arch::kPageBytes; }

    MappedFile& m_file;
    ReadAhead m_fault_ahead;
};

} // namespace mm
