// Dynamic programs in the ELF parser and loader: PT_INTERP and its path, the checks on the interpreter file,
// and where a PIE and its interpreter are placed (Linux 6.1's binfmt_elf, man 5 elf).
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <vector>

#include "../mm/user_space.hpp"
#include "elf_builder.hpp"
#include "mm/uaccess.hpp"
#include "proc/elf.hpp"

using namespace elf_test;
using proc::ElfRole;

namespace {

constexpr u32 kRX = proc::kPfRead | proc::kPfExecute;
constexpr u32 kRW = proc::kPfRead | proc::kPfWrite;
constexpr const char* kLoader = "/lib/ld-musl-i386.so.1";
// interpreter_image()'s extent: its data and .bss end at 0x4840, in the fifth page.
constexpr uptr kInterpreterExtent = 0x5000;

struct Loader : UserSpace {

    Result<proc::LoadedImage> try_load(const std::vector<u8>& file, ElfRole role)
    {
        proc::ElfFile parsed;
        proc::MemoryExecutable executable(file.data(), file.size());
        if (role == ElfRole::Interpreter)
            TRY(proc::parse_interpreter(executable, parsed));
        else
            TRY(proc::parse_elf(executable, parsed));
        auto loaded = proc::load_elf(*space, parsed, executable, role);
        REQUIRE(space->invariant_violation() == nullptr);
        return loaded;
    }
    proc::LoadedImage load(const std::vector<u8>& file, ElfRole role = ElfRole::Program)
    {
        auto loaded = try_load(file, role);
        REQUIRE_FALSE(loaded.is_error());
        return loaded.value();
    }

    std::vector<u8> read(uptr address, usize length)
    {
        std::vector<u8> bytes(length);
        REQUIRE_FALSE(mm::raw::copy_from_user(bytes.data(), address, length).is_error());
        return bytes;
    }
    bool writable(uptr address)
    {
        u8 value = 0x5A;
        return !mm::raw::copy_to_user(address, &value, 1).is_error();
    }
};

// A static executable's two segments plus a PT_INTERP naming `path`.
ElfBuilder dynamic_program(const std::string& path = kLoader)
{
    ElfBuilder elf;
    elf.add_load_with_headers(kExecBase, 0x100, pattern(0x1800, 1), kRX);
    elf.add_interp(path);
    elf.add_load(0x0804B120, pattern(0x1300, 2), 0x3000, kRW);
    return elf;
}

// A PIE as gcc links one (text with the headers at `base`), naming the loader.
ElfBuilder dynamic_pie(u32 base = 0)
{
    ElfBuilder elf(proc::kEtDyn, base + 0x180);
    elf.add_load_with_headers(base, 0x100, pattern(0x900, 3), kRX);
    elf.add_interp(kLoader);
    elf.add_load(base + 0x1A00, pattern(0x300, 4), 0x1000, kRW);
    return elf;
}

Result<proc::ElfFile> parse(const std::vector<u8>& file) { return proc::parse_elf(file.data(), file.size()); }

// The interpreter's path as exec reads it from a file that parsed.
Result<std::string> path_of(const std::vector<u8>& file)
{
    auto parsed = parse(file);
    REQUIRE_FALSE(parsed.is_error());
    proc::MemoryExecutable executable(file.data(), file.size());
    mm::Vector<char> buffer;
    StringView path = TRY(proc::interpreter_path(executable, parsed.value(), buffer));
    return std::string(path.characters(), path.length());
}

Errno interpreter_error(const std::vector<u8>& file)
{
    proc::ElfFile parsed;
    proc::MemoryExecutable executable(file.data(), file.size());
    auto result = proc::parse_interpreter(executable, parsed);
    REQUIRE(result.is_error());
    return result.error();
}

} // namespace

TEST_CASE("elf: a dynamic program parses, and its PT_INTERP path is read up to its NUL")
{
    SimRam ram(4); // the path's buffer is kernel memory
    auto file = dynamic_program().build();
    auto parsed = parse(file);
    REQUIRE_FALSE(parsed.is_error());
    CHECK(parsed.value().has_interpreter());
    CHECK(parsed.value().interpreter_size == std::string(kLoader).size() + 1);
    CHECK(path_of(file).value() == kLoader);

    ElfBuilder first; // PT_INTERP before the segments, as linkers write it
    first.add_interp("/lib/ld.so");
    first.add_load(kExecBase, pattern(0x100, 1), 0, kRX);
    CHECK(path_of(first.build()).value() == "/lib/ld.so");

    // Linux checks only the last byte; the path is what comes before the first NUL.
    CHECK(path_of(dynamic_program(std::string("/lib/a\0/lib/b", 13)).build()).value() == "/lib/a");
    CHECK(path_of(dynamic_program(std::string(4095, 'x')).build()).value() == std::string(4095, 'x')); // PATH_MAX

    ElfBuilder plain;
    plain.add_load(kExecBase, pattern(0x100, 1), 0, kRX);
    auto static_file = plain.build();
    CHECK_FALSE(parse(static_file).value().has_interpreter());
    CHECK(path_of(static_file).value().empty());
}

