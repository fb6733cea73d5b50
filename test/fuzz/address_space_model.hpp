// The plain model that test/fuzz/address_space.cpp holds the kernel to: for each address space, a 64-page
// window of user space page by page (mapped, protection, flags, shared page or private bytes, present or not),
// the shared memory behind MAP_SHARED pages, and the memory system calls as mm/mmap.cpp documents them (the
// checks and errno of Linux 6.1), applied to it. Byte accesses follow the fault handler: demand paging, stack
// growth, and the protection an access needs.
//
// Where mm/ makes a choice of its own the model follows it, so a change there shows here: mprotect and
// MADV_DONTFORK/WIPEONFORK change nothing when the range has a hole (Linux changes the part before it);
// MADV_REMOVE punches area by area and stops at the first it cannot (as Linux); MREMAP_DONTUNMAP takes private memory only; growing a shared mapping with mremap
// grows its memory (Linux gives SIGBUS past the original size); an mmap hint and brk ignore a stack's guard
// gap, and a stack keeps the gap from any area below it (Linux: only from an accessible one).
#pragma once

#include <vector>

#include "mm/mapped_pages.hpp"
#include "mm/mmap.hpp"

namespace mm_model {

using namespace mm;

constexpr uptr kPage = arch::kPageBytes;
constexpr usize kPages = 64;
constexpr uptr kBase = 0x20000000;
constexpr uptr kEnd = kBase + kPages * kPage;
// The bytes of a page that writes reach and the model keeps; every other byte of a page stays zero.
constexpr u16 kOffsets[] = { 0, 1, 7, 1000, 2047, 2048, 4094, 4095 };
constexpr usize kSlots = sizeof(kOffsets) / sizeof(kOffsets[0]);
// A result the model cannot place: the kernel chose an address, which must lie outside the window.
constexpr uptr kOutside = 1;

inline void require(bool condition)
{
    if (!condition)
        __builtin_trap();
}

inline usize pages_for(usize length) { return (length + kPage - 1) / kPage; }
inline uptr address_of(usize page) { return kBase + page * kPage; }
inline usize page_of(uptr address) { return (address - kBase) / kPage; }

struct Bytes {
    u8 at[kSlots] {};
};

// Shared anonymous memory (a SharedMemory backing) or a file (a FileMapping over its page cache): its size in
// pages (a file's length, past which a mapping is a bus error), which pages exist (a file's: are in its cache),
// their bytes, and for a file with a store which pages are dirty.
struct SharedObject {
    u64 size { 0 };
    std::vector<bool> exists;
    std::vector<Bytes> data;
    bool file { false };
    bool store { false };
    std::vector<bool> dirty;
    ReadAhead faults; // a file with a store reads pages in around a fault's miss, with the kernel's policy

    void grow(u64 pages)
    {
        if (pages <= size)
            return;
        size = pages;
        exists.resize(pages);
        data.resize(pages);
        dirty.resize(pages);
    }
    // A file's truncate(2) to a whole number of pages: the pages past the end leave the cache.
    void resize(u64 pages)
    {
        for (u64 index = pages; index < size; ++index) {
            exists[index] = dirty[index] = false;
            data[index] = {};
        }
        if (pages < size)
            size = pages;
        grow(pages);
    }
};

struct Page {
    bool mapped { false };
    bool present { false }; // in the page tables
    u32 prot { 0 };
    u32 flags { 0 }; // VmFlags
    int object { -1 }; // shared object or file, or -1: private memory
    u64 index { 0 }; // the object's page
    bool copied { false }; // a private mapping of a file: written, so `data` is its own copy of the page
    Bytes data; // private memory
};

struct Space {
    OwnPtr<AddressSpace> kernel;
    Page pages[kPages];
    uptr break_start { 0 };
    uptr brk { 0 };
};

// What the model expects of a call: an errno, or success with a value (an address, kOutside, or ignored).
struct Expected {
    Errno error { Errno(0) };
    uptr value { 0 };
};
inline Expected fails(Errno error) { return { error, 0 }; }
inline Expected succeeds(uptr value = 0) { return { Errno(0), value }; }

class Model {
public:
    std::vector<Space> spaces;
    std::vector<SharedObject> objects;
    usize active { 0 };

