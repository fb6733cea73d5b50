// exec's segments mapped from the file's pages (issue 12 item 3): text and read-only data are the cache's own
// pages until written, a write makes a private copy the file never sees, the .bss tail of the last file page
// reads as zero in a copy while the cache page keeps the file's bytes, and every page and reference goes when
// the address space does. A segment sharing a page with another is still copied.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "../mm/user_space.hpp"
#include "elf_builder.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/uaccess.hpp"
#include "proc/elf.hpp"

using namespace elf_test;

namespace {

constexpr u32 kRX = proc::kPfRead | proc::kPfExecute;
constexpr u32 kRW = proc::kPfRead | proc::kPfWrite;

// An executable whose bytes live in a page cache, as a tmpfs file's do.
struct CachedExecutable final : proc::ExecutableReader, mm::MappedFile {
    mm::PageCache cache;
    mm::FileMapping mapping { cache, *this };
    std::vector<u8> bytes;
    int pins = 0;

    explicit CachedExecutable(std::vector<u8> file) : bytes(std::move(file))
    {
        for (u64 index = 0; index * kPage < bytes.size(); ++index) {
            PhysAddr frame = mapping.page(index).value();
            usize length = std::min<usize>(kPage, bytes.size() - index * kPage);
            std::memcpy(arch::phys_to_virt(frame, kPage), bytes.data() + index * kPage, length);
        }
    }
    ~CachedExecutable() { cache.truncate(0); }

    u64 size() const override { return bytes.size(); }
    Result<void> read(u64 offset, void* buffer, usize length) override
    {
        if (offset > bytes.size() || bytes.size() - offset < length)
            return Errno::IO;
        std::memcpy(buffer, bytes.data() + offset, length);
        return {};
    }
    mm::VmBacking* pages() override { return &mapping; }
    void pin() override { ++pins; }
    void unpin() override { --pins; }

    PhysAddr cached(u64 offset) const { return cache.find(offset / kPage); }
    u8 cached_byte(u64 offset) const
    {
        return static_cast<const u8*>(arch::phys_to_virt(cached(offset), kPage))[offset % kPage];
    }
};

struct Loader : UserSpace {

    proc::LoadedImage load(CachedExecutable& executable)
    {
        proc::ElfFile parsed;
        REQUIRE_FALSE(proc::parse_elf(executable, parsed).is_error());
        auto loaded = proc::load_elf(*space, parsed, executable);
        REQUIRE_FALSE(loaded.is_error());
        REQUIRE(space->invariant_violation() == nullptr);
        return loaded.value();
    }
    // The frame behind a user page, or 0 when none is mapped.
    PhysAddr frame(uptr address)
    {
        arch::PageMapping mapping;
        return arch::query_page(space->page_tables(), address & ~uptr { kPage - 1 }, mapping) ? mapping.phys : 0;
    }
};

// A static program as linkers lay one out: headers and text, read-only data, then data and .bss starting
// mid-page, the data's last page shared with .bss.
constexpr u32 kText = kExecBase, kRodata = kExecBase + 0x3000, kData = kExecBase + 0x5F80;
ElfBuilder static_program()
{
    ElfBuilder elf;
    elf.add_load_with_headers(kText, 0x100, pattern(0x2800, 1), kRX);
    elf.add_load(kRodata, pattern(0x1000, 2), 0, proc::kPfRead);
    elf.add_load(kData, pattern(0x200, 3), 0x2100, kRW); // file bytes to 0x6180, .bss to 0x8080
    return elf;
}

} // namespace