TEST_CASE("elf: a malformed PT_INTERP is ENOEXEC, or EIO when the file does not hold it, as Linux gives")
{
    SimRam ram(4); // the path's buffer is kernel memory
    ElfBuilder two = dynamic_program(); // man 5 elf: at most one
    two.add_interp("/lib/other.so");
    CHECK(parse(two.build()).error() == Errno::NOEXEC);

    // Linux's bounds: a character and its NUL at least, PATH_MAX bytes at most.
    CHECK(parse(dynamic_program(std::string(4096, 'x')).build()).error() == Errno::NOEXEC);
    CHECK(parse(dynamic_program("").build()).error() == Errno::NOEXEC); // "\0" alone
    ElfBuilder empty = dynamic_program();
    empty.programs[1].filesz = 0;
    CHECK(parse(empty.build()).error() == Errno::NOEXEC);

    // The rest shows when the path is read, after the program parsed.
    ElfBuilder unterminated;
    unterminated.add_load(kExecBase, pattern(0x100, 1), 0, kRX);
    unterminated.add_interp("/lib/ld.so", false);
    CHECK(path_of(unterminated.build()).error() == Errno::NOEXEC);

    for (u32 offset : { 0x100000u, 0xFFFFFFF8u }) { // past the end; wrapping past 2^32
        ElfBuilder outside = dynamic_program();
        outside.programs[1].offset = offset;
        CHECK(path_of(outside.build()).error() == Errno::IO);
    }
    ElfBuilder straddles = dynamic_program(); // starts in the file, ends past it
    auto bytes = straddles.build();
    straddles.programs[1].offset = static_cast<u32>(bytes.size()) - 4;
    CHECK(path_of(straddles.build()).error() == Errno::IO);

    ElfBuilder bad_load; // a PT_INTERP does not excuse a bad segment
    bad_load.add_load(kExecBase, pattern(0x100, 1), 0x80, kRX); // filesz > memsz
    bad_load.add_interp(kLoader);
    CHECK(parse(bad_load.build()).error() == Errno::INVAL);
}

TEST_CASE("elf: an interpreter must be an i386 ELF file with no interpreter of its own, else ELIBBAD")
{
    proc::ElfFile parsed;
    for (u16 type : { proc::kEtDyn, proc::kEtExec }) {
        auto good = interpreter_image(type, type == proc::kEtExec ? 0x10000000 : 0).build();
        proc::MemoryExecutable executable(good.data(), good.size());
        CHECK_FALSE(proc::parse_interpreter(executable, parsed).is_error());
    }

    std::string script = "#!/bin/sh\necho this is no loader, but it is long enough for an ELF header\n";
    CHECK(interpreter_error(std::vector<u8>(script.begin(), script.end())) == Errno::LIBBAD);
    CHECK(interpreter_error(std::vector<u8>(51, 0)) == Errno::IO); // Linux's short read of the ELF header
    CHECK(interpreter_error(std::vector<u8>()) == Errno::IO);
    CHECK(interpreter_error(interpreter_image().build([](proc::Elf32Header& h) { h.machine = 62; }))
        == Errno::LIBBAD); // x86-64
    CHECK(interpreter_error(interpreter_image().build([](proc::Elf32Header& h) { h.type = 1; }))
        == Errno::LIBBAD); // ET_REL
    CHECK(interpreter_error(interpreter_image().build([](proc::Elf32Header& h) { h.phentsize = 40; }))
        == Errno::LIBBAD);

    ElfBuilder dynamic = interpreter_image(); // a loader that needs a loader
    dynamic.add_interp(kLoader);
    CHECK(interpreter_error(dynamic.build()) == Errno::LIBBAD);

    ElfBuilder bad_segment = interpreter_image(); // a well-formed header, a segment past the file: as a program
    bad_segment.programs[1].filesz = 0x100000;
    bad_segment.programs[1].memsz = 0x100000;
    CHECK(interpreter_error(bad_segment.build()) == Errno::INVAL);
}

