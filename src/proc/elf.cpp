// ELF parsing and loading. Every number from the file is checked before it is used as an offset, a size or
// an address: a malformed executable is an errno, never a fault (GUIDE §3).
#include "proc/elf.hpp"

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

// The page the lowest PT_LOAD starts in, and the end of the page the highest one ends in.
uptr lowest_page(const ElfFile& file)
{
    uptr lowest = ~uptr { 0 };
    for (u16 i = 0; i < file.phnum; ++i)
        if (file.headers[i].type == kPtLoad && file.headers[i].vaddr < lowest)
            lowest = file.headers[i].vaddr;
    return page_down(lowest);
}
u64 highest_page_end(const ElfFile& file)
{
    u64 highest = 0;
    for (u16 i = 0; i < file.phnum; ++i) {
        const Elf32ProgramHeader& ph = file.headers[i];
        if (ph.type == kPtLoad && u64 { ph.vaddr } + ph.memsz > highest)
            highest = u64 { ph.vaddr } + ph.memsz;
    }
    return page_up(highest);
}

// Where a program's first page goes: ET_EXEC stays put; an ET_DYN goes where Linux 6.1 puts a PIE when it has
// an interpreter, else where this kernel puts a static PIE or a loader run as a command (elf.hpp).
uptr program_base(const ElfFile& file)
{
    if (file.type != kEtDyn)
        return 0;
    return file.has_interpreter() ? kPieBase : kDynamicBase;
}

// An ET_DYN interpreter's first page goes at the top of the highest free range that holds all its segments,
// as a no-hint mmap of its whole extent does in Linux's load_elf_interp; the program is already in `space`,
// so the two cannot collide.
Result<uptr> interpreter_base(const mm::AddressSpace& space, const ElfFile& file)
{
    u64 span = highest_page_end(file) - lowest_page(file);
    return space.find_free(static_cast<usize>(span));
}

// What is added to every p_vaddr when an ET_DYN's first page goes at `base`. It may wrap (a PIE linked above
// its base): the segments' sums wrap back, since none lies below the first page.
uptr bias_for(const ElfFile& file, uptr base) { return file.type == kEtDyn ? base - lowest_page(file) : 0; }

// Whether the entry point is a user address once the first page is at `base`, counted without wrapping
// (Linux's BAD_ADDR(e_entry) check: EINVAL otherwise).
bool entry_in_user_space(const ElfFile& file, uptr base)
{
    i64 entry = i64 { file.entry };
    if (file.type == kEtDyn)
        entry += static_cast<i64>(base) - static_cast<i64>(lowest_page(file));
    return entry >= 0 && entry < static_cast<i64>(arch::kUserEnd);
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
    ElfFile file;
    TRY(parse_elf(executable, file));
    return file;
}

Result<void> parse_elf(ExecutableReader& executable, ElfFile& file)
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

    fill_bytes(&file, 0, sizeof(file));
    file.type = header.type;
    file.entry = header.entry;
    file.phoff = header.phoff;
    file.phnum = header.phnum;
    TRY(executable.read(header.phoff, file.headers, header.phnum * sizeof(Elf32ProgramHeader)));

    // PT_INTERP first, wherever it is listed: whether there is an interpreter decides where an ET_DYN goes,
    // so which addresses its segments must fit. Linux's bounds (ENOEXEC): at least one character and its NUL,
    // at most PATH_MAX; man 5 elf allows one PT_INTERP only (Linux would silently take the first).
    for (u16 i = 0; i < file.phnum; ++i) {
        const Elf32ProgramHeader& ph = file.headers[i];
        if (ph.type != kPtInterp)
            continue;
        if (file.has_interpreter() || ph.filesz < 2 || ph.filesz > kMaxInterpreterPath)
            return Errno::NOEXEC;
        file.interpreter_offset = ph.offset;
        file.interpreter_size = ph.filesz;
    }

    uptr base = program_base(file);
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
        // An ET_DYN's extent is counted from its base, whatever its own first address (a safe bound).
        uptr limit = mm::AddressSpace::kMmapTop - base;
        if (ph.memsz == 0 || end > limit)
            return Errno::INVAL;
        if (header.type == kEtExec && page_down(ph.vaddr) < mm::AddressSpace::kMmapBottom)
            return Errno::INVAL; // below mmap_min_addr, where nothing may be mapped
    }
    if (loads == 0)
        return Errno::NOEXEC;
    if (!entry_in_user_space(file, base))
        return Errno::INVAL;
    return {};
}

