// VmArea: one run of an address space with the same protection and backing (Linux's vm_area_struct), and
// VmBacking, where its pages come from when they are not private zero-fill pages.
#pragma once

#include "arch/memory.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/rb_tree.hpp"
#include "lib/result.hpp"

namespace mm {

// mmap's PROT_* bits (asm-generic/mman-common.h).
enum Prot : u32 { kProtNone = 0, kProtRead = 0x1, kProtWrite = 0x2, kProtExec = 0x4 };
inline constexpr u32 kProtMask = kProtRead | kProtWrite | kProtExec;

enum VmFlags : u32 {
    kVmShared = 1u << 0,    // MAP_SHARED: every mapping of the backing sees every write
    kVmGrowsDown = 1u << 1, // MAP_GROWSDOWN and the main stack: a fault just below extends the area
    kVmStack = 1u << 2,     // the main stack, [stack] in /proc/<pid>/maps
    kVmHeap = 1u << 3,      // the brk area, [heap]
    kVmNoReserve = 1u << 4, // MAP_NORESERVE (accepted; there is no overcommit accounting yet)
    kVmDontFork = 1u << 5,  // MADV_DONTFORK: a forked child does not get this area
    kVmWipeOnFork = 1u << 6, // MADV_WIPEONFORK: a forked child gets the area empty (zero-filled)
    kVmMayNotWrite = 1u << 7, // a shared mapping of a file not open for writing: mprotect cannot add PROT_WRITE
    kVmMayNotExec = 1u << 8,  // a file on a noexec mount: mprotect cannot add PROT_EXEC
};

class AddressSpace;
struct VmArea;

// The pages of a mapping that are not private zero-fill memory: shared anonymous memory, or a file's page cache
// (mm/file_mapping.hpp). Each area that maps it holds a reference, taken by attach() and dropped by detach().
class VmBacking {
public:
    virtual ~VmBacking() = default;
    // The frame holding page `index`, created zero-filled if need be. The backing keeps its own reference;
    // a caller that maps the frame takes another. ENOMEM when none can be had; NXIO past the end of a file
    // (SIGBUS), or the file's own error.
    virtual Result<PhysAddr> page(u64 index) = 0;
    // The frame of page `index` if it exists, else 0 (for mincore and fork, which must not create pages).
    virtual PhysAddr existing_page(u64 index) const = 0;
    // Makes room for `pages` pages (mremap growth); ENOMEM when that cannot be had.
    virtual Result<void> resize(u64 pages) = 0;
    // MADV_REMOVE: frees pages [first, first + count) so that they read as zeros again; EOPNOTSUPP when the
    // backing cannot.
    virtual Result<void> punch_hole(u64, u64) { return Errno::OPNOTSUPP; }

    // Whether a shared writable mapping maps clean pages read-only, so that the first write marks them dirty
    // (a file written back to storage); then page_access asks is_dirty and a write fault calls mark_dirty.
    virtual bool tracks_dirty() const { return false; }
    // msync's MS_SYNC: writes the dirty pages among [first, first + count) to the store; EIO.
    virtual Result<void> sync(u64, u64) { return {}; }
    virtual bool is_dirty(u64) const { return true; }
    virtual void mark_dirty(u64) {}

    // The creator's reference and any other holder's; the default deletes the backing with the last one.
    virtual void ref() { ++m_references; }
    virtual void unref()
    {
        if (--m_references == 0)
            delete this;
    }
    // An area starts or stops mapping the backing; a backing that must find its areas (truncate) lists them.
    virtual void attach(VmArea&) { ref(); }
    virtual void detach(VmArea&) { unref(); }

private:
    u32 m_references { 1 };
};

struct VmArea {
    RbTreeNode m_tree_node;
    uptr start; // page-aligned
    uptr end;   // page-aligned, exclusive
    u32 prot;   // Prot bits
    u32 flags;  // VmFlags
    VmBacking* backing { nullptr }; // nullptr: private anonymous memory
    u64 backing_offset { 0 };       // in pages: the backing page that `start` maps
    AddressSpace* space { nullptr }; // the space the area belongs to (for a backing walking its areas)
    IntrusiveListNode m_backing_node; // on the backing's list of areas, when it keeps one

    usize pages() const { return (end - start) / arch::kPageBytes; }
    bool contains(uptr address) const { return address >= start && address < end; }
    // The backing page that `page` maps.
    u64 index_of(uptr page) const { return backing_offset + (page - start) / arch::kPageBytes; }
};

struct VmAreaStart {
    uptr operator()(const VmArea& area) const { return area.start; }
};

using VmAreaTree = RbTree<VmArea, &VmArea::m_tree_node, VmAreaStart>;

} // namespace mm
