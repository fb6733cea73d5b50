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
    // A fault added page `index` to the cache (a hole of a tmpfs file: its blocks change).
    virtual void page_added(u64) {}
    // MADV_REMOVE's hole punch (fallocate's FALLOC_FL_PUNCH_HOLE); EOPNOTSUPP by default.
    virtual Result<void> punch_hole(u64, u64) { return Errno::OPNOTSUPP; }

protected:
    ~MappedFile() = default;
};

// The pages of one file as mmap sees them; lives as long as the file it belongs to.
class FileMapping final : public MappedPages {
public:
    FileMapping(PageCache& cache, MappedFile& file) : MappedPages(cache), m_file(file) {}

    // NXIO (SIGBUS) for a page wholly past the end of the file, as Linux.
    Result<PhysAddr> page(u64 index) override;
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
    MappedFile& m_file;
};

} // namespace mm