TEST_CASE("elf: a PIE with an interpreter is loaded at kPieBase, Linux 6.1's ELF_ET_DYN_BASE on i386")
{
    {
        Loader m;
        auto image = m.load(dynamic_pie().build());
        CHECK(image.load_bias == proc::kPieBase);
        CHECK(image.entry == proc::kPieBase + 0x180);
        CHECK(image.phdr == proc::kPieBase + sizeof(proc::Elf32Header));
        CHECK(image.break_start == proc::kPieBase + 0x3000);
        CHECK(m.read(proc::kPieBase + 0x1A00, 0x300) == pattern(0x300, 4));
    }
    {
        Loader m; // linked above its base: it still lands there
        auto high = m.load(dynamic_pie(0x08048000).build());
        CHECK(high.entry == proc::kPieBase + 0x180);
        CHECK(high.break_start == proc::kPieBase + 0x3000);
        CHECK(m.read(proc::kPieBase + 0x1A00, 0x300) == pattern(0x300, 4));
    }

    // It may then reach up to the stack's reserve, far more than a static PIE at kDynamicBase.
    constexpr u32 kRoom = mm::AddressSpace::kMmapTop - proc::kPieBase;
    ElfBuilder big(proc::kEtDyn, 0x100);
    big.add_interp(kLoader);
    big.add_load(0, pattern(0x200, 1), kRoom, kRW);
    CHECK_FALSE(parse(big.build()).is_error());
    big.programs[1].memsz = kRoom + 1;
    CHECK(parse(big.build()).error() == Errno::INVAL);
}

TEST_CASE("elf: an ET_DYN interpreter goes where an mmap without a hint would, beside the program")
{
    Loader m;
    auto program = m.load(dynamic_program().build());
    CHECK(program.load_bias == 0);
    auto interpreter_file = interpreter_image().build();
    auto interpreter = m.load(interpreter_file, ElfRole::Interpreter);
    constexpr uptr kBase = mm::AddressSpace::kMmapTop - kInterpreterExtent;
    CHECK(interpreter.load_bias == kBase);
    CHECK(interpreter.entry == kBase + kInterpreterEntry);
    CHECK(interpreter.phdr == kBase + sizeof(proc::Elf32Header));
    // Its text (with the headers) and data read back; its .bss is zero; its text is not writable.
    CHECK(m.read(kBase, 0x1300) == std::vector<u8>(interpreter_file.begin(), interpreter_file.begin() + 0x1300));
    CHECK(m.read(kBase + kInterpreterData, kInterpreterDataBytes) == pattern(kInterpreterDataBytes, 8));
    auto bss = m.read(kBase + kInterpreterData + kInterpreterDataBytes,
        kInterpreterDataMemory - kInterpreterDataBytes);
    CHECK(std::all_of(bss.begin(), bss.end(), [](u8 b) { return b == 0; }));
    CHECK_FALSE(m.writable(kBase + 0x200));
    CHECK(m.writable(kBase + kInterpreterData));
    // The program is where it was.
    CHECK(m.read(0x0804B120, 0x1300) == pattern(0x1300, 2));

    // Top-down: another goes below the first.
    auto second = m.load(interpreter_file, ElfRole::Interpreter);
    CHECK(second.load_bias == kBase - kInterpreterExtent);
}

TEST_CASE("elf: an interpreter with no room is ENOMEM, and one whose entry lands outside user space EINVAL")
{
    {
        Loader m;
        REQUIRE_FALSE(m.space->add_area(mm::AddressSpace::kMmapBottom, mm::AddressSpace::kMmapTop, mm::kProtRead, 0)
                          .is_error());
        CHECK(m.try_load(interpreter_image().build(), ElfRole::Interpreter).error() == Errno::NOMEM);
    }
    {
        Loader m; // parses (1 GiB above kDynamicBase is user space), but not from the top of the mmap region
        auto far_entry = interpreter_image().build([](proc::Elf32Header& h) { h.entry = 0x3FFF0000; });
        CHECK(m.try_load(far_entry, ElfRole::Interpreter).error() == Errno::INVAL);
        CHECK(m.space->first_area_after(0) == nullptr); // refused before anything was mapped
    }
}

TEST_CASE("elf: an ET_EXEC interpreter stays at its addresses, and its load bias (AT_BASE) is 0")
{
    Loader m;
    m.load(dynamic_program().build());
    auto interpreter = m.load(interpreter_image(proc::kEtExec, 0x10000000).build(), ElfRole::Interpreter);
    CHECK(interpreter.load_bias == 0);
    CHECK(interpreter.entry == 0x10000000 + kInterpreterEntry);
    CHECK(m.read(0x10000000 + kInterpreterData, kInterpreterDataBytes) == pattern(kInterpreterDataBytes, 8));
}
