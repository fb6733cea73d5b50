// The ELF parser and loader: crafted i386 executables, good and bad, parsed and loaded into a simulated address
// space, their bytes read back through the user-memory copies as a system call would see them.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "../mm/user_space.hpp"
#include "elf_builder.hpp"
#include "mm/uaccess.hpp"
#include "proc/elf.hpp"

using namespace elf_test;
using proc::Elf32ProgramHeader;

namespace {

constexpr u32 kRX = proc::kPfRead | proc::kPfExecute;
constexpr u32 kRW = proc::kPfRead | proc::kPfWrite;

u32 page_up(u32 value) { return (value + kPage - 1) & ~(kPage - 1); }

// A machine with RAM, the fault handler, and an address space to load into.
struct Loader : UserSpace {

    proc::LoadedImage load(const std::vector<u8>& file)
    {
        auto parsed = proc::parse_elf(file.data(), file.size());
        REQUIRE_FALSE(parsed.is_error());
        auto loaded = proc::load_elf(*space, parsed.value(), file.data(), file.size());
        REQUIRE_FALSE(loaded.is_error());
        check();
        return loaded.value();
    }

    std::vector<u8> read(uptr address, usize length)
    {
        std::vector<u8> bytes(length);
        REQUIRE_FALSE(mm::raw::copy_from_user(bytes.data(), address, length).is_error());
        return bytes;
    }
    bool can_read(uptr address)
    {
        u8 byte;
        return !mm::raw::copy_from_user(&byte, address, 1).is_error();
    }
    Result<void> write(uptr address, u8 value = 0xA5) { return mm::raw::copy_to_user(address, &value, 1); }
    bool all_zero(uptr address, usize length)
    {
        auto bytes = read(address, length);
        return std::all_of(bytes.begin(), bytes.end(), [](u8 b) { return b == 0; });
    }
    void check() const
    {
        const char* violation = space->invariant_violation();
        INFO((violation ? violation : "none"));
        REQUIRE(violation == nullptr);
    }
};

Errno parse_error(const std::vector<u8>& file)
{
    auto parsed = proc::parse_elf(file.data(), file.size());
    REQUIRE(parsed.is_error());
    return parsed.error();
}

template<typename T>
void patch(std::vector<u8>& file, usize offset, T value)
{
    REQUIRE(offset + sizeof(T) <= file.size());
    std::memcpy(file.data() + offset, &value, sizeof(T));
}

// A small good executable: text (with the headers, as a linker lays it out) and data with a .bss.
ElfBuilder small_program()
{
    ElfBuilder elf;
    elf.add_load_with_headers(kExecBase, 0x100, pattern(0x1800, 1), kRX);
    elf.add_load(0x0804B120, pattern(0x1300, 2), 0x3000, kRW);
    return elf;
}

// The offset of field `field` of program header `index` in a file built with the default phoff.
usize ph_field(usize index, usize field_offset) { return sizeof(proc::Elf32Header) + index * sizeof(Elf32ProgramHeader) + field_offset; }

} // namespace

