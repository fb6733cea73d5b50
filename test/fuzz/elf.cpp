// libFuzzer target for proc::parse_elf and proc::load_elf: the fuzz bytes are an executable file. When it
// parses, it is loaded into a fresh address space of a simulated machine (its RAM set up once and reused), the
// space's invariants and the loaded bytes are checked, then exec's whole path (prepare_exec, with the initial
// stack) runs on the same bytes, a PT_INTERP served a well-formed interpreter. Then the bytes play the
// interpreter of a well-formed dynamic program (parse_interpreter, the interpreter's placement, exec again).
// A file that parses is loaded a second time from a page cache holding its bytes, as exec loads a file (its
// segments mapped from the cache, copy-on-write): the same image and bytes. Each space is destroyed and every
// page must come back.
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <vector>

#include "kernel/panic.hpp"
#include "mm/address_space.hpp"
#include "mm/kmalloc.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/physical_memory.hpp"
#include "mm/uaccess.hpp"
#include "proc/elf.hpp"
#include "proc/exec.hpp"
#include "proc/process.hpp"
#include "../unit/proc/elf_builder.hpp"
#include "fuzz_machine.hpp"
#include "sim/sim.hpp"

namespace {

constexpr uptr kPage = arch::kPageBytes;

using fuzz::machine;
using fuzz::require;

void require_no_leak()
{
    mm::kmalloc_shrink();
    require(mm::page_allocator().free_pages() == machine().free_pages);
    require(sim::live_page_tables() == 0);
}

uptr page_down(uptr value) { return value & ~(kPage - 1); }
u64 page_up(u64 value) { return (value + kPage - 1) & ~u64 { kPage - 1 }; }

// What the parser promised about a file it accepted.
void check_parsed(const proc::ElfFile& file)
{
    require(file.type == proc::kEtExec || file.type == proc::kEtDyn);
    require(file.phnum >= 1 && file.phnum <= proc::ElfFile::kMaxProgramHeaders);
    usize loads = 0, interpreters = 0;
    for (u16 i = 0; i < file.phnum; ++i) {
        const auto& ph = file.headers[i];
        if (ph.type == proc::kPtInterp) {
            ++interpreters;
            require(ph.offset == file.interpreter_offset && ph.filesz == file.interpreter_size);
            require(ph.filesz >= 2 && ph.filesz <= proc::kMaxInterpreterPath);
        }
        if (ph.type != proc::kPtLoad)
            continue;
        ++loads;
        require(ph.filesz <= ph.memsz && ph.memsz > 0);
        require(u64 { ph.vaddr } + ph.memsz <= arch::kUserEnd);
    }
    require(loads > 0);
    require(interpreters == (file.has_interpreter() ? 1u : 0u));
}

// Whether the page ranges of the PT_LOAD segments are pairwise disjoint (then each one's bytes must read back
// exactly; overlapping ones legitimately share pages).
bool loads_disjoint(const proc::ElfFile& file)
{
    for (u16 i = 0; i < file.phnum; ++i) {
        const auto& a = file.headers[i];
        if (a.type != proc::kPtLoad)
            continue;
        for (u16 j = i + 1; j < file.phnum; ++j) {
            const auto& b = file.headers[j];
            if (b.type != proc::kPtLoad)
                continue;
            u64 a_start = page_down(a.vaddr), a_end = page_up(u64 { a.vaddr } + a.memsz);
            u64 b_start = page_down(b.vaddr), b_end = page_up(u64 { b.vaddr } + b.memsz);
            if (a_start < b_end && b_start < a_end)
                return false;
        }
    }
    return true;
}

// `shared_pages`: some of its pages may be another image's too (an ET_EXEC interpreter placed over its program),
// so their bytes are not its own alone.
void check_loaded(mm::AddressSpace& space, const proc::ElfFile& file, const proc::LoadedImage& image, const u8* bytes,
    bool shared_pages = false)
{
    const char* violation = space.invariant_violation();
    require(violation == nullptr);
    require(image.entry < arch::kUserEnd);
    require(image.phnum == file.phnum);
    require(image.load_bias % kPage == 0);
    require(file.type == proc::kEtDyn || image.load_bias == 0);
    require(image.break_start % kPage == 0 && image.break_start <= mm::AddressSpace::kMmapTop);

    bool disjoint = !shared_pages && loads_disjoint(file);
    for (u16 i = 0; i < file.phnum; ++i) {
        const auto& ph = file.headers[i];
        if (ph.type != proc::kPtLoad)
            continue;
        uptr start = ph.vaddr + image.load_bias;
        require(start >= mm::AddressSpace::kMmapBottom);
        require(u64 { start } + ph.memsz <= image.break_start);
        require(space.is_covered(page_down(start), static_cast<uptr>(page_up(u64 { start } + ph.memsz))));
        if (!disjoint)
            continue;
        // Its file bytes (the first and last few) and the first bytes of its .bss, as a system call reads them.
        u8 buffer[64];
        usize head = ph.filesz < sizeof(buffer) ? ph.filesz : sizeof(buffer);
        // Disjoint segments have an area each: a segment without PF_R, PF_W or PF_X is PROT_NONE, which not even
        // the kernel's copies may read.
        if (space.find_area(start)->prot == mm::kProtNone) {
            require(head == 0 || mm::raw::copy_from_user(buffer, start, head).is_error());
            continue;
        }
        require(!mm::raw::copy_from_user(buffer, start, head).is_error());
        require(memcmp(buffer, bytes + ph.offset, head) == 0);
        if (ph.filesz > head) {
            require(!mm::raw::copy_from_user(buffer, start + ph.filesz - head, head).is_error());
            require(memcmp(buffer, bytes + ph.offset + ph.filesz - head, head) == 0);
        }
        usize bss = ph.memsz - ph.filesz < sizeof(buffer) ? ph.memsz - ph.filesz : sizeof(buffer);
        if (bss) {
            require(!mm::raw::copy_from_user(buffer, start + ph.filesz, bss).is_error());
            for (usize k = 0; k < bss; ++k)
                require(buffer[k] == 0);
        }
    }
}

// The executable in a page cache, as a tmpfs file's bytes are: exec maps its segments from there.
struct CachedExecutable final : proc::ExecutableReader, mm::MappedFile {
    mm::PageCache cache;
    mm::FileMapping mapping { cache, *this };
    const u8* bytes;
    usize length;
    long pins = 0;