    Space& current() { return spaces[active]; }

    // --- the model's view of areas: maximal runs of pages that continue each other, as the kernel merges them ---
    static bool continues(const Page& lower, const Page& upper)
    {
        return lower.mapped && upper.mapped && lower.prot == upper.prot && lower.flags == upper.flags
            && lower.object == upper.object && (lower.object < 0 || upper.index == lower.index + 1);
    }
    static usize area_start(const Space& s, usize page)
    {
        while (page > 0 && continues(s.pages[page - 1], s.pages[page]))
            --page;
        return page;
    }
    static usize area_end(const Space& s, usize page)
    {
        while (page + 1 < kPages && continues(s.pages[page], s.pages[page + 1]))
            ++page;
        return page + 1;
    }
    static bool all_free(const Space& s, usize first, usize end)
    {
        for (usize page = first; page < end; ++page)
            if (s.pages[page].mapped)
                return false;
        return true;
    }
    static bool covered(const Space& s, usize first, usize end)
    {
        for (usize page = first; page < end; ++page)
            if (!s.pages[page].mapped)
                return false;
        return true;
    }
    static void unmap(Space& s, usize first, usize end)
    {
        for (usize page = first; page < end && page < kPages; ++page)
            s.pages[page] = Page {};
    }
    static Page fresh(u32 prot, u32 flags, int object, u64 index)
    {
        Page page;
        page.mapped = true;
        page.prot = prot;
        page.flags = flags;
        page.object = object;
        page.index = object >= 0 ? index : 0;
        return page;
    }
    // Pages [first, end) continue the area whose last page is `last`, and its object grows to hold them.
    void extend(Space& s, usize first, usize end, const Page& last)
    {
        for (usize page = first; page < end; ++page)
            s.pages[page] = fresh(last.prot, last.flags, last.object, last.index + 1 + (page - first));
        if (last.object >= 0 && !objects[last.object].file && end > first)
            objects[last.object].grow(last.index + 1 + (end - first)); // a file keeps its length
    }

    // Whether the page reads the object's bytes (shared, or a private file page not yet written).
    static bool reads_object(const Page& p) { return p.object >= 0 && !p.copied; }
    u8 byte(const Space& s, usize page, usize slot) const
    {
        const Page& p = s.pages[page];
        return reads_object(p) ? objects[p.object].data[p.index].at[slot] : p.data.at[slot];
    }
    void store(Space& s, usize page, usize slot, u8 value)
    {
        Page& p = s.pages[page];
        (reads_object(p) ? objects[p.object].data[p.index] : p.data).at[slot] = value;
    }

    // One byte of user memory reached through copy_from_user / copy_to_user: whether the access succeeds.
    // `page` may be kPages, just above the window, where nothing is ever mapped.
    bool access(Space& s, usize page, bool write)
    {
        if (page >= kPages)
            return false;
        if (!s.pages[page].mapped) {
            // A fault below a grows-down area extends it when no area lies within the guard gap under it, and
            // none is ever mapped below the window.
            usize above = page + 1;
            while (above < kPages && !s.pages[above].mapped)
                ++above;
            if (above == kPages || !(s.pages[above].flags & kVmGrowsDown) || !all_free(s, 0, page))
                return false;
            for (usize grown = page; grown < above; ++grown)
                s.pages[grown] = fresh(s.pages[above].prot, s.pages[above].flags, -1, 0);
        }
        Page& p = s.pages[page];
        // x86 has no write-only or execute-only pages: any access right makes a page readable, as in Linux
        // (vma_is_accessible in arch/x86/mm/fault.c).
        if (!(p.prot & (write ? u32 { kProtWrite } : kProtMask)))
            return false;
        bool fresh_read = false;
        if (p.object >= 0 && !p.copied) {
            SharedObject& object = objects[p.object];
            if (!p.present) {
                if (p.index >= object.size)
                    return false; // past the end of the shared memory or the file: SIGBUS
                page_in(object, p.index);
                fresh_read = !write;
            }
            if (write && !(p.flags & kVmShared)) {
                p.copied = true; // copy-on-write from the file's page
                p.data = object.data[p.index];
            } else if (write && object.store) {
                object.dirty[p.index] = true;
            }
        }
        p.present = true;
        if (fresh_read)
            map_around(s, page);
        return true;
    }