TEST_CASE("elf: a static executable's text and data are mapped with their bytes, and its .bss is zero")
{
    Loader m;
    ElfBuilder elf = small_program();
    auto file = elf.build();

    auto parsed = proc::parse_elf(file.data(), file.size());
    REQUIRE_FALSE(parsed.is_error());
    CHECK(parsed.value().type == proc::kEtExec);
    CHECK(parsed.value().entry == kExecBase + 0x100);
    CHECK(parsed.value().phoff == sizeof(proc::Elf32Header));
    CHECK(parsed.value().phnum == 2);
    CHECK(parsed.value().headers[1].vaddr == 0x0804B120);
    CHECK_FALSE(parsed.value().executable_stack);

    auto image = m.load(file);
    CHECK(image.entry == kExecBase + 0x100);
    CHECK(image.load_bias == 0);
    CHECK(image.phnum == 2);
    CHECK(image.phdr == kExecBase + sizeof(proc::Elf32Header)); // no PT_PHDR: found in the text segment
    CHECK(image.break_start == page_up(0x0804B120 + 0x3000));

    // The text: exactly the file's first 0x1900 bytes, headers included; the rest of its last page zero.
    const auto& text = elf.programs[0];
    CHECK(m.read(kExecBase, text.filesz) == std::vector<u8>(file.begin(), file.begin() + text.filesz));
    CHECK(m.all_zero(kExecBase + text.filesz, page_up(kExecBase + text.filesz) - (kExecBase + text.filesz)));
    // The data, then .bss to the end of its last page.
    const auto& data = elf.programs[1];
    CHECK(m.read(data.vaddr, data.filesz) == pattern(0x1300, 2));
    CHECK(m.all_zero(data.vaddr + data.filesz, data.memsz - data.filesz));
    CHECK(m.all_zero(data.vaddr + data.memsz, image.break_start - (data.vaddr + data.memsz)));
    CHECK(m.all_zero(0x0804B000, 0x120)); // below the data in its first page
    // Nothing between the two, or after.
    CHECK_FALSE(m.can_read(0x0804A000));
    CHECK_FALSE(m.can_read(image.break_start));
    CHECK_FALSE(m.can_read(kExecBase - 1));

    // Protections: text read-only, data and .bss writable.
    CHECK(m.write(kExecBase + 0x100).error() == Errno::FAULT);
    CHECK(m.write(kExecBase + 0x1000).error() == Errno::FAULT);
    CHECK(m.read(kExecBase + 0x100, 1)[0] == file[0x100]); // unchanged
    CHECK_FALSE(m.write(data.vaddr).is_error());
    CHECK_FALSE(m.write(data.vaddr + data.memsz - 1).is_error());
    CHECK(m.read(data.vaddr, 1)[0] == 0xA5);

    auto* text_area = m.space->find_area(kExecBase);
    REQUIRE(text_area);
    CHECK(text_area->start == kExecBase);
    CHECK(text_area->end == 0x0804A000);
    CHECK(text_area->prot == (mm::kProtRead | mm::kProtExec));
    auto* data_area = m.space->find_area(0x0804B000);
    REQUIRE(data_area);
    CHECK(data_area->end == image.break_start);
    CHECK(data_area->prot == (mm::kProtRead | mm::kProtWrite));
    CHECK(m.space->areas().size() == 2);
    m.check();
}

TEST_CASE("elf: segments sharing a page give that page both protections, in either order")
{
    for (bool data_first : { false, true }) {
        CAPTURE(data_first);
        Loader m;
        ElfBuilder elf;
        elf.add_load(kExecBase, pattern(0x1234, 3), 0, kRX);
        elf.add_load(kExecBase + 0x1300, pattern(0x400, 4), 0x1D00, kRW); // ends at 0x804B000
        if (data_first)
            std::swap(elf.programs[0], elf.programs[1]);
        {
            auto file = elf.build();
            auto image = m.load(file);
            CHECK(image.break_start == 0x0804B000);
            CHECK(m.read(kExecBase, 0x1234) == pattern(0x1234, 3));
            CHECK(m.read(kExecBase + 0x1300, 0x400) == pattern(0x400, 4));
            CHECK(m.all_zero(kExecBase + 0x1234, 0x1300 - 0x1234)); // the gap between them in the shared page
            CHECK(m.all_zero(kExecBase + 0x1700, 0x0804B000 - (kExecBase + 0x1700)));
            // Text alone: read-only. Shared page: writable (the data's protection joins the text's).
            CHECK(m.write(kExecBase).error() == Errno::FAULT);
            CHECK_FALSE(m.write(kExecBase + 0x1300).is_error());
            CHECK_FALSE(m.write(0x0804A000).is_error());
            auto* shared = m.space->find_area(kExecBase + 0x1000);
            REQUIRE(shared);
            CHECK(shared->prot == (mm::kProtRead | mm::kProtWrite | mm::kProtExec));
            CHECK(m.space->find_area(kExecBase)->prot == (mm::kProtRead | mm::kProtExec));
            CHECK(m.space->find_area(0x0804A000)->prot == (mm::kProtRead | mm::kProtWrite));
            m.check();
        }
    }
}

