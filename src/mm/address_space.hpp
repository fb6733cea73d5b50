// AddressSpace: one process's user memory: its page tables and the ordered set of areas that say what may be
// mapped where. Pages arrive on demand (the fault handler), are shared read-only after fork and copied on the
// first write. The Linux system-call semantics on top of it (validation, errno choices) are in mm/mmap.hpp.
#pragma once

#include "arch/arch.hpp"
#include "lib/own_ptr.hpp"
#include "lib/ref_ptr.hpp"
#include "mm/vm_area.hpp"

namespace mm {

// What the CPU reported about a fault.
struct FaultAccess {
    bool write;   // the access was a write
    bool present; // the page was mapped and the access broke its protection
};

class AddressSpace : public RefCounted<AddressSpace> {
public:
    // Where mmap places mappings without a hint: top-down from below the main stack's reserve, as Linux's
    // legacy-free i386 layout does.
    static constexpr uptr kMmapTop = arch::kUserEnd - 8 * 1024 * 1024;
    static constexpr uptr kMmapBottom = 0x10000; // mmap_min_addr: page zero stays unmapped
    // The gap a growing stack keeps from the area below it (Linux's stack_guard_gap, 256 pages).
    static constexpr uptr kStackGuardGap = 256 * arch::kPageBytes;
    // What a read fault on a file's page maps of its cached neighbours (Linux's fault_around_bytes), so that
    // reading a mapped file faults once per 16 pages, not once per page.
    static constexpr uptr kFaultAround = 16 * arch::kPageBytes;

    // An empty address space; ENOMEM when its page tables cannot be allocated.
    static Result<OwnPtr<AddressSpace>> create();
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    // The child's copy for fork: every area duplicated; private pages shared read-only with reference counts
    // (copied on the first write by either side), shared pages shared as they are. ENOMEM leaves this space
    // unchanged in content (some of its pages may have become read-only, which only costs a later fault).
    Result<OwnPtr<AddressSpace>> fork();

    // --- areas (page-aligned arguments; validation of user input is the caller's, see mm/mmap.hpp) ---
    // Adds an area over [start, end), which must be free. ENOMEM when the area cannot be allocated.
    Result<VmArea*> add_area(uptr start, uptr end, u32 prot, u32 flags, VmBacking* backing = nullptr,
        u64 backing_offset = 0);
    // Removes [start, end) from every area it touches and frees its pages; ENOMEM when an area would have to
    // be split and no memory is left for the second half (nothing is changed then).
    Result<void> remove_range(uptr start, uptr end);
    // Sets the protection of [start, end), which must be fully covered by areas (ENOMEM otherwise, as mprotect).
    Result<void> protect_range(uptr start, uptr end, u32 prot);
    // Sets and clears VmFlags bits on [start, end), which must be covered by areas; ENOMEM as protect_range.
    Result<void> set_flags_range(uptr start, uptr end, u32 set, u32 clear);
    // Drops the pages of [start, end) so they read as zero (private) or as the backing (shared) next time.
    void discard_pages(uptr start, uptr end);
    // Drops only the pages of [start, end) that are the backing's own, keeping private copies made from them.
    void discard_backing_pages(uptr start, uptr end);
    // Moves the pages and area of [old_start, old_start + length) to `new_start`, which must be free.
    Result<void> move_range(uptr old_start, usize length, uptr new_start);
    // Grows the area ending at `end` in place to `new_end`; the space after must be free.
    Result<void> grow_area(VmArea& area, uptr new_end);

    // Writes into private areas whatever their protection, faulting pages in (a file's page is copied): how
    // exec fills a new image and its stack before the program runs. EFAULT outside such areas, ENOMEM, or the
    // backing's error.
    Result<void> write_initial(uptr address, const void* data, usize length);

    // The area containing `address`, or nullptr.
    VmArea* find_area(uptr address) const;
    // The first area ending after `address` (containing it or above it), or nullptr.
    VmArea* first_area_after(uptr address) const;
    // The area after `area`, or nullptr.
    VmArea* next_area(const VmArea& area) const { return m_areas.next(area); }
    // True when no area overlaps [start, end).
    bool is_free(uptr start, uptr end) const;
    // Every page of [start, end) belongs to some area.
    bool is_covered(uptr start, uptr end) const;
    // The highest free range of `length` bytes below `below` and at or above kMmapBottom; ENOMEM if none.
    Result<uptr> find_free(usize length, uptr below = kMmapTop) const;
    const VmAreaTree& areas() const { return m_areas; }

