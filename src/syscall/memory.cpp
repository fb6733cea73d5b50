// The memory system calls: argument copying only; the semantics are in mm/mmap.cpp.
#include "fs/file_operations.hpp"
#include "fs/mount.hpp"
#include "fs/open_file.hpp"
#include "mm/mmap.hpp"
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

mm::AddressSpace& space() { return *proc::current()->space; }

} // namespace

Result<u32> sys_brk(u32 address) { return static_cast<u32>(mm::do_brk(space(), address)); }

Result<u32> sys_mmap2(u32 address, u32 length, u32 prot, u32 flags, i32 fd, u32 page_offset)
{
    if (flags & mm::kMapAnonymous)
        return static_cast<u32>(TRY(mm::do_mmap(space(), address, length, prot, flags, page_offset)));
    RefPtr<fs::OpenFile> file = TRY(proc::current()->files->get(fd));
    if (file->is_path_only())
        return Errno::BADF;
    auto pages = file->operations().mmap_pages(*file);
    mm::MapFile mapped { pages.is_error() ? nullptr : pages.value(), !pages.is_error(), file->readable(),
        file->writable(), false, (file->path().mount->flags() & fs::kMsNoExec) != 0 };
    return static_cast<u32>(TRY(mm::do_mmap(space(), address, length, prot, flags, page_offset, &mapped)));
}

Result<u32> sys_old_mmap(mm::UserIn<MmapArgs> arguments)
{
    MmapArgs a;
    TRY(mm::copy_from_user(a, arguments));
    if (a.offset % arch::kPageBytes)
        return Errno::INVAL;
    return sys_mmap2(a.address, a.length, a.prot, a.flags, static_cast<i32>(a.fd), a.offset / arch::kPageBytes);
}

Result<void> sys_msync(u32 address, u32 length, u32 flags) { return mm::do_msync(space(), address, length, flags); }

Result<void> sys_munmap(u32 address, u32 length) { return mm::do_munmap(space(), address, length); }

Result<void> sys_mprotect(u32 address, u32 length, u32 prot) { return mm::do_mprotect(space(), address, length, prot); }

Result<u32> sys_mremap(u32 old_address, u32 old_length, u32 new_length, u32 flags, u32 new_address)
{
    return static_cast<u32>(TRY(mm::do_mremap(space(), old_address, old_length, new_length, flags, new_address)));
}

Result<void> sys_madvise(u32 address, u32 length, i32 advice)
{
    return mm::do_madvise(space(), address, length, static_cast<u32>(advice));
}

Result<void> sys_mincore(u32 address, u32 length, mm::UserOut<u8> residency)
{
    // In chunks, so that a large range needs no large kernel buffer.
    constexpr usize kChunk = 256;
    u8 buffer[kChunk];
    if (address % arch::kPageBytes)
        return Errno::INVAL;
    u64 pages = (u64 { length } + arch::kPageBytes - 1) / arch::kPageBytes;
    for (u64 done = 0; done < pages;) {
        usize now = pages - done < kChunk ? static_cast<usize>(pages - done) : kChunk;
        uptr start = address + static_cast<uptr>(done) * arch::kPageBytes;
        TRY(mm::do_mincore(space(), start, now * arch::kPageBytes, buffer));
        TRY(mm::copy_array_to_user(residency.offset(static_cast<usize>(done)), buffer, now));
        done += now;
    }
    return {};
}

} // namespace sys