Result<StringView> interpreter_path(ExecutableReader& executable, const ElfFile& file, mm::Vector<char>& buffer)
{
    if (!file.has_interpreter())
        return StringView();
    u32 length = file.interpreter_size;
    // Linux reads the path with elf_read, for which a file that ends too soon is EIO.
    if (file.interpreter_offset > executable.size() || executable.size() - file.interpreter_offset < length)
        return Errno::IO;
    TRY(buffer.try_resize_uninitialised(length));
    TRY(executable.read(file.interpreter_offset, buffer.data(), length));
    if (buffer[length - 1] != '\0')
        return Errno::NOEXEC;
    return StringView(buffer.data(), string_length(buffer.data()));
}

Result<void> parse_interpreter(ExecutableReader& interpreter, ElfFile& file)
{
    // Linux reads the interpreter's ELF header with elf_read (EIO if short), then finds it "not an ELF
    // interpreter" (ELIBBAD) on a bad magic, machine or program-header table.
    if (interpreter.size() < sizeof(Elf32Header))
        return Errno::IO;
    auto parsed = parse_elf(interpreter, file);
    if (parsed.is_error())
        return parsed.error() == Errno::NOEXEC ? Errno::LIBBAD : parsed.error();
    if (file.has_interpreter())
        return Errno::LIBBAD;
    return {};
}

Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, const u8* bytes, usize size, ElfRole role)
{
    MemoryExecutable executable(bytes, size);
    return load_elf(space, file, executable, role);
}

namespace {

// A segment into [start, end) by copying its file bytes, a chunk at a time through a kernel buffer.
// Segments may share a page (text and data of a small program), and a crafted file may overlap them anywhere,
// in any order: a page already mapped keeps its area and takes the union of both protections; each run of
// free pages gets a new area (add_area must only be given free ranges). One step per area or gap, not per
// page: a segment may span most of user space.
Result<void> copy_segment(mm::AddressSpace& space, ExecutableReader& executable, const Elf32ProgramHeader& ph,
    uptr bias, uptr start, uptr end)
{
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
    if (!ph.filesz)
        return {};
    mm::Vector<u8> chunk;
    TRY(chunk.try_resize_uninitialised(kPage));
    uptr address = ph.vaddr + bias;
    for (usize done = 0; done < ph.filesz;) {
        usize now = ph.filesz - done < kPage ? ph.filesz - done : kPage;
        TRY(executable.read(ph.offset + done, chunk.data(), now));
        TRY(space.write_initial(address + done, chunk.data(), now));
        done += now;
    }
    return {};
}

// A segment over free pages [start, end), from the file's pages: private from the file up to the end of its
// last file byte's page (what Linux's elf_map maps), that page's tail zeroed in a private copy when .bss
// follows (padzero), anonymous pages after it. The file's pages are shared until written.
Result<void> map_segment(mm::AddressSpace& space, mm::VmBacking& pages, const Elf32ProgramHeader& ph, uptr bias,
    uptr start, uptr end)
{
    u32 prot = prot_of(ph.flags);
    uptr file_end = static_cast<uptr>(page_up(u64 { ph.vaddr } + bias + ph.filesz));
    TRY(space.add_area(start, file_end, prot, 0, &pages, page_down(ph.offset) / kPage));
    if (ph.memsz == ph.filesz)
        return {};
    static const u8 zeros[256] = {};
    for (uptr at = ph.vaddr + bias + ph.filesz; at < file_end;) {
        usize now = file_end - at < sizeof(zeros) ? file_end - at : sizeof(zeros);
        TRY(space.write_initial(at, zeros, now));
        at += now;
    }
    if (end > file_end)
        TRY(space.add_area(file_end, end, prot, 0));
    return {};
}

} // namespace

Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, ExecutableReader& executable, ElfRole role)
{
    uptr base = role == ElfRole::Interpreter && file.type == kEtDyn ? TRY(interpreter_base(space, file))
                                                                     : program_base(file);
    // Checked again here: an interpreter's entry is only known to be a user address once it is placed.
    if (!entry_in_user_space(file, base))
        return Errno::INVAL;
    uptr bias = bias_for(file, base);

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
        if (mm::VmBacking* pages = executable.pages(); pages && ph.filesz && space.is_free(start, end))
            TRY(map_segment(space, *pages, ph, bias, start, end));
        else
            TRY(copy_segment(space, executable, ph, bias, start, end));
        if (!image.phdr && file.phoff >= ph.offset && file.phoff - ph.offset < ph.filesz)
            image.phdr = ph.vaddr + bias + (file.phoff - ph.offset);
        if (end > image.break_start)
            image.break_start = end;
    }
    return image;
}

} // namespace proc