    // FileMapping::read_page for a fault: a file with a store reads the run of missing pages from `index` that
    // its read-ahead window asks for; any other object just has the page from now on.
    static void page_in(SharedObject& object, u64 index)
    {
        if (!object.store || object.exists[index]) {
            object.exists[index] = true;
            object.faults.next = index + 1;
            return;
        }
        u64 count = object.faults.on_miss(index, 1);
        for (u64 i = 0; i < count && index + i < object.size; ++i) {
            if (i && object.exists[index + i])
                break;
            object.exists[index + i] = true;
        }
        object.faults.next = index + 1;
    }

    // AddressSpace::map_around: a read fault on an object's page also maps the area's pages in the same
    // aligned 16 that the object holds.
    void map_around(Space& s, usize page)
    {
        constexpr usize kAround = AddressSpace::kFaultAround / kPage;
        usize from = page & ~(kAround - 1), to = from + kAround;
        usize first = area_start(s, page), end = area_end(s, page);
        for (usize at = from > first ? from : first; at < to && at < end; ++at) {
            Page& q = s.pages[at];
            if (!q.present && objects[q.object].exists.size() > q.index && objects[q.object].exists[q.index])
                q.present = true;
        }
    }

    // --- the system calls, following mm/mmap.cpp's order of checks; they change the model as the call would ---
    // `file` is an object that is a file (-1: anonymous memory), opened for writing or not, mapped from page
    // `offset`.
    Expected mmap(Space& s, uptr address, usize length, u32 prot, u32 flags, int file = -1, bool writable = false,
        u64 offset = 0)
    {
        if (length == 0)
            return fails(Errno::INVAL);
        usize count = pages_for(length);
        if (flags & kMapFixedNoReplace)
            flags |= kMapFixed;
        u32 type = flags & kMapType;
        u32 file_flags = 0;
        if (file >= 0) {
            if (type == kMapShared || type == kMapSharedValidate) {
                if (type == kMapSharedValidate && (flags & ~(kMapLegacyMask | kMapSharedValidate)))
                    return fails(Errno::OPNOTSUPP);
                if ((prot & kProtWrite) && !writable)
                    return fails(Errno::ACCES);
                if (!writable)
                    file_flags |= kVmMayNotWrite;
                type = kMapShared;
            } else if (type != kMapPrivate) {
                return fails(Errno::INVAL);
            }
            if (flags & kMapGrowsDown)
                return fails(Errno::INVAL);
        } else {
            if (type != kMapShared && type != kMapPrivate)
                return fails(Errno::INVAL);
            if (type == kMapShared && (flags & kMapGrowsDown))
                return fails(Errno::INVAL);
        }
        usize first;
        if (flags & kMapFixed) {
            if (address % kPage)
                return fails(Errno::INVAL);
            first = page_of(address);
            if (!all_free(s, first, first + count)) {
                if (flags & kMapFixedNoReplace)
                    return fails(Errno::EXIST);
                unmap(s, first, first + count);
            }
        } else {
            first = page_of((address + kPage - 1) & ~(kPage - 1));
            // Without a hint, or when the hint is taken, the kernel searches from the top, outside the window.
            if (address == 0 || !all_free(s, first, first + count))
                return succeeds(kOutside); // the fuzzer populates no file mapping placed there

        }
        u32 vm_flags = file_flags | (flags & kMapGrowsDown ? u32 { kVmGrowsDown } : 0u)
            | (flags & kMapNoReserve ? u32 { kVmNoReserve } : 0u);
        int object = file;
        if (type == kMapShared)
            vm_flags |= kVmShared;
        if (type == kMapShared && file < 0) {
            object = static_cast<int>(objects.size());
            objects.emplace_back();
            objects.back().grow(count);
        }
        for (usize i = 0; i < count; ++i)
            s.pages[first + i] = fresh(prot & kProtMask, vm_flags, object, (file >= 0 ? offset : 0) + i);
        // Best effort, as Linux: a file's population stops at its end.
        if ((flags & (kMapPopulate | kMapLocked)) && (prot & kProtMask))
            for (usize i = 0; i < count && access(s, first + i, prot & kProtWrite); ++i) { }
        return succeeds(address_of(first));
    }

