// Builds i386 ELF executables in memory for tests of the ELF parser and loader: a header, a program-header
// table and segment bytes, every field of which a test may bend before or after build().
#pragma once

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "arch/memory.hpp"
#include "proc/elf.hpp"

namespace elf_test {

inline constexpr u32 kPage = arch::kPageBytes;
inline constexpr u32 kExecBase = 0x08048000; // where i386 linkers put a static executable's text
// Segment bytes go after the first page, which holds the ELF header and the program headers.
inline constexpr u32 kFirstDataOffset = kPage;

class ElfBuilder {
public:
    explicit ElfBuilder(u16 type = proc::kEtExec, u32 entry = kExecBase + 0x100)
    {
        std::memset(&header, 0, sizeof(header));
        const u8 ident[16] = { 0x7F, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* ELFDATA2LSB */, 1 /* EV_CURRENT */ };
        std::memcpy(header.ident, ident, sizeof(ident));
        header.type = type;
        header.machine = 3; // EM_386
        header.version = 1;
        header.entry = entry;
        header.phoff = sizeof(proc::Elf32Header);
        header.ehsize = sizeof(proc::Elf32Header);
        header.phentsize = sizeof(proc::Elf32ProgramHeader);
    }

    // A program header as given; returns its index.
    usize add_header(const proc::Elf32ProgramHeader& ph)
    {
        programs.push_back(ph);
        return programs.size() - 1;
    }

    // A PT_LOAD with `data` as its file bytes, placed in the file at the next offset congruent to `vaddr`
    // modulo the page size; `memsz` 0 means the size of the data.
    usize add_load(u32 vaddr, const std::vector<u8>& data, u32 memsz, u32 flags)
    {
        u32 offset = next_offset(vaddr);
        put(offset, data);
        return add_header({ proc::kPtLoad, offset, vaddr, vaddr, static_cast<u32>(data.size()),
            memsz ? memsz : static_cast<u32>(data.size()), flags, kPage });
    }

    // A PT_LOAD at file offset 0 that also maps the ELF header and the program headers, as the first
    // segment of a real static executable does: `code` follows at offset `code_offset`.
    usize add_load_with_headers(u32 vaddr, u32 code_offset, const std::vector<u8>& code, u32 flags)
    {
        put(code_offset, code);
        u32 size = code_offset + static_cast<u32>(code.size());
        return add_header({ proc::kPtLoad, 0, vaddr, vaddr, size, size, flags, kPage });
    }

    // A PT_INTERP naming `path`, with its NUL unless `terminate` is false, its bytes at the end of the file so
    // far (at least at kFirstDataOffset).
    usize add_interp(const std::string& path, bool terminate = true)
    {
        std::vector<u8> bytes(path.begin(), path.end());
        if (terminate)
            bytes.push_back(0);
        u32 offset = std::max<u32>(kFirstDataOffset, static_cast<u32>(m_body.size()));
        put(offset, bytes);
        u32 size = static_cast<u32>(bytes.size());
        return add_header({ proc::kPtInterp, offset, 0, 0, size, size, proc::kPfRead, 1 });
    }

    // Bytes at `offset` of the file (the file grows to hold them).
    void put(u32 offset, const std::vector<u8>& data)
    {
        if (m_body.size() < offset + data.size())
            m_body.resize(offset + data.size());
        std::copy(data.begin(), data.end(), m_body.begin() + offset);
    }

    // The file. phnum is the number of program headers unless `tweak` (run last) says otherwise.
    std::vector<u8> build(const std::function<void(proc::Elf32Header&)>& tweak = {}) const
    {
        proc::Elf32Header h = header;
        h.phnum = static_cast<u16>(programs.size());
        if (tweak)
            tweak(h);
        std::vector<u8> file = m_body;
        usize table_end = h.phoff + programs.size() * sizeof(proc::Elf32ProgramHeader);
        usize needed = std::max<usize>({ sizeof(h), table_end, file.size() });
        if (h.phoff < 0x10000000 && file.size() < needed)
            file.resize(needed);
        std::memcpy(file.data(), &h, sizeof(h));
        if (h.phoff < 0x10000000 && !programs.empty())
            std::memcpy(file.data() + h.phoff, programs.data(), programs.size() * sizeof(proc::Elf32ProgramHeader));
        return file;
    }

    proc::Elf32Header header;
    std::vector<proc::Elf32ProgramHeader> programs;

private:
    u32 next_offset(u32 vaddr) const
    {
        u32 at = std::max<u32>(kFirstDataOffset, static_cast<u32>(m_body.size()));
        u32 want = vaddr % kPage;
        u32 offset = (at & ~(kPage - 1)) + want;
        return offset < at ? offset + kPage : offset;
    }

    std::vector<u8> m_body;
};

// `size` bytes of a recognisable pattern that depends on `seed`, so that misplaced bytes are noticed.
inline std::vector<u8> pattern(usize size, u8 seed)
{
    std::vector<u8> bytes(size);
    for (usize i = 0; i < size; ++i)
        bytes[i] = static_cast<u8>(seed + i * 7 + (i >> 8));
    return bytes;
}

// A dynamic loader as ld.so is built: ET_DYN linked at 0, text (with the headers) then data with a .bss, no
// PT_INTERP of its own.
inline constexpr u32 kInterpreterEntry = 0x180;
inline constexpr u32 kInterpreterData = 0x3040, kInterpreterDataBytes = 0x300, kInterpreterDataMemory = 0x1800;
inline ElfBuilder interpreter_image(u16 type = proc::kEtDyn, u32 base = 0)
{
    ElfBuilder elf(type, base + kInterpreterEntry);
    elf.add_load_with_headers(base, 0x100, pattern(0x1200, 7), proc::kPfRead | proc::kPfExecute);
    elf.add_load(base + kInterpreterData, pattern(kInterpreterDataBytes, 8), kInterpreterDataMemory,
        proc::kPfRead | proc::kPfWrite);
    return elf;
}

} // namespace elf_test