TEST_CASE("elf: exec maps segments from the file's pages and copies only what is written")
{
    Loader loader;
    auto file = static_program().build();
    usize free_before = 0;
    {
        CachedExecutable executable(file);
        free_before = mm::page_allocator().free_pages();
        proc::ElfFile parsed;
        REQUIRE_FALSE(proc::parse_elf(executable, parsed).is_error());
        const proc::Elf32ProgramHeader& rodata = parsed.headers[1];
        const proc::Elf32ProgramHeader& data = parsed.headers[2];
        proc::LoadedImage image = loader.load(executable);
        CHECK(image.break_start == kExecBase + 0x9000);

        // Text is not read until touched, then it is the cache's own page, read-only.
        CHECK(loader.frame(kText + 0x1000) == 0);
        CHECK(loader.read(kText + 0x1234) == file[0x1234]);
        CHECK(loader.frame(kText + 0x1000) == executable.cached(0x1000));
        CHECK(loader.read(kRodata + 0x10) == file[rodata.offset + 0x10]);
        CHECK(loader.frame(kRodata) == executable.cached(rodata.offset));

        // The data's first page is the file's until written; the write copies it and the file keeps its byte.
        uptr first_data_page = kData & ~uptr { kPage - 1 };
        CHECK(loader.read(kData + 4) == file[data.offset + 4]);
        CHECK(loader.frame(kData) == executable.cached(data.offset));
        loader.write(kData + 4, static_cast<u8>(file[data.offset + 4] + 1));
        CHECK(loader.frame(kData) != executable.cached(data.offset));
        CHECK(loader.read(kData + 4) == static_cast<u8>(file[data.offset + 4] + 1));
        CHECK(executable.cached_byte(data.offset + 4) == file[data.offset + 4]);
        CHECK(loader.read(first_data_page) == file[data.offset - (kData - first_data_page)]);

        // The last file page is a private copy from the start, zero after the file bytes (.bss); the cache
        // page behind it keeps what the file holds there.
        uptr file_end = kData + data.filesz;
        CHECK(loader.frame(file_end) != 0);
        CHECK(loader.frame(file_end) != executable.cached(data.offset + data.filesz));
        CHECK(loader.read(file_end - 1) == file[data.offset + data.filesz - 1]);
        for (uptr at = file_end; at < ((file_end + kPage) & ~uptr { kPage - 1 }); at += 61)
            REQUIRE(loader.read(at) == 0);
        // .bss past the file's pages is anonymous: absent until touched, then zero.
        uptr bss_page = (file_end + kPage) & ~uptr { kPage - 1 };
        CHECK(loader.frame(bss_page) == 0);
        CHECK(loader.read(bss_page + 0x40) == 0);
        CHECK(loader.frame(bss_page) != 0);
        CHECK(loader.space->invariant_violation() == nullptr);
        CHECK(executable.pins == 3); // one per file-backed area: text, rodata, data

        loader.space.reset();
        CHECK(executable.pins == 0);
        CHECK(mm::page_allocator().free_pages() > free_before); // the private copies and page tables went
    }
    CHECK(mm::page_allocator().free_pages() == loader.free_at_start);
}

TEST_CASE("elf: segments sharing a page are copied, and a read-only segment's .bss tail is zeroed")
{
    Loader loader;
    ElfBuilder shared;
    shared.add_load_with_headers(kText, 0x100, pattern(0x800, 4), kRX); // text ends at 0x900 in the first page
    // Data in the same page as the text, at the file offset right after it: the page is copied with both.
    proc::Elf32ProgramHeader data { proc::kPtLoad, 0x900, kText + 0x900, kText + 0x900, 0x80, 0x80, kRW, kPage };
    shared.add_header(data);
    // A read-only segment with .bss (unusual, but valid): its tail must still read as zero.
    shared.add_load(kExecBase + 0x4100, pattern(0x300, 5), 0x800, proc::kPfRead);
    auto file = shared.build();
    CachedExecutable executable(file);
    proc::LoadedImage image = loader.load(executable);
    CHECK(image.entry == kExecBase + 0x100);
    CHECK(loader.read(kText + 0x8FF) == file[0x8FF]);
    CHECK(loader.read(kText + 0x900) == file[0x900]);
    CHECK(loader.read(kExecBase + 0x4100 + 0x2FF) == file[executable.bytes.size() - 1]);
    CHECK(loader.read(kExecBase + 0x4100 + 0x300) == 0);
    CHECK(loader.read(kExecBase + 0x4100 + 0x7FF) == 0);
    u8 value = 1;
    CHECK(mm::raw::copy_to_user(kExecBase + 0x4100 + 0x300, &value, 1).is_error()); // still read-only
    CHECK(loader.space->invariant_violation() == nullptr);
    loader.space.reset(); // the areas go before the file, as a pinned inode outlives them
    CHECK(executable.pins == 0);
}