    static Expected munmap(Space& s, uptr address, usize length)
    {
        if (address % kPage)
            return fails(Errno::INVAL);
        if (length == 0)
            return fails(Errno::INVAL);
        usize first = page_of(address);
        unmap(s, first, first + pages_for(length));
        return succeeds();
    }

    static Expected mprotect(Space& s, uptr address, usize length, u32 prot)
    {
        if (address % kPage)
            return fails(Errno::INVAL);
        if (length == 0)
            return succeeds();
        if (prot & ~(kProtMask | kProtSem | kProtGrowsDown | kProtGrowsUp))
            return fails(Errno::INVAL);
        if ((prot & kProtGrowsDown) && (prot & kProtGrowsUp))
            return fails(Errno::INVAL);
        if (prot & kProtGrowsUp)
            return fails(Errno::INVAL);
        usize first = page_of(address), end = first + pages_for(length);
        for (usize page = first; page < end && page < kPages; ++page)
            if (s.pages[page].mapped && (s.pages[page].flags & kVmMayNotWrite) && (prot & kProtWrite))
                return fails(Errno::ACCES); // a shared mapping of a file not open for writing
        if (prot & kProtGrowsDown) {
            if (!s.pages[first].mapped || !(s.pages[first].flags & kVmGrowsDown))
                return fails(Errno::INVAL);
            first = area_start(s, first);
        }
        if (!covered(s, first, end))
            return fails(Errno::NOMEM);
        for (usize page = first; page < end; ++page)
            s.pages[page].prot = prot & kProtMask;
        return succeeds();
    }

    static uptr brk(Space& s, uptr new_break)
    {
        uptr old_break = s.brk;
        if (new_break < s.break_start)
            return old_break;
        uptr old_top = (old_break + kPage - 1) & ~(kPage - 1), new_top = (new_break + kPage - 1) & ~(kPage - 1);
        if (new_top == old_top) {
            s.brk = new_break;
            return new_break;
        }
        if (new_break < old_break) {
            unmap(s, page_of(new_top), page_of(old_top));
            s.brk = new_break;
            return new_break;
        }
        // Growth leaves at least a page before the next mapping.
        usize next = page_of(old_top);
        while (next < kPages && !s.pages[next].mapped)
            ++next;
        if (next < kPages && new_top + kPage > address_of(next))
            return old_break;
        for (usize page = page_of(old_top); page < page_of(new_top); ++page)
            s.pages[page] = fresh(kProtRead | kProtWrite, kVmHeap, -1, 0);
        s.brk = new_break;
        return new_break;
    }

