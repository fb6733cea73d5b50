// ELF executables (System V ABI, i386 supplement): a parser that checks every header field and bound before
// use, and a loader that maps a static executable (ET_EXEC, or static-PIE ET_DYN) into an address space.
#pragma once

#include "mm/address_space.hpp"

namespace proc {

// Elf32_Ehdr and Elf32_Phdr (elf.h), as they are in the file.
struct [[gnu::packed]] Elf32Header {
    u8 ident[16];
    u16 type, machine;
    u32 version, entry, phoff, shoff, flags;
    u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(Elf32Header) == 52);

struct [[gnu::packed]] Elf32ProgramHeader {
    u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
static_assert(sizeof(Elf32ProgramHeader) == 32);

inline constexpr u32 kPtLoad = 1, kPtInterp = 3, kPtPhdr = 6, kPtGnuStack = 0x6474e551;
inline constexpr u32 kPfExecute = 1, kPfWrite = 2, kPfRead = 4;
inline constexpr u16 kEtExec = 2, kEtDyn = 3;
// Where Linux puts a static-PIE program on i386 (ELF_ET_DYN_BASE: two thirds of TASK_SIZE).
inline constexpr uptr kDynamicBase = 0x80000000;

// What the parser found; the program headers are copied, so the file may go away.
struct ElfFile {
    static constexpr usize kMaxProgramHeaders = 64;
    u16 type;
    u32 entry;
    u32 phoff;
    u16 phnum;
    Elf32ProgramHeader headers[kMaxProgramHeaders];
    bool executable_stack;
};

// Where an executable's bytes come from: memory (a test, the fuzzer) or an open file (execve). Offsets and
// lengths are checked by the parser against size() before any read.
class ExecutableReader {
public:
    virtual u64 size() const = 0;
    // Exactly `length` bytes at `offset`; EIO (or the file's error) when they cannot be read.
    virtual Result<void> read(u64 offset, void* buffer, usize length) = 0;

protected:
    ~ExecutableReader() = default;
};

class MemoryExecutable final : public ExecutableReader {
public:
    MemoryExecutable(const u8* bytes, usize size) : m_bytes(bytes), m_size(size) {}
    u64 size() const override { return m_size; }
    Result<void> read(u64 offset, void* buffer, usize length) override;

private:
    const u8* m_bytes;
    usize m_size;
};

// Checks the executable and reads its headers. ENOEXEC for anything that is not a well-formed i386 executable this
// kernel can run (wrong magic, class, endianness, machine or type, a dynamic executable, no loadable
// segment), EINVAL for a segment whose offsets or sizes do not fit the file or the user address space below the
// stack's reserve (AddressSpace::kMmapTop), or an entry point outside user space once relocated.
Result<ElfFile> parse_elf(ExecutableReader& executable);
Result<ElfFile> parse_elf(const u8* bytes, usize size);

struct LoadedImage {
    uptr entry;     // AT_ENTRY and the first instruction
    uptr phdr;      // AT_PHDR: where the program headers are in memory
    u32 phnum;      // AT_PHNUM
    uptr load_bias; // 0 for ET_EXEC
    uptr break_start;
};

// Maps the loadable segments of `file` (parsed from `executable`) into `space` with their protections, copies
// their file bytes and leaves the rest (.bss) zero. ENOMEM when memory runs out.
Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, ExecutableReader& executable);
Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, const u8* bytes, usize size);

} // namespace proc
