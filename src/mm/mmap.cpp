// Linux's memory system calls over AddressSpace. Validation follows mm/mmap.c, mm/mprotect.c, mm/mremap.c,
// mm/madvise.c and mm/mincore.c in Linux 6.1 as documented by their man pages: the same inputs give the same
// errno, checked in the same order where more than one applies.
#include "mm/mmap.hpp"

#include "mm/shared_memory.hpp"

namespace mm {

namespace {

constexpr uptr kPage = arch::kPageBytes;

// PAGE_ALIGN; 0 when rounding up overflows (the callers treat that as an impossible length).
uptr page_align(uptr length) { return length > ~uptr { 0 } - (kPage - 1) ? 0 : (length + kPage - 1) & ~(kPage - 1); }
bool fits_in_user(uptr start, uptr length) { return length <= arch::kUserEnd && start <= arch::kUserEnd - length; }

// Touches every page of [start, end) as `write` would, stopping at the first failure (MAP_POPULATE and the
// MADV_POPULATE_* advice).
Result<void> populate(AddressSpace& space, uptr start, uptr end, bool write)
{
    for (uptr page = start; page < end; page += kPage)
        TRY(space.handle_fault(page, { write, false }));
    return {};
}

} // namespace

Result<uptr> do_mmap(AddressSpace& space, uptr address, usize length, u32 prot, u32 flags, u64 page_offset,
    const MapFile* file)
{
    if (flags & kMapAnonymous)
        file = nullptr;
    else if (!file)
        return Errno::BADF;
    if (length == 0)
        return Errno::INVAL;
    uptr size = page_align(length);
    if (size == 0)
        return Errno::NOMEM;
    if (page_offset + size / kPage < page_offset)
        return Errno::OVERFLOW;
    if (flags & kMapHugeTlb)
        return Errno::NOMEM; // no huge pages are reserved, as on a Linux without hugetlb pages set aside
    if (flags & kMapFixedNoReplace)
        flags |= kMapFixed;

    u32 type = flags & kMapType;
    u32 vm_flags = (flags & kMapGrowsDown ? kVmGrowsDown : 0u) | (flags & kMapNoReserve ? kVmNoReserve : 0u);
    if (file) {
        // Linux's do_mmap for a file, in its order.
        if (type == kMapShared || type == kMapSharedValidate) {
            if (type == kMapSharedValidate && (flags & ~(kMapLegacyMask | kMapSharedValidate)))
                return Errno::OPNOTSUPP; // MAP_SYNC and the like: no DAX here
            if ((prot & kProtWrite) && !file->writable)
                return Errno::ACCES;
            if (file->append_only && file->writable)
                return Errno::ACCES;
            if (!file->writable)
                vm_flags |= kVmMayNotWrite; // mprotect cannot make it writable later
            type = kMapShared;
        } else if (type != kMapPrivate) {
            return Errno::INVAL;
        }
        if (!file->readable)
            return Errno::ACCES;
        if (file->noexec) {
            if (prot & kProtExec)
                return Errno::PERM;
            vm_flags |= kVmMayNotExec;
        }
        if (!file->mappable)
            return Errno::NODEV;
        if (flags & kMapGrowsDown)
            return Errno::INVAL;
    } else {
        if (type != kMapShared && type != kMapPrivate)
            return Errno::INVAL; // MAP_SHARED_VALIDATE is for files in Linux 6.1
        if (type == kMapShared && (flags & kMapGrowsDown))
            return Errno::INVAL;
    }

    uptr start;
    if (flags & kMapFixed) {
        if (address % kPage)
            return Errno::INVAL;
        if (!fits_in_user(address, size))
            return Errno::NOMEM;
        if (address < AddressSpace::kMmapBottom)
            return Errno::PERM; // below mmap_min_addr (security_mmap_addr)
        if (!space.is_free(address, address + size)) {
            if (flags & kMapFixedNoReplace)
                return Errno::EXIST;
            TRY(space.remove_range(address, address + size));
        }
        start = address;
    } else {
        uptr hint = page_align(address);
        if (hint && hint >= AddressSpace::kMmapBottom && fits_in_user(hint, size) && space.is_free(hint, hint + size))
            start = hint;
        else
            start = TRY(space.find_free(size));
    }

    VmBacking* backing = file ? file->pages : nullptr;
    u64 offset = file && backing ? page_offset : 0; // /dev/zero's offset means nothing
    if (type == kMapShared)
        vm_flags |= kVmShared;
    if (type == kMapShared && !backing)
        backing = TRY(SharedMemory::create(size / kPage));
    else if (backing)
        backing->ref(); // ours until the area holds its own
    auto area = space.add_area(start, start + size, prot & kProtMask, vm_flags, backing, offset);
    if (backing)
        backing->unref();
    if (area.is_error())
        return area.error();
    if (flags & (kMapPopulate | kMapLocked))
        (void)populate(space, start, start + size, prot & kProtWrite); // best effort, as in Linux
    return start;
}

Result<void> do_munmap(AddressSpace& space, uptr address, usize length)
{
    if (address % kPage)
        return Errno::INVAL;
    uptr size = page_align(length);
    if (size == 0 || !fits_in_user(address, size))
        return Errno::INVAL;
    return space.remove_range(address, address + size);
}

Result<void> do_mprotect(AddressSpace& space, uptr address, usize length, u32 prot)
{
    if (address % kPage)
        return Errno::INVAL;
    if (length == 0)
        return {};
    uptr size = page_align(length);
    if (size == 0 || address + size <= address)
        return Errno::NOMEM;
    if (prot & ~(kProtMask | kProtSem | kProtGrowsDown | kProtGrowsUp))
        return Errno::INVAL;
    if ((prot & kProtGrowsDown) && (prot & kProtGrowsUp))
        return Errno::INVAL;
    if (!fits_in_user(address, size))
        return Errno::NOMEM;
    uptr start = address, end = address + size;
    if (prot & kProtGrowsUp)
        return Errno::INVAL; // no area grows up on x86
    for (VmArea* area = space.first_area_after(start); area && area->start < end; area = space.next_area(*area)) {
        if (((prot & kProtWrite) && (area->flags & kVmMayNotWrite)) || ((prot & kProtExec) && (area->flags & kVmMayNotExec)))
            return Errno::ACCES; // beyond what the file was opened for (VM_MAYWRITE, VM_MAYEXEC)
    }
    if (prot & kProtGrowsDown) {
        // Applies down to the start of the grows-down area containing the range's start.
        VmArea* area = space.find_area(start);
        if (!area || !(area->flags & kVmGrowsDown))
            return Errno::INVAL;
        start = area->start;
    }
    return space.protect_range(start, end, prot & kProtMask);
}

uptr do_brk(AddressSpace& space, uptr new_break)
{
    uptr old_break = space.current_break();
    if (new_break < space.break_start() || new_break > arch::kUserEnd)
        return old_break;
    uptr old_top = page_align(old_break), new_top = page_align(new_break);
    if (new_top == old_top) {
        space.set_current_break(new_break);
        return new_break;
    }
    if (new_break < old_break) {
        if (space.remove_range(new_top, old_top).is_error())
            return old_break;
        space.set_current_break(new_break);
        return new_break;
    }
    // Growth must leave a page before the next mapping (Linux checks against vm_start_gap(next)).
    VmArea* next = space.first_area_after(old_top);
    if (next && new_top + kPage > next->start)
        return old_break;
    if (space.add_area(old_top, new_top, kProtRead | kProtWrite, kVmHeap).is_error())
        return old_break;
    space.set_current_break(new_break);
    return new_break;
}

Result<uptr> do_mremap(AddressSpace& space, uptr old_address, usize old_length, usize new_length, u32 flags,
    uptr new_address)
{
    if (flags & ~(kMremapMayMove | kMremapFixed | kMremapDontUnmap))
        return Errno::INVAL;
    if ((flags & kMremapFixed) && !(flags & kMremapMayMove))
        return Errno::INVAL;
    if ((flags & kMremapDontUnmap) && (!(flags & kMremapMayMove) || old_length != new_length))
        return Errno::INVAL;
    if (old_address % kPage)
        return Errno::INVAL;
    uptr old_size = page_align(old_length), new_size = page_align(new_length);
    if (new_size == 0)
        return Errno::INVAL;
    // Linux looks the old address up before anything else (vma_lookup in the system call itself): nothing
    // there is EFAULT whatever the flags, before a fixed target is checked or unmapped.
    VmArea* area = space.find_area(old_address);
    if (!area)
        return Errno::FAULT;

    if (flags & kMremapFixed) {
        if (new_address % kPage)
            return Errno::INVAL;
        if (!fits_in_user(new_address, new_size))
            return Errno::INVAL;
        // The two ranges may not overlap.
        if (new_address < old_address + old_size && old_address < new_address + new_size)
            return Errno::INVAL;
    }

    if (old_size == 0) {
        // A second mapping of the same shared pages; private memory has nothing to share.
        if (!(area->flags & kVmShared))
            return Errno::INVAL;
        if (!(flags & kMremapMayMove))
            return Errno::NOMEM;
        uptr target = new_address;
        if (flags & kMremapFixed)
            TRY(space.remove_range(new_address, new_address + new_size));
        else
            target = TRY(space.find_free(new_size));
        // A fixed target at the old address itself has just unmapped the source: Linux's vma_to_resize then
        // finds nothing there.
        area = space.find_area(old_address);
        if (!area)
            return Errno::FAULT;
        TRY(space.add_area(target, target + new_size, area->prot, area->flags, area->backing,
            area->index_of(old_address)));
        return target;
    }

    if (flags & (kMremapFixed | kMremapDontUnmap)) {
        uptr target = new_address;
        if (flags & kMremapFixed)
            TRY(space.remove_range(new_address, new_address + new_size));
        if (old_size > new_size) {
            TRY(space.remove_range(old_address + new_size, old_address + old_size));
            old_size = new_size;
        }
        area = space.find_area(old_address);
        if (!area || old_address + old_size > area->end)
            return Errno::FAULT;
        if (!(flags & kMremapFixed))
            target = TRY(space.find_free(new_size));
        u32 prot = area->prot, vm_flags = area->flags;
        bool private_anonymous = !area->backing;
        if ((flags & kMremapDontUnmap) && !private_anonymous)
            return Errno::INVAL;
        TRY(space.move_range(old_address, old_size, target));
        if (new_size > old_size)
            TRY(space.grow_area(*space.find_area(target), target + new_size));
        if (flags & kMremapDontUnmap)
            TRY(space.add_area(old_address, old_address + old_size, prot, vm_flags)); // left empty, as Linux does
        return target;
    }

    if (old_size >= new_size) {
        if (old_size > new_size)
            TRY(space.remove_range(old_address + new_size, old_address + old_size));
        return old_address;
    }
    if (!area)
        return Errno::FAULT;
    if (old_size > area->end - old_address)
        return Errno::FAULT;
    uptr old_end = old_address + old_size;
    // Grow in place when the range ends where its area does and the space after it is free.
    if (old_end == area->end && fits_in_user(old_address, new_size)
        && space.is_free(old_end, old_address + new_size)) {
        TRY(space.grow_area(*area, old_address + new_size));
        return old_address;
    }
    if (!(flags & kMremapMayMove))
        return Errno::NOMEM;
    uptr target = TRY(space.find_free(new_size));
    TRY(space.move_range(old_address, old_size, target));
    TRY(space.grow_area(*space.find_area(target), target + new_size));
    return target;
}

Result<void> do_madvise(AddressSpace& space, uptr address, usize length, u32 advice)
{
    switch (advice) {
    case kMadvNormal: case kMadvRandom: case kMadvSequential: case kMadvWillNeed: case kMadvDontNeed:
    case kMadvFree: case kMadvRemove: case kMadvDontFork: case kMadvDoFork: case kMadvMergeable:
    case kMadvUnmergeable: case kMadvHugePage: case kMadvNoHugePage: case kMadvDontDump: case kMadvDoDump:
    case kMadvWipeOnFork: case kMadvKeepOnFork: case kMadvCold: case kMadvPageOut: case kMadvPopulateRead:
    case kMadvPopulateWrite: case kMadvDontNeedLocked: case kMadvCollapse:
        break;
    default:
        return Errno::INVAL; // including MADV_HWPOISON and MADV_SOFT_OFFLINE: memory-failure testing is not offered
    }
    if (address % kPage)
        return Errno::INVAL;
    uptr size = page_align(length);
    if (length && size == 0)
        return Errno::INVAL;
    if (size == 0)
        return {};
    if (!fits_in_user(address, size))
        return Errno::NOMEM;
    uptr end = address + size;
    bool covered = space.is_covered(address, end);

    switch (advice) {
    case kMadvFree:
        // Only private anonymous memory can be freed lazily (Linux: EINVAL for any area with pages behind it).
        for (VmArea* area = space.first_area_after(address); area && area->start < end; area = space.next_area(*area)) {
            if (area->backing)
                return Errno::INVAL;
        }
        space.discard_pages(address, end);
        break;
    case kMadvDontNeed: case kMadvDontNeedLocked:
        // Linux applies the advice to the mapped parts and reports a hole afterwards. A private file page
        // reads as the file again.
        space.discard_pages(address, end);
        break;
    case kMadvRemove:
        // A hole punched in the backing (tmpfs, shared anonymous memory), seen by every mapping of it.
        for (VmArea* area = space.first_area_after(address); area && area->start < end; area = space.next_area(*area)) {
            if (!area->backing)
                return Errno::INVAL;
            if (!(area->flags & kVmShared) || !(area->prot & kProtWrite))
                return Errno::ACCES;
            uptr from = area->start > address ? area->start : address, to = area->end < end ? area->end : end;
            TRY(area->backing->punch_hole(area->index_of(from), (to - from) / kPage));
        }
    case kMadvWillNeed:
        break; // a hint: the pages arrive on first touch anyway
    case kMadvPopulateRead: case kMadvPopulateWrite:
        if (!covered)
            return Errno::NOMEM;
        if (auto populated = populate(space, address, end, advice == kMadvPopulateWrite); populated.is_error())
            return populated.error() == Errno::NOMEM ? Errno::NOMEM : Errno::FAULT;
        break;
    case kMadvDontFork: case kMadvDoFork: case kMadvWipeOnFork: case kMadvKeepOnFork: {
        if (!covered)
            return Errno::NOMEM;
        if (advice == kMadvWipeOnFork || advice == kMadvKeepOnFork) {
            // Linux allows wiping only private anonymous memory.
            for (uptr cursor = address; cursor < end;) {
                VmArea* area = space.find_area(cursor);
                if (area->backing)
                    return Errno::INVAL;
                cursor = area->end;
            }
        }
        u32 set = advice == kMadvDontFork ? u32 { kVmDontFork } : advice == kMadvWipeOnFork ? u32 { kVmWipeOnFork } : 0u;
        u32 clear = advice == kMadvDoFork ? u32 { kVmDontFork } : advice == kMadvKeepOnFork ? u32 { kVmWipeOnFork } : 0u;
        TRY(space.set_flags_range(address, end, set, clear));
        break;
    }
    default:
        break; // placement, huge-page, merging and dump hints change nothing here
    }
    return covered ? Result<void> {} : Result<void> { Errno::NOMEM };
}

Result<void> do_msync(AddressSpace& space, uptr address, usize length, u32 flags)
{
    if (flags & ~(kMsAsync | kMsInvalidate | kMsSync))
        return Errno::INVAL;
    if ((flags & kMsAsync) && (flags & kMsSync))
        return Errno::INVAL;
    if (address % kPage)
        return Errno::INVAL;
    uptr size = page_align(length);
    if (length && size == 0)
        return Errno::NOMEM;
    if (size == 0)
        return {};
    if (!fits_in_user(address, size))
        return Errno::NOMEM;
    uptr end = address + size;
    bool hole = false;
    Result<void> synced {};
    uptr cursor = address;
    for (VmArea* area = space.first_area_after(address); area && area->start < end; area = space.next_area(*area)) {
        if (area->start > cursor)
            hole = true;
        uptr from = area->start > address ? area->start : address, to = area->end < end ? area->end : end;
        cursor = to;
        if ((flags & kMsSync) && (area->flags & kVmShared) && area->backing) {
            auto result = area->backing->sync(area->index_of(from), (to - from) / kPage);
            if (result.is_error() && !synced.is_error())
                synced = result;
        }
    }
    if (synced.is_error())
        return synced;
    if (hole || cursor < end)
        return Errno::NOMEM;
    return {};
}

Result<void> do_mincore(AddressSpace& space, uptr address, usize length, u8* residency)
{
    if (address % kPage)
        return Errno::INVAL;
    uptr size = page_align(length);
    if (length && size == 0)
        return Errno::NOMEM;
    if (!fits_in_user(address, size))
        return Errno::NOMEM;
    if (!space.is_covered(address, address + size))
        return Errno::NOMEM;
    for (uptr offset = 0; offset < size; offset += kPage) {
        uptr page = address + offset;
        bool resident = space.is_resident(page);
        if (VmArea* area = space.find_area(page); !resident && area->backing)
            resident = area->backing->existing_page(area->backing_offset + (page - area->start) / kPage) != 0;
        residency[offset / kPage] = resident ? 1 : 0;
    }
    return {};
}

} // namespace mm