    Expected mremap(Space& s, uptr old_address, usize old_length, usize new_length, u32 flags, uptr new_address)
    {
        if (flags & ~(kMremapMayMove | kMremapFixed | kMremapDontUnmap))
            return fails(Errno::INVAL);
        if ((flags & kMremapFixed) && !(flags & kMremapMayMove))
            return fails(Errno::INVAL);
        if ((flags & kMremapDontUnmap) && (!(flags & kMremapMayMove) || old_length != new_length))
            return fails(Errno::INVAL);
        if (old_address % kPage)
            return fails(Errno::INVAL);
        usize old_count = pages_for(old_length), new_count = pages_for(new_length);
        if (new_count == 0)
            return fails(Errno::INVAL);
        usize from = page_of(old_address), to = 0;
        // Linux 6.1 looks the old address up first (vma_lookup in the system call itself).
        if (!s.pages[from].mapped)
            return fails(Errno::FAULT);
        bool fixed = flags & kMremapFixed;
        if (fixed) {
            if (new_address % kPage)
                return fails(Errno::INVAL);
            to = page_of(new_address);
            if (to < from + old_count && from < to + new_count)
                return fails(Errno::INVAL);
        }

        if (old_count == 0) {
            // A second mapping of the same shared pages.
            if (!(s.pages[from].flags & kVmShared))
                return fails(Errno::INVAL);
            if (!(flags & kMremapMayMove))
                return fails(Errno::NOMEM);
            if (!fixed)
                return succeeds(kOutside);
            unmap(s, to, to + new_count);
            if (!s.pages[from].mapped)
                return fails(Errno::FAULT); // the target range held the source (Linux: vma_to_resize)
            Page source = s.pages[from];
            for (usize i = 0; i < new_count; ++i)
                s.pages[to + i] = fresh(source.prot, source.flags, source.object, source.index + i);
            return succeeds(new_address);
        }

        if (flags & (kMremapFixed | kMremapDontUnmap)) {
            if (fixed)
                unmap(s, to, to + new_count);
            if (old_count > new_count) {
                unmap(s, from + new_count, from + old_count);
                old_count = new_count;
            }
            if (!s.pages[from].mapped || from + old_count > area_end(s, from))
                return fails(Errno::FAULT);
            Page source = s.pages[from];
            if ((flags & kMremapDontUnmap) && source.object >= 0)
                return fails(Errno::INVAL);
            std::vector<Page> moved(s.pages + from, s.pages + from + old_count);
            unmap(s, from, from + old_count);
            if (fixed) {
                for (usize i = 0; i < old_count; ++i)
                    s.pages[to + i] = moved[i];
                extend(s, to + old_count, to + new_count, moved.back());
            }
            if (flags & kMremapDontUnmap)
                for (usize i = 0; i < old_count; ++i)
                    s.pages[from + i] = fresh(source.prot, source.flags, -1, 0);
            return succeeds(fixed ? new_address : kOutside);
        }

        if (old_count >= new_count) {
            unmap(s, from + new_count, from + old_count);
            return succeeds(old_address);
        }
        if (!s.pages[from].mapped)
            return fails(Errno::FAULT);
        usize end = area_end(s, from);
        if (from + old_count > end)
            return fails(Errno::FAULT);
        if (from + old_count == end && all_free(s, end, from + new_count)) {
            extend(s, end, from + new_count, s.pages[end - 1]);
            return succeeds(old_address);
        }
        if (!(flags & kMremapMayMove))
            return fails(Errno::NOMEM);
        // Moved out of the window; its shared memory grows all the same.
        const Page& last = s.pages[from + old_count - 1];
        if (last.object >= 0 && !objects[last.object].file)
            objects[last.object].grow(last.index + 1 + (new_count - old_count));
        unmap(s, from, from + old_count);
        return succeeds(kOutside);
    }

    Expected madvise(Space& s, uptr address, usize length, u32 advice)
    {
        switch (advice) {
        case kMadvNormal:
        case kMadvWillNeed:
        case kMadvDontNeed:
        case kMadvDontNeedLocked:
        case kMadvRemove:
        case kMadvDontFork:
        case kMadvDoFork:
        case kMadvWipeOnFork:
        case kMadvKeepOnFork:
        case kMadvCold:
            break;
        default:
            return fails(Errno::INVAL);
        }
        if (address % kPage)
            return fails(Errno::INVAL);
        usize first = page_of(address), end = first + pages_for(length);
        if (first == end)
            return succeeds();
        bool whole = covered(s, first, end);
        switch (advice) {
        case kMadvDontNeed:
        case kMadvDontNeedLocked:
            for (usize page = first; page < end; ++page) {
                s.pages[page].present = false;
                s.pages[page].copied = false; // a private file page reads as the file again
                s.pages[page].data = {};
            }
            break;
        case kMadvRemove:
            for (usize page = first; page < end; ++page) {
                const Page& p = s.pages[page];
                if (!p.mapped)
                    continue;
                if (p.object < 0)
                    return fails(Errno::INVAL);
                if (!(p.flags & kVmShared) || !(p.prot & kProtWrite))
                    return fails(Errno::ACCES);
                punch(p.object, p.index);
            }
            break;
        case kMadvDontFork:
        case kMadvDoFork:
        case kMadvWipeOnFork:
        case kMadvKeepOnFork: {
            if (!whole)
                return fails(Errno::NOMEM);
            bool wipe = advice == kMadvWipeOnFork || advice == kMadvKeepOnFork;
            for (usize page = first; page < end; ++page)
                if (wipe && s.pages[page].object >= 0)
                    return fails(Errno::INVAL);
            u32 bit = wipe ? u32 { kVmWipeOnFork } : u32 { kVmDontFork };
            bool set = advice == kMadvDontFork || advice == kMadvWipeOnFork;
            for (usize page = first; page < end; ++page)
                s.pages[page].flags = set ? s.pages[page].flags | bit : s.pages[page].flags & ~bit;
            break;
        }
        default:
            break;
        }
        return whole ? succeeds() : fails(Errno::NOMEM);
    }