    CachedExecutable(const u8* data, usize size) : bytes(data), length(size)
    {
        for (u64 index = 0; index * kPage < size; ++index) {
            auto frame = cache.find_or_create(index);
            require(!frame.is_error());
            usize chunk = size - index * kPage < kPage ? size - index * kPage : kPage;
            memcpy(arch::phys_to_virt(frame.value(), kPage), data + index * kPage, chunk);
        }
    }
    u64 size() const override { return length; }
    Result<void> read(u64 offset, void* buffer, usize count) override
    {
        if (offset > length || length - offset < count)
            return Errno::IO;
        memcpy(buffer, bytes + offset, count);
        return {};
    }
    mm::VmBacking* pages() override { return &mapping; }
    void pin() override { ++pins; }
    void unpin() override { --pins; }
};

// Serves the same interpreter for every path, counting the lookups.
class FixedInterpreter final : public proc::InterpreterLookup {
public:
    FixedInterpreter(const std::vector<u8>& bytes) : m_reader(bytes.empty() ? nullptr : bytes.data(), bytes.size()) {}
    Result<proc::ExecutableReader*> open(StringView) override
    {
        ++lookups;
        return &m_reader;
    }
    usize lookups { 0 };

private:
    proc::MemoryExecutable m_reader;
};

const std::vector<u8>& good_interpreter()
{
    static const std::vector<u8> bytes = elf_test::interpreter_image().build();
    return bytes;
}
const std::vector<u8>& good_dynamic_program()
{
    static const std::vector<u8> bytes = [] {
        elf_test::ElfBuilder elf(proc::kEtDyn, 0x180);
        elf.add_load_with_headers(0, 0x100, elf_test::pattern(0x900, 3), proc::kPfRead | proc::kPfExecute);
        elf.add_interp("/lib/ld-musl-i386.so.1");
        elf.add_load(0x1A00, elf_test::pattern(0x300, 4), 0x1000, proc::kPfRead | proc::kPfWrite);
        return elf.build();
    }();
    return bytes;
}

const char* const kArgv[] = { "/fuzz/prog", "arg", nullptr };
const char* const kEnvp[] = { "HOME=/", nullptr };

void check_exec(const Result<proc::ExecImage>& exec)
{
    if (exec.is_error())
        return;
    require(exec.value().stack % 16 == 0 && exec.value().stack < arch::kUserEnd);
    require(exec.value().entry < arch::kUserEnd);
    require(exec.value().space->invariant_violation() == nullptr);
}

// The fuzz bytes as the interpreter of a well-formed program: the interpreter's errnos, its placement beside
// the program, and the whole exec.
void fuzz_interpreter(const u8* bytes, size_t size)
{
    proc::ElfFile file;
    proc::MemoryExecutable executable(bytes, size);
    auto parsed = proc::parse_interpreter(executable, file);
    if (parsed.is_error()) {
        require(parsed.error() == Errno::LIBBAD || parsed.error() == Errno::IO || parsed.error() == Errno::INVAL);
        return;
    }
    require(!file.has_interpreter());
    {
        auto created = mm::AddressSpace::create();
        require(!created.is_error());
        OwnPtr<mm::AddressSpace> space = created.release_value();
        space->activate();
        const auto& program_bytes = good_dynamic_program();
        auto program = proc::parse_elf(program_bytes.data(), program_bytes.size());
        require(!program.is_error());
        auto loaded_program = proc::load_elf(*space, program.value(), program_bytes.data(), program_bytes.size());
        require(!loaded_program.is_error());
        auto loaded = proc::load_elf(*space, file, executable, proc::ElfRole::Interpreter);
        if (loaded.is_error()) {
            require(loaded.error() == Errno::NOMEM || loaded.error() == Errno::INVAL);
        } else {
            // An ET_EXEC interpreter stays at its addresses, which may be the program's: pages both map hold
            // both images' bytes (the loader's union), so only its own exclusive pages are compared.
            bool over_program = false;
            uptr program_low = loaded_program.value().load_bias, program_high = loaded_program.value().break_start;
            for (u16 i = 0; file.type == proc::kEtExec && i < file.phnum; ++i) {
                const auto& ph = file.headers[i];
                u64 low = page_down(ph.vaddr), high = page_up(u64 { ph.vaddr } + ph.memsz);
                over_program = over_program || (ph.type == proc::kPtLoad && high > program_low && low < program_high);
            }
            check_loaded(*space, file, loaded.value(), bytes, over_program);
            // An ET_DYN interpreter is placed clear of the program (at kPieBase), above it.
            for (u16 i = 0; file.type == proc::kEtDyn && i < file.phnum; ++i)
                if (file.headers[i].type == proc::kPtLoad)
                    require(file.headers[i].vaddr + loaded.value().load_bias >= loaded_program.value().break_start);
        }
        require(space->invariant_violation() == nullptr);
    }
    require_no_leak();
    {
        std::vector<u8> copy(bytes, bytes + size);
        FixedInterpreter lookup(copy);
        const auto& program_bytes = good_dynamic_program();
        auto exec = proc::prepare_exec(program_bytes.data(), program_bytes.size(), kArgv, kEnvp, kArgv[0], &lookup);
        require(lookup.lookups == 1);
        if (exec.is_error())
            require(exec.error() == Errno::NOMEM || exec.error() == Errno::INVAL);
        check_exec(exec);
    }
    require_no_leak();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    (void)machine(); // set up once
    // An exact-size heap copy: a read one byte past the file is an ASan report.
    std::vector<u8> file(data, data + size);
    const u8* bytes = file.empty() ? nullptr : file.data();

    auto parsed = proc::parse_elf(bytes, size);
    if (parsed.is_error()) {
        require(parsed.error() == Errno::NOEXEC || parsed.error() == Errno::INVAL);
        fuzz_interpreter(bytes, size);
        return 0;
    }
    check_parsed(parsed.value());

    {
        auto created = mm::AddressSpace::create();
        require(!created.is_error());
        OwnPtr<mm::AddressSpace> space = created.release_value();
        space->activate();
        auto loaded = proc::load_elf(*space, parsed.value(), bytes, size);
        if (loaded.is_error())
            require(loaded.error() == Errno::NOMEM);
        else
            check_loaded(*space, parsed.value(), loaded.value(), bytes);
        require(space->invariant_violation() == nullptr);

        CachedExecutable cached(bytes, size);
        {
            auto other = mm::AddressSpace::create();
            require(!other.is_error());
            OwnPtr<mm::AddressSpace> mapped_space = other.release_value();
            mapped_space->activate();
            auto mapped = proc::load_elf(*mapped_space, parsed.value(), cached);
            require(mapped.is_error() == loaded.is_error());
            if (!mapped.is_error()) {
                check_loaded(*mapped_space, parsed.value(), mapped.value(), bytes);
                require(mapped.value().entry == loaded.value().entry && mapped.value().phdr == loaded.value().phdr
                    && mapped.value().break_start == loaded.value().break_start);
            }
            require(mapped_space->invariant_violation() == nullptr);
            space->activate();
        }
        require(cached.pins == 0);
    }
    require_no_leak();

    // A dynamic program's interpreter path: read in bounds, or EIO / ENOEXEC as Linux.
    if (parsed.value().has_interpreter()) {
        proc::MemoryExecutable executable(bytes, size);
        mm::Vector<char> buffer;
        auto path = proc::interpreter_path(executable, parsed.value(), buffer);
        if (path.is_error())
            require(path.error() == Errno::IO || path.error() == Errno::NOEXEC);
        else
            require(path.value().length() < parsed.value().interpreter_size);
    }
    require_no_leak();

    // The whole of exec: the same image (and a good interpreter, when it names one) plus its initial stack.
    {
        FixedInterpreter lookup(good_interpreter());
        auto exec = proc::prepare_exec(bytes, size, kArgv, kEnvp, kArgv[0], &lookup);
        require(lookup.lookups <= (parsed.value().has_interpreter() ? 1u : 0u));
        if (exec.is_error()) {
            bool path_error = parsed.value().has_interpreter()
                && (exec.error() == Errno::IO || exec.error() == Errno::NOEXEC);
            require(exec.error() == Errno::NOMEM || path_error);
        }
        check_exec(exec);
    }
    require_no_leak();
    fuzz_interpreter(bytes, size);
    return 0;
}
