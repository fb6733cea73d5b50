// ELF parsing and loading. Every number from the file is checked before it is used as an offset, a size or
// an address: a malformed executable is an errno, never a fault (GUIDE §3).
#include "proc/elf.hpp"

#include "kernel/log.hpp"
#include "lib/string.hpp"
#include "mm/vector.hpp"

namespace proc {

namespace {

constexpr uptr kPage = arch::kPageBytes;

uptr page_down(uptr value) { return value & ~(kPage - 1); }
u64 page_up(u64 value) { return (value + kPage - 1) & ~u64 { kPage - 1 }; }

u32 prot_of(u32 flags)
{
    return (flags & kPfRead ? mm::kProtRead : 0u) | (flags & kPfWrite ? mm::kProtWrite : 0u)
        | (flags & kPfExecute ? mm::kProtExec : 0u);
}

// A static-PIE program goes where Linux would put it (its own addresses start near 0); ET_EXEC stays put.
uptr load_bias_of(const ElfFile& file)
{
    if (file.type != kEtDyn)
        return 0;
    uptr lowest = ~uptr { 0 };
    for (u16 i = 0; i < file.phnum; ++i)
        if (file.headers[i].type == kPtLoad && file.headers[i].vaddr < lowest)
            lowest = file.headers[i].vaddr;
    return kDynamicBase - page_down(lowest);
}

} // namespace

Result<void> MemoryExecutable::read(u64 offset, void* buffer, usize length)
{
    if (offset > m_size || m_size - offset < length)
        return Errno::IO;
    copy_bytes(buffer, m_bytes + offset, length);
    return {};
}

Result<ElfFile> parse_elf(const u8* bytes, usize size)
{
    MemoryExecutable executable(bytes, size);
    return parse_elf(executable);
}

Result<ElfFile> parse_elf(ExecutableReader& executable)
{
    u64 size = executable.size();
    if (size < sizeof(Elf32Header))
        return Errno::NOEXEC;
    Elf32Header header;
    TRY(executable.read(0, &header, sizeof(header)));
    const u8* id = header.ident;
    if (id[0] != 0x7F || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return Errno::NOEXEC;
    // ELFCLASS32, ELFDATA2LSB, EV_CURRENT; EM_386.
    if (id[4] != 1 || id[5] != 1 || id[6] != 1 || header.machine != 3 || header.version != 1)
        return Errno::NOEXEC;
    if (header.type != kEtExec && header.type != kEtDyn)
        return Errno::NOEXEC;
    if (header.phentsize != sizeof(Elf32ProgramHeader) || header.phnum == 0
        || header.phnum > ElfFile::kMaxProgramHeaders)
        return Errno::NOEXEC;
    if (header.phoff > size || size - header.phoff < u64 { header.phnum } * sizeof(Elf32ProgramHeader))
        return Errno::NOEXEC;

    ElfFile file {};
    file.type = header.type;
    file.entry = header.entry;
    file.phoff = header.phoff;
    file.phnum = header.phnum;
    TRY(executable.read(header.phoff, file.headers, header.phnum * sizeof(Elf32ProgramHeader)));

    // A dynamic executable is ENOEXEC wherever its PT_INTERP is listed, before any segment is judged.
    for (u16 i = 0; i < file.phnum; ++i) {
        if (file.headers[i].type == kPtInterp) {
            log_info("exec: a dynamically linked program needs an interpreter, which is not supported yet");
            return Errno::NOEXEC;
        }
    }

    usize loads = 0;
    for (u16 i = 0; i < file.phnum; ++i) {
        const Elf32ProgramHeader& ph = file.headers[i];
        if (ph.type == kPtGnuStack)
            file.executable_stack = ph.flags & kPfExecute;
        if (ph.type != kPtLoad)
            continue;
        ++loads;
        if (ph.filesz > ph.memsz || ph.offset > size || size - ph.offset < ph.filesz)
            return Errno::INVAL;
        // The file offset and the address must agree modulo the page size to be mapped (Linux's elf_map).
        if ((ph.offset - ph.vaddr) % kPage)
            return Errno::INVAL;
        u64 end = u64 { ph.vaddr } + ph.memsz;
        // The top of user space is the main stack's (exec puts it there after loading, and it grows down to
        // kMmapTop): a segment reaching into it would collide with the stack, as on Linux (EEXIST there).
        uptr limit = header.type == kEtDyn ? mm::AddressSpace::kMmapTop - kDynamicBase : mm::AddressSpace::kMmapTop;
        if (ph.memsz == 0 || end > limit)
            return Errno::INVAL;
        if (header.type == kEtExec && page_down(ph.vaddr) < mm::AddressSpace::kMmapBottom)
            return Errno::INVAL; // below mmap_min_addr, where nothing may be mapped
    }
    if (loads == 0)
        return Errno::NOEXEC;
    // The entry point must be a user address once relocated (Linux's BAD_ADDR(e_entry) check: EINVAL).
    if (u64 { header.entry } + load_bias_of(file) >= arch::kUserEnd)
        return Errno::INVAL;
    return file;
}

Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, const u8* bytes, usize size)
{
    MemoryExecutable executable(bytes, size);
    return load_elf(space, file, executable);
}

namespace {

// A segment's file bytes into the new address space, a chunk at a time through a kernel buffer.
Result<void> copy_segment(mm::AddressSpace& space, ExecutableReader& executable, uptr address, u64 offset, usize length)
{
    constexpr usize kChunk = kPage;
    mm::Vector<u8> chunk;
    TRY(chunk.try_resize_uninitialised(kChunk));
    for (usize done = 0; done < length;) {
        usize now = length - done < kChunk ? length - done : kChunk;
        TRY(executable.read(offset + done, chunk.data(), now));
        TRY(space.write_initial(address + done, chunk.data(), now));
        done += now;
    }
    return {};
}

} // namespace

Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, ExecutableReader& executable)
{
    uptr bias = load_bias_of(file);

    LoadedImage image {};
    image.entry = file.entry + bias;
    image.phnum = file.phnum;
    image.load_bias = bias;
    for (u16 i = 0; i < file.phnum; ++i) {
        const Elf32ProgramHeader& ph = file.headers[i];
        if (ph.type == kPtPhdr)
            image.phdr = ph.vaddr + bias;
        if (ph.type != kPtLoad)
            continue;
        uptr start = page_down(ph.vaddr + bias);
        uptr end = static_cast<uptr>(page_up(u64 { ph.vaddr } + bias + ph.memsz));
        // Segments may share a page (text and data of a small program), and a crafted file may overlap them
        // anywhere, in any order: a page already mapped keeps its area and takes the union of both
        // protections; each run of free pages gets a new area (add_area must only be given free ranges).
        // One step per area or gap, not per page: a segment may span most of user space.
        for (uptr at = start; at < end;) {
            if (mm::VmArea* area = space.find_area(at)) {
                uptr stop = area->end < end ? area->end : end;
                TRY(space.protect_range(at, stop, area->prot | prot_of(ph.flags)));
                at = stop;
                continue;
            }
            mm::VmArea* next = space.first_area_after(at);
            uptr stop = next && next->start < end ? next->start : end;
            TRY(space.add_area(at, stop, prot_of(ph.flags), 0));
            at = stop;
        }
        if (ph.filesz)
            TRY(copy_segment(space, executable, ph.vaddr + bias, ph.offset, ph.filesz));
        if (!image.phdr && file.phoff >= ph.offset && file.phoff - ph.offset < ph.filesz)
            image.phdr = ph.vaddr + bias + (file.phoff - ph.offset);
        if (end > image.break_start)
            image.break_start = end;
    }
    return image;
}

} // namespace proc