    // A page of a shared object or file freed: it reads as zeros, and leaves every mapping; private copies made
    // from it stay unless the file was truncated (`copies`).
    void punch(int object, u64 index, bool copies = false)
    {
        if (index < objects[object].size) {
            objects[object].exists[index] = false;
            objects[object].dirty[index] = false;
            objects[object].data[index] = {};
        }
        for (Space& space : spaces) {
            for (Page& page : space.pages) {
                if (!page.mapped || page.object != object || page.index != index || (page.copied && !copies))
                    continue;
                page.present = page.copied = false;
                page.data = {};
            }
        }
    }

    // ftruncate of a file to `pages` pages.
    void truncate(int file, u64 pages)
    {
        for (u64 index = pages; index < objects[file].size; ++index)
            punch(file, index, true);
        // Mapped pages past the end that were never in the cache go too (they were not present).
        for (Space& space : spaces)
            for (Page& page : space.pages)
                if (page.mapped && page.object == file && page.index >= pages)
                    page.present = page.copied = false, page.data = {};
        objects[file].resize(pages);
    }

    // msync: MS_SYNC writes back the dirty pages a shared mapping of a file with a store covers.
    Expected msync(Space& s, uptr address, usize length, u32 flags)
    {
        if (flags & ~(kMsAsync | kMsInvalidate | kMsSync))
            return fails(Errno::INVAL);
        if ((flags & kMsAsync) && (flags & kMsSync))
            return fails(Errno::INVAL);
        if (address % kPage)
            return fails(Errno::INVAL);
        usize first = page_of(address), end = first + pages_for(length);
        if (first == end)
            return succeeds();
        for (usize page = first; page < end; ++page) {
            const Page& p = s.pages[page];
            if ((flags & kMsSync) && p.mapped && (p.flags & kVmShared) && p.object >= 0 && objects[p.object].store
                && p.index < objects[p.object].size)
                objects[p.object].dirty[p.index] = false;
        }
        return covered(s, first, end) ? succeeds() : fails(Errno::NOMEM);
    }

    Expected mincore(const Space& s, uptr address, usize length, u8* residency) const
    {
        if (address % kPage)
            return fails(Errno::INVAL);
        usize first = page_of(address), end = first + pages_for(length);
        if (!covered(s, first, end))
            return fails(Errno::NOMEM);
        for (usize page = first; page < end; ++page) {
            const Page& p = s.pages[page];
            bool resident = p.present;
            if (p.object >= 0 && p.index < objects[p.object].size)
                resident = resident || objects[p.object].exists[p.index];
            residency[page - first] = resident;
        }
        return succeeds();
    }

    // The child of fork: private pages copied (lazily, by the kernel), shared pages shared.
    static void fork(const Space& parent, Space& child)
    {
        child.break_start = parent.break_start;
        child.brk = parent.brk;
        for (usize page = 0; page < kPages; ++page) {
            const Page& p = parent.pages[page];
            if (!p.mapped || (p.flags & kVmDontFork))
                continue;
            child.pages[page] = p;
            if (p.flags & kVmWipeOnFork) {
                child.pages[page].present = false;
                child.pages[page].data = {};
            }
        }
    }
};

} // namespace mm_model