TEST_CASE("elf: overlapping segments are merged, never a panic")
{
    Loader m;
    ElfBuilder elf(proc::kEtExec, 0x20000);
    elf.add_load(0x20000, pattern(0x1000, 5), 0, kRX);        // [0x20000, 0x21000)
    elf.add_load(0x1F000, pattern(0x800, 6), 0x4000, kRW);    // [0x1F000, 0x23000): around the first
    auto file = elf.build();
    auto image = m.load(file);
    CHECK(image.break_start == 0x23000);
    CHECK(m.read(0x1F000, 0x800) == pattern(0x800, 6));
    CHECK_FALSE(m.write(0x1F000).is_error());
    CHECK_FALSE(m.write(0x20000).is_error()); // the overlap takes both protections
    CHECK_FALSE(m.write(0x22FFF).is_error());
    m.check();
}

TEST_CASE("elf: a static-PIE program is loaded at kDynamicBase")
{
    Loader m;
    ElfBuilder elf(proc::kEtDyn, 0x180);
    elf.add_load_with_headers(0, 0x100, pattern(0x900, 7), kRX);
    elf.add_load(0x1A00, pattern(0x300, 8), 0x1000, kRW);
    elf.add_header({ proc::kPtGnuStack, 0, 0, 0, 0, 0, kRW, 16 });
    auto file = elf.build();

    auto image = m.load(file);
    CHECK(image.load_bias == proc::kDynamicBase);
    CHECK(image.entry == proc::kDynamicBase + 0x180);
    CHECK(image.phdr == proc::kDynamicBase + sizeof(proc::Elf32Header));
    CHECK(image.phnum == 3);
    CHECK(image.break_start == proc::kDynamicBase + 0x3000);
    CHECK(m.read(proc::kDynamicBase, 0xA00) == std::vector<u8>(file.begin(), file.begin() + 0xA00));
    CHECK(m.read(proc::kDynamicBase + 0x1A00, 0x300) == pattern(0x300, 8));
    CHECK(m.all_zero(proc::kDynamicBase + 0x1D00, 0x1300));
    CHECK(m.write(proc::kDynamicBase).error() == Errno::FAULT);
    CHECK_FALSE(m.write(proc::kDynamicBase + 0x2FFF).is_error());
    CHECK_FALSE(m.can_read(0x1A00)); // nothing at the unrelocated addresses
}

TEST_CASE("elf: a static PIE whose lowest segment is not at 0 still starts at kDynamicBase")
{
    Loader m2;
    ElfBuilder high(proc::kEtDyn, 0x5010);
    high.add_load(0x5000, pattern(0x200, 9), 0, kRX);
    auto high_image = m2.load(high.build());
    CHECK(high_image.load_bias == proc::kDynamicBase - 0x5000);
    CHECK(high_image.entry == proc::kDynamicBase + 0x10);
    CHECK(m2.read(proc::kDynamicBase, 0x200) == pattern(0x200, 9));
}

TEST_CASE("elf: PT_GNU_STACK says whether the stack is executable")
{
    ElfBuilder elf = small_program();
    elf.add_header({ proc::kPtGnuStack, 0, 0, 0, 0, 0, kRW | proc::kPfExecute, 16 });
    auto file = elf.build();
    auto parsed = proc::parse_elf(file.data(), file.size());
    REQUIRE_FALSE(parsed.is_error());
    CHECK(parsed.value().executable_stack);
}

