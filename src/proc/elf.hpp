// ELF executables (System V ABI, i386 supplement): a parser that checks every header field and bound before
// use, and a loader that maps an executable (ET_EXEC or ET_DYN) or a dynamic program's interpreter (the
// PT_INTERP file, man 5 elf) into an address space.
#pragma once

#include "lib/string.hpp"
#include "mm/address_space.hpp"
#include "mm/vector.hpp"

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
// Where an ET_DYN without PT_INTERP goes: a static PIE, or a dynamic loader run as a command. Linux 6.1 puts
// these in the mmap region; two thirds of TASK_SIZE is where it put them before 4.13, and keeps them well away
// from the programs such a loader maps itself.
inline constexpr uptr kDynamicBase = 0x80000000;
// Where a PIE with an interpreter goes: Linux 6.1's ELF_ET_DYN_BASE for 32-bit x86 (arch/x86/include/asm/elf.h),
// low, so that the mmap region above it stays whole.
inline constexpr uptr kPieBase = 0x00400000;
// PATH_MAX: the longest PT_INTERP (its NUL included) Linux reads.
inline constexpr u32 kMaxInterpreterPath = 4096;

// What the parser found; the program headers are copied, so the file may go away.
struct ElfFile {
    static constexpr usize kMaxProgramHeaders = 64;
    u16 type;
    u32 entry;
    u32 phoff;
    u16 phnum;
    Elf32ProgramHeader headers[kMaxProgramHeaders];
    bool executable_stack;
    // PT_INTERP's bytes in the file, for a dynamically linked program; interpreter_size is 0 when there is none.
    u32 interpreter_offset;
    u32 interpreter_size;
    bool has_interpreter() const { return interpreter_size != 0; }
};

// Where an executable's bytes come from: memory (a test, the fuzzer) or an open file (execve). Offsets and
// lengths are checked by the parser against size() before any read.
class ExecutableReader {
public:
    virtual u64 size() const = 0;
    // Exactly `length` bytes at `offset`; EIO (or the file's error) when they cannot be read.
    virtual Result<void> read(u64 offset, void* buffer, usize length) = 0;
    // The file's pages, when segments can be mapped from them (private, copy-on-write) instead of copied;
    // nullptr: they are copied. Must hold the same bytes as read().
    virtual mm::VmBacking* pages() { return nullptr; }

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
// kernel can run (wrong magic, class, endianness, machine or type, no loadable segment, a PT_INTERP shorter than
// 2 bytes or longer than PATH_MAX, or two of them), EINVAL for a segment whose offsets or sizes do not fit the
// file or the user address space below the stack's reserve (AddressSpace::kMmapTop) where it will be loaded, or
// an entry point outside user space once relocated. The interpreter's path is not read: see interpreter_path.
Result<void> parse_elf(ExecutableReader& executable, ElfFile& file);
Result<ElfFile> parse_elf(ExecutableReader& executable);
Result<ElfFile> parse_elf(const u8* bytes, usize size);

// The path in a dynamic program's PT_INTERP, read into `buffer` (resized to hold it). As Linux: EIO when the
// file does not hold those bytes, ENOEXEC when they do not end with a NUL; the path stops at its first NUL.
Result<StringView> interpreter_path(ExecutableReader& executable, const ElfFile& file, mm::Vector<char>& buffer);

// parse_elf for the file a PT_INTERP names, with Linux's errnos for a bad interpreter: ELIBBAD when it is no
// well-formed i386 ELF file (EIO when shorter than an ELF header), and ELIBBAD too when it names an interpreter
// of its own (Linux ignores that PT_INTERP; a loader that needs a loader cannot start its program).
Result<void> parse_interpreter(ExecutableReader& interpreter, ElfFile& file);

struct LoadedImage {
    uptr entry;     // AT_ENTRY and the first instruction
    uptr phdr;      // AT_PHDR: where the program headers are in memory
    u32 phnum;      // AT_PHNUM
    uptr load_bias; // 0 for ET_EXEC
    uptr break_start;
};

// What is being loaded, which decides where an ET_DYN goes (ET_EXEC always stays at its addresses): the program
// (at kPieBase when it has an interpreter, else kDynamicBase), or its interpreter (wherever an mmap without a
// hint would go: the highest free range below AddressSpace::kMmapTop, as Linux's load_elf_interp).
enum class ElfRole { Program, Interpreter };

// Maps the loadable segments of `file` (parsed from `executable`) into `space` with their protections: from
// the executable's pages when it has them (private; the .bss tail of the last file page zeroed in a copy, as
// Linux's padzero), else by copying their file bytes; the rest (.bss) reads as zero. ENOMEM when memory or
// room for an interpreter runs out, EINVAL when the relocated entry point is not a user address.
Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, ExecutableReader& executable,
    ElfRole role = ElfRole::Program);
Result<LoadedImage> load_elf(mm::AddressSpace& space, const ElfFile& file, const u8* bytes, usize size,
    ElfRole role = ElfRole::Program);

} // namespace proc
