// The memory system calls with Linux's semantics and errno choices (man 2 mmap, munmap, mprotect, brk,
// mremap, madvise, mincore), on an AddressSpace. The syscall layer copies arguments and results to and from
// user memory; everything here takes kernel values.
#pragma once

#include "mm/address_space.hpp"

namespace mm {

// asm-generic/mman-common.h and mman.h
enum MapFlags : u32 {
    kMapShared = 0x01,
    kMapPrivate = 0x02,
    kMapSharedValidate = 0x03,
    kMapType = 0x0f,
    kMapFixed = 0x10,
    kMapAnonymous = 0x20,
    kMapGrowsDown = 0x0100,
    kMapDenyWrite = 0x0800,
    kMapExecutable = 0x1000,
    kMapLocked = 0x2000,
    kMapNoReserve = 0x4000,
    kMapPopulate = 0x8000,
    kMapNonBlock = 0x10000,
    kMapStack = 0x20000,
    kMapHugeTlb = 0x40000,
    kMapSync = 0x80000,
    kMapFixedNoReplace = 0x100000,
    kMapUninitialized = 0x4000000,
    // What MAP_SHARED accepts without complaint (LEGACY_MAP_MASK); MAP_SHARED_VALIDATE refuses the rest.
    kMapLegacyMask = kMapShared | kMapPrivate | kMapFixed | kMapAnonymous | kMapDenyWrite | kMapExecutable
        | kMapUninitialized | kMapGrowsDown | kMapLocked | kMapNoReserve | kMapPopulate | kMapNonBlock | kMapStack
        | kMapHugeTlb,
};
inline constexpr u32 kProtSem = 0x8, kProtGrowsDown = 0x01000000, kProtGrowsUp = 0x02000000;
inline constexpr u32 kMremapMayMove = 1, kMremapFixed = 2, kMremapDontUnmap = 4;

enum Advice : u32 {
    kMadvNormal = 0, kMadvRandom = 1, kMadvSequential = 2, kMadvWillNeed = 3, kMadvDontNeed = 4, kMadvFree = 8,
    kMadvRemove = 9, kMadvDontFork = 10, kMadvDoFork = 11, kMadvMergeable = 12, kMadvUnmergeable = 13,
    kMadvHugePage = 14, kMadvNoHugePage = 15, kMadvDontDump = 16, kMadvDoDump = 17, kMadvWipeOnFork = 18,
    kMadvKeepOnFork = 19, kMadvCold = 20, kMadvPageOut = 21, kMadvPopulateRead = 22, kMadvPopulateWrite = 23,
    kMadvDontNeedLocked = 24, kMadvCollapse = 25, kMadvHwPoison = 100, kMadvSoftOffline = 101,
};

// The open file a mapping names, as the syscall layer found it (the descriptor was valid).
struct MapFile {
    VmBacking* pages; // the file's pages (FileOperations::mmap_pages); nullptr: anonymous memory (/dev/zero)
    bool mappable;    // false: the file cannot be mapped (ENODEV, after the access checks as in Linux)
    bool readable;    // opened for reading (FMODE_READ)
    bool writable;    // opened for writing (FMODE_WRITE)
    bool append_only; // the inode is append-only
    bool noexec;      // on a noexec mount
};

// mmap: anonymous memory, or with `file` (required unless MAP_ANONYMOUS: EBADF without) the file's pages,
// shared or copied on write. `page_offset` is mmap2's offset in pages. Returns the address mapped.
Result<uptr> do_mmap(AddressSpace& space, uptr address, usize length, u32 prot, u32 flags, u64 page_offset = 0,
    const MapFile* file = nullptr);
Result<void> do_munmap(AddressSpace& space, uptr address, usize length);
Result<void> do_mprotect(AddressSpace& space, uptr address, usize length, u32 prot);
// brk never fails: it returns the new break, or the old one when the request cannot be met.
uptr do_brk(AddressSpace& space, uptr new_break);
Result<uptr> do_mremap(AddressSpace& space, uptr old_address, usize old_length, usize new_length, u32 flags,
    uptr new_address);
Result<void> do_madvise(AddressSpace& space, uptr address, usize length, u32 advice);
inline constexpr u32 kMsAsync = 1, kMsInvalidate = 2, kMsSync = 4;
// msync: MS_SYNC writes the dirty pages of shared file mappings in the range back; MS_ASYNC and MS_INVALIDATE
// have nothing to do when the page cache is the only copy mappings see. ENOMEM for a hole in the range (after
// syncing the rest, as Linux).
Result<void> do_msync(AddressSpace& space, uptr address, usize length, u32 flags);
// Fills `residency[i]` (one byte per page of the range) with 1 for resident pages, 0 otherwise.
Result<void> do_mincore(AddressSpace& space, uptr address, usize length, u8* residency);

} // namespace mm