    // --- the program break (brk) ---
    void set_break_start(uptr start) { m_break_start = m_break = start; }
    uptr break_start() const { return m_break_start; }
    uptr current_break() const { return m_break; }
    void set_current_break(uptr value) { m_break = value; }

    // --- where exec put the argument and environment strings (/proc/<pid>/cmdline and environ) ---
    struct ArgumentRanges {
        uptr arg_start, arg_end, env_start, env_end;
    };
    void set_argument_ranges(const ArgumentRanges& ranges) { m_arguments = ranges; }
    // Reads this space's memory whether or not it is the active one (another process's, for /proc): the bytes
    // of present pages from `address` on, stopping at the first page not present.
    usize read_present(uptr address, void* buffer, usize length) const;
    const ArgumentRanges& argument_ranges() const { return m_arguments; }

    // --- faults ---
    // Resolves a fault at `address`: a demand-zero page, a page from the backing, a copy-on-write copy, or
    // growth of a stack area. EFAULT when nothing is mapped there (SIGSEGV, SEGV_MAPERR), EACCES when the
    // protection forbids the access (SEGV_ACCERR), ENOMEM when no page can be had.
    Result<void> handle_fault(uptr address, FaultAccess access);
    // The largest a grows-down area may become (RLIMIT_STACK).
    void set_stack_limit(usize bytes) { m_stack_limit = bytes; }

    // Recomputes the access of the present page at `page` from its area: after its backing's page changed
    // state (cleaned by write-back). Nothing when the page is not present.
    void refresh_access(uptr page);

    // Whether the page holding `address` is present (for mincore).
    bool is_resident(uptr address) const;
    usize resident_pages() const { return m_resident_pages; }
    // The most pages resident at once (getrusage's ru_maxrss).
    usize peak_resident_pages() const { return m_peak_resident_pages > m_resident_pages ? m_peak_resident_pages : m_resident_pages; }

    arch::PageTables* page_tables() const { return m_tables; }
    // Makes this the current user address space; active() is the one last activated (nullptr: none).
    void activate();
    static AddressSpace* active();

    // Walks the areas and their pages; names the first broken rule or returns nullptr (tests, fuzzing).
    const char* invariant_violation() const;

private:
    explicit AddressSpace(arch::PageTables* tables) : m_tables(tables) {}

    // Splits `area` at `at` (strictly inside it); the upper half is a new area. ENOMEM.
    Result<VmArea*> split(VmArea& area, uptr at);
    // Splits the areas straddling `start` and `end` so that [start, end) is made of whole areas.
    Result<void> isolate(uptr start, uptr end);
    // Merges `area` with equal neighbours, to keep the set small; returns the area that now holds its range.
    VmArea* merge_around(VmArea& area);
    void merge_range(uptr start, uptr end);
    void release_pages(uptr start, uptr end);
    void destroy_area(VmArea& area);
    // The access bits a present page of `area` gets; private pages that are shared stay read-only.
    u32 page_access(const VmArea& area, uptr page, PhysAddr frame) const;
    // An area not yet in the tree, holding a reference on `backing` (attached). ENOMEM.
    Result<VmArea*> new_area(uptr start, uptr end, u32 prot, u32 flags, VmBacking* backing, u64 backing_offset);
    Result<void> map_fresh_page(VmArea& area, uptr page, bool write);
    // Linux's fault-around: a read fault on a backing's page also maps its neighbours that are already in the
    // backing, within the aligned kFaultAround bytes and the area.
    void map_around(VmArea& area, uptr page);
    Result<void> copy_on_write(VmArea& area, uptr page, PhysAddr old_frame);
    Result<VmArea*> grow_stack(VmArea& area, uptr address);

    arch::PageTables* m_tables;
    VmAreaTree m_areas;
    uptr m_break_start { 0 };
    uptr m_break { 0 };
    usize m_stack_limit { 8 * 1024 * 1024 };
    ArgumentRanges m_arguments {};
    usize m_resident_pages { 0 };
    usize m_peak_resident_pages { 0 }; // updated when pages go, so the count of the moment needs no check
};

} // namespace mm