TEST_CASE("elf: AT_PHDR comes from PT_PHDR, else from the segment holding the program headers, else 0")
{
    SECTION("PT_PHDR, first as linkers write it")
    {
        Loader m;
        ElfBuilder elf;
        elf.add_header({ proc::kPtPhdr, 52, kExecBase + 52, kExecBase + 52, 3 * 32, 3 * 32, proc::kPfRead, 4 });
        elf.add_load_with_headers(kExecBase, 0x100, pattern(0x100, 1), kRX);
        elf.add_load(0x0804A000, pattern(0x100, 2), 0, kRW);
        auto image = m.load(elf.build());
        CHECK(image.phdr == kExecBase + 52);
        CHECK(image.phnum == 3);
        // What a program reads there is its own program-header table.
        auto table = m.read(image.phdr, 3 * sizeof(Elf32ProgramHeader));
        CHECK(std::memcmp(table.data(), elf.programs.data(), table.size()) == 0);
    }
    SECTION("PT_PHDR where no segment maps the headers")
    {
        Loader m;
        ElfBuilder elf;
        elf.add_load(kExecBase, pattern(0x300, 1), 0, kRX); // from file offset 0x1000
        elf.add_header({ proc::kPtPhdr, 52, 0x0804A000, 0x0804A000, 64, 64, proc::kPfRead, 4 });
        auto image = m.load(elf.build());
        CHECK(image.phdr == 0x0804A000);
    }
    SECTION("PT_PHDR of a static PIE is relocated")
    {
        Loader m;
        ElfBuilder elf(proc::kEtDyn, 0x100);
        elf.add_header({ proc::kPtPhdr, 52, 52, 52, 64, 64, proc::kPfRead, 4 });
        elf.add_load_with_headers(0, 0x100, pattern(0x100, 1), kRX);
        auto image = m.load(elf.build());
        CHECK(image.phdr == proc::kDynamicBase + 52);
    }
    SECTION("no PT_PHDR: the PT_LOAD whose file range holds e_phoff")
    {
        Loader m;
        ElfBuilder elf;
        elf.add_load(kExecBase, pattern(0x300, 1), 0, kRX);       // file [0x1000, 0x1300)
        elf.add_load(0x0804A000, pattern(0x200, 2), 0, kRW);      // file [0x2000, 0x2200)
        auto file = elf.build([](proc::Elf32Header& h) { h.phoff = 0x2040; });
        // Put the table where e_phoff now says.
        std::memcpy(file.data() + 0x2040, elf.programs.data(), 2 * sizeof(Elf32ProgramHeader));
        auto image = m.load(file);
        CHECK(image.phdr == 0x0804A040);
    }
    SECTION("neither: 0, as Linux gives")
    {
        Loader m;
        ElfBuilder elf;
        elf.add_load(kExecBase, pattern(0x300, 1), 0, kRX); // the headers at offset 52 are in no segment
        auto image = m.load(elf.build());
        CHECK(image.phdr == 0);
    }
}

TEST_CASE("elf: the break starts at the page after the highest segment, whatever the header order")
{
    Loader m;
    ElfBuilder elf;
    elf.add_load(0x09000000, pattern(0x10, 1), 0x2345, kRW);
    elf.add_load(kExecBase, pattern(0x100, 2), 0, kRX);
    auto image = m.load(elf.build());
    CHECK(image.break_start == 0x09003000);
}

TEST_CASE("elf: up to 64 program headers are accepted")
{
    ElfBuilder elf = small_program();
    while (elf.programs.size() < 64)
        elf.add_header({ 4 /* PT_NOTE */, 0, 0, 0, 0, 0, proc::kPfRead, 4 });
    auto file = elf.build();
    auto parsed = proc::parse_elf(file.data(), file.size());
    REQUIRE_FALSE(parsed.is_error());
    CHECK(parsed.value().phnum == 64);
    elf.add_header({ 4, 0, 0, 0, 0, 0, proc::kPfRead, 4 });
    CHECK(parse_error(elf.build()) == Errno::NOEXEC);
}

TEST_CASE("elf: a header that is not a runnable i386 executable is ENOEXEC")
{
    auto good = small_program().build();
    REQUIRE_FALSE(proc::parse_elf(good.data(), good.size()).is_error());

    SECTION("truncated")
    {
        CHECK(proc::parse_elf(good.data(), 0).error() == Errno::NOEXEC);
        CHECK(proc::parse_elf(good.data(), 51).error() == Errno::NOEXEC);
        CHECK(proc::parse_elf(nullptr, 0).error() == Errno::NOEXEC);
    }
    SECTION("magic")
    {
        for (usize i = 0; i < 4; ++i) {
            auto file = good;
            file[i] ^= 0x20;
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
    }
    SECTION("class, byte order, ident version")
    {
        for (auto [at, value] : { std::pair<usize, u8> { 4, 2 }, { 4, 0 }, { 5, 2 }, { 5, 0 }, { 6, 0 }, { 6, 2 } }) {
            auto file = good;
            file[at] = value;
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
    }
    SECTION("machine, version, type")
    {
        for (u16 machine : { 0, 62 /* x86-64 */, 6 /* i486, old */, 0x0300 }) {
            auto file = good;
            patch<u16>(file, 18, machine);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
        for (u32 version : { 0u, 2u, 0x01000000u }) {
            auto file = good;
            patch<u32>(file, 20, version);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
        for (u16 type : { 0, 1 /* ET_REL */, 4 /* ET_CORE */, 0xFE00, 0x0200 }) {
            auto file = good;
            patch<u16>(file, 16, type);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
    }
    SECTION("program-header entry size and count")
    {
        for (u16 size : { 0, 31, 33, 56 }) {
            auto file = good;
            patch<u16>(file, 42, size);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
        for (u16 count : { 0, 65, 0xFFFF }) {
            auto file = good;
            patch<u16>(file, 44, count);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
    }
    SECTION("program headers beyond the file")
    {
        for (u32 phoff : { static_cast<u32>(good.size()), static_cast<u32>(good.size() - 63), static_cast<u32>(good.size()) + 1,
                 0xFFFFFFF0u, 0xFFFFFFFFu }) {
            auto file = good;
            patch<u32>(file, 28, phoff);
            CHECK(parse_error(file) == Errno::NOEXEC);
        }
        // The table flush against the end of the file is fine.
        auto file = good;
        file.insert(file.end(), good.begin() + 52, good.begin() + 52 + 64);
        patch<u32>(file, 28, static_cast<u32>(good.size()));
        CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
        // Cut the file inside the table.
        CHECK(proc::parse_elf(good.data(), 52 + 32 + 31).error() == Errno::NOEXEC);
    }
}

TEST_CASE("elf: an executable with nothing to load is ENOEXEC")
{
    ElfBuilder nothing;
    nothing.add_header({ 4 /* PT_NOTE */, 0x100, 0, 0, 16, 16, proc::kPfRead, 4 });
    nothing.add_header({ proc::kPtGnuStack, 0, 0, 0, 0, 0, kRW, 16 });
    CHECK(parse_error(nothing.build()) == Errno::NOEXEC);
}

TEST_CASE("elf: a segment that does not fit the file or user space is EINVAL")
{
    constexpr usize kOffset = 4, kVaddr = 8, kFilesz = 16, kMemsz = 20;
    auto good = small_program().build();

    auto with = [&](usize index, usize field, u32 value) {
        auto file = good;
        patch<u32>(file, ph_field(index, field), value);
        return file;
    };

    // filesz > memsz
    CHECK(parse_error(with(1, kMemsz, 0x12FF)) == Errno::INVAL);
    // File bytes past the end of the file: by the size, by the offset, and by wrapping.
    {
        auto file = with(1, kFilesz, static_cast<u32>(good.size()));
        patch<u32>(file, ph_field(1, kMemsz), 0x10000);
        CHECK(parse_error(file) == Errno::INVAL);
    }
    CHECK(parse_error(with(1, kOffset, static_cast<u32>(good.size() + 0x120))) == Errno::INVAL);
    {
        auto file = with(1, kOffset, 0xFFFFF120);
        CHECK(parse_error(file) == Errno::INVAL);
    }
    {
        ElfBuilder elf = small_program();
        auto file = elf.build();
        file.resize(elf.programs[1].offset + elf.programs[1].filesz - 1); // one byte short
        CHECK(parse_error(file) == Errno::INVAL);
        file.push_back(0);
        CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
    }
    // Offset and address disagree modulo the page size.
    CHECK(parse_error(with(1, kVaddr, 0x0804B124)) == Errno::INVAL);
    CHECK(parse_error(with(0, kVaddr, kExecBase + 0x800)) == Errno::INVAL);
    // Past the end of user space, at its start, and wrapping 2^32.
    {
        auto file = with(1, kVaddr, 0xBFFFF120);
        patch<u32>(file, ph_field(1, kMemsz), 0x2000);
        CHECK(parse_error(file) == Errno::INVAL);
    }
    CHECK(parse_error(with(1, kVaddr, 0xC0000120)) == Errno::INVAL);
    // Into the top 8 MiB, which the main stack is placed in and grows down through: exec would collide there.
    {
        auto file = with(1, kVaddr, mm::AddressSpace::kMmapTop - 0x2000 + 0x120);
        patch<u32>(file, ph_field(1, kMemsz), 0x2000 - 0x120); // ends exactly at kMmapTop: fine
        CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
        patch<u32>(file, ph_field(1, kMemsz), 0x2000 - 0x120 + 1);
        CHECK(parse_error(file) == Errno::INVAL);
    }
    {
        auto file = with(1, kVaddr, 0xFFFFF120);
        patch<u32>(file, ph_field(1, kMemsz), 0x2000);
        CHECK(parse_error(file) == Errno::INVAL);
    }
    CHECK(parse_error(with(1, kMemsz, 0xFFFFFFFF)) == Errno::INVAL);
    // Below mmap_min_addr (0x10000) for a fixed-address executable.
    CHECK(parse_error(with(0, kVaddr, 0)) == Errno::INVAL);
    CHECK(parse_error(with(0, kVaddr, 0xF000)) == Errno::INVAL);
    {
        ElfBuilder low(proc::kEtExec, 0x10000);
        low.add_load(0x10000, pattern(0x10, 1), 0, kRX); // exactly at the limit: fine
        auto file = low.build();
        CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
    }
    // An empty PT_LOAD.
    {
        auto file = with(1, kMemsz, 0);
        patch<u32>(file, ph_field(1, kFilesz), 0);
        CHECK(parse_error(file) == Errno::INVAL);
    }
}

TEST_CASE("elf: a static PIE must fit above kDynamicBase")
{
    ElfBuilder elf(proc::kEtDyn, 0x100);
    constexpr u32 kRoom = mm::AddressSpace::kMmapTop - proc::kDynamicBase; // up to the stack's reserve
    elf.add_load(0, pattern(0x200, 1), kRoom, kRW);
    auto file = elf.build();
    CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
    ElfBuilder over(proc::kEtDyn, 0x100);
    over.add_load(0, pattern(0x200, 1), kRoom + 1, kRW);
    CHECK(parse_error(over.build()) == Errno::INVAL);
    ElfBuilder zero(proc::kEtDyn, 0x100);
    zero.add_load(0, pattern(0x200, 1), 0, kRX); // address 0 is fine once relocated
    file = zero.build();
    CHECK_FALSE(proc::parse_elf(file.data(), file.size()).is_error());
}

TEST_CASE("elf: an entry point outside user space is EINVAL, as Linux's BAD_ADDR check")
{
    for (u32 entry : { 0xC0000000u, 0xFFFFFFF0u }) {
        ElfBuilder elf = small_program();
        elf.header.entry = entry;
        CHECK(parse_error(elf.build()) == Errno::INVAL);
    }
    ElfBuilder pie(proc::kEtDyn, 0x40000000); // relocated: exactly kUserEnd
    pie.add_load(0, pattern(0x200, 1), 0, kRX);
    CHECK(parse_error(pie.build()) == Errno::INVAL);
    ElfBuilder wraps(proc::kEtDyn, 0x80000000); // relocated: past 2^32
    wraps.add_load(0, pattern(0x200, 1), 0, kRX);
    CHECK(parse_error(wraps.build()) == Errno::INVAL);
}

TEST_CASE("elf: loading into an address space leaks nothing when it is destroyed")
{
    Loader m;
    m.space.reset();
    mm::kmalloc_shrink();
    usize before = mm::page_allocator().free_pages();
    {
        auto space = mm::AddressSpace::create().release_value();
        space->activate();
        auto file = small_program().build();
        auto parsed = proc::parse_elf(file.data(), file.size());
        REQUIRE_FALSE(parsed.is_error());
        REQUIRE_FALSE(proc::load_elf(*space, parsed.value(), file.data(), file.size()).is_error());
        CHECK(space->resident_pages() > 0);
    }
    mm::kmalloc_shrink();
    CHECK(mm::page_allocator().free_pages() == before);
}
