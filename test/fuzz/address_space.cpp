// libFuzzer target for mm::AddressSpace and the memory system calls of mm/mmap.hpp. Each input is a sequence of
// up to 64 operations (mmap of anonymous memory and of two files, munmap, mprotect, brk, mremap, madvise,
// mincore, msync, one-byte user reads and writes, write() and ftruncate() of the files, fork, switching and
// exiting address spaces), applied both to the kernel, on a fresh simulated machine, and to a plain
// page-by-page model of a 64-page window of user space. A difference in a result, an errno, a byte read, an
// area, a resident page, a shared page, a private copy of a file's page, a dirty page or a frame's reference
// count traps, and so does any page or page table not given back once every address space is gone.
#include <fuzzer/FuzzedDataProvider.h>
#include <map>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "kernel/panic.hpp"
#include "mm/address_space.hpp"
#include "mm/io_buffer.hpp"
#include "mm/kmalloc.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/mmap.hpp"
#include "mm/physical_memory.hpp"
#include "mm/shared_memory.hpp"
#include "mm/uaccess.hpp"
#include "sim/sim.hpp"

#include "address_space_model.hpp"

namespace {

using namespace mm;
using namespace mm_model;

constexpr usize kMaxSpaces = 3;
constexpr usize kMaxOperations = 64;
constexpr usize kRamBytes = 8 << 20;

// AS_FUZZ_TRACE=1 in the environment prints every operation, to read a crash's input.
bool g_trace;
__attribute__((format(printf, 1, 2))) void trace(const char* format, ...)
{
    if (!g_trace)
        return;
    va_list arguments;
    va_start(arguments, format);
    vfprintf(stderr, format, arguments);
    va_end(arguments);
}

alignas(4096) u8 g_ram[kRamBytes];

// A file the fuzzer maps, as tmpfs's are (its cache is its data) or, with `store`, as a disk filesystem's
// (shared writable pages are tracked dirty and msync writes them back). Objects 0 and 1 of the model.
struct FuzzFile final : MappedFile {
    PageCache cache;
    FileMapping mapping { cache, *this };
    u64 pages = 0;
    bool store = false;
    long pins = 0;

    void pin() override { ++pins; }
    void unpin() override { --pins; }
    u64 size() const override { return pages * kPage; }
    bool has_store() const override { return store; }
    // The store holds zeros: pages leave the cache only by truncation or a hole, which zero them.
    Result<void> read_pages(u64, const PhysAddr*, usize) override { return {}; }
    Result<void> punch_hole(u64 first, u64 count) override
    {
        mapping.remove_pages(first, count, MappedPages::Copies::Keep);
        return {};
    }
    void truncate(u64 new_pages)
    {
        pages = new_pages;
        mapping.remove_pages(new_pages);
    }
};
constexpr usize kFiles = 2;
FuzzFile* g_files[kFiles];

const FuzzFile* file_of(const VmBacking* backing)
{
    for (FuzzFile* file : g_files)
        if (backing == &file->mapping)
            return file;
    return nullptr;
}

template<typename T> void compare(const Result<T>& got, const Expected& expected, usize length)
{
    if (expected.error != Errno(0)) {
        require(got.is_error() && got.error() == expected.error);
        return;
    }
    require(!got.is_error());
    if constexpr (!std::is_void_v<T>) {
        uptr value = got.value();
        if (expected.value == kOutside)
            require(value % kPage == 0 && (value >= kEnd || value + pages_for(length) * kPage <= kBase));
        else
            require(value == expected.value);
    }
}

// --- checking the kernel against the model ---

// The kernel's areas in the window are the model's runs, page for page; each model object is one backing.
void check_space(const Model& model, const Space& s, std::map<int, const VmBacking*>& backing_of,
    std::map<const VmBacking*, int>& object_of)
{
    const AddressSpace& kernel = *s.kernel;
    require(kernel.invariant_violation() == nullptr);
    require(kernel.break_start() == s.break_start && kernel.current_break() == s.brk);

    const VmArea* area = kernel.first_area_after(kBase);
    for (usize page = 0;;) {
        while (page < kPages && !s.pages[page].mapped)
            ++page;
        if (page == kPages) {
            require(!area || area->start >= kEnd);
            break;
        }
        usize end = Model::area_end(s, page);
        const Page& p = s.pages[page];
        require(area && area->start == address_of(page) && area->end == address_of(end));
        require(area->prot == p.prot && area->flags == p.flags && (area->backing != nullptr) == (p.object >= 0));
        if (p.object >= 0) {
            require(area->backing_offset == p.index);
            require(backing_of.emplace(p.object, area->backing).first->second == area->backing);
            require(object_of.emplace(area->backing, p.object).first->second == p.object);
        }
        for (usize i = page; i < end; ++i) {
            const Page& q = s.pages[i];
            arch::PageMapping mapping;
            bool present = arch::query_page(kernel.page_tables(), address_of(i), mapping);
            require(present == q.present);
            require(!q.copied || present);
            if (!present) {
                for (usize slot = 0; slot < kSlots; ++slot)
                    require(q.object >= 0 || q.data.at[slot] == 0);
                continue;
            }
            if (!(q.prot & kProtMask))
                require(mapping.access == 0);
            else
                require((mapping.access & arch::kPageUser)
                    && (!(mapping.access & arch::kPageWritable) || (q.prot & kProtWrite)));
            if (Model::reads_object(q)) {
                require(area->backing->existing_page(q.index) == mapping.phys);
                if (!(q.flags & kVmShared))
                    require(!(mapping.access & arch::kPageWritable)); // a write must copy the file's page
                else if ((mapping.access & arch::kPageWritable) && model.objects[q.object].store)
                    require(model.objects[q.object].dirty[q.index]); // a clean page faults on its first write
            } else if (mapping.access & arch::kPageWritable) {
                require(page_allocator().refcount(mapping.phys) == 1); // a shared private frame must fault to copy
            }
            if (q.copied)
                require(area->backing->existing_page(q.index) != mapping.phys);
            const u8* bytes = static_cast<const u8*>(arch::phys_to_virt(mapping.phys, kPage));
            for (usize slot = 0; slot < kSlots; ++slot)
                require(bytes[kOffsets[slot]] == model.byte(s, i, slot));
        }
        area = kernel.areas().next(*area);
        page = end;
    }
}

// The kept bytes of a page are what the model says, and every other byte is zero.
void check_page_bytes(const u8* bytes, const Bytes& expected)
{
    static const u8 zeros[kPage] = {};
    usize from = 0;
    for (usize slot = 0; slot < kSlots; ++slot) {
        require(memcmp(bytes + from, zeros, kOffsets[slot] - from) == 0);
        require(bytes[kOffsets[slot]] == expected.at[slot]);
        from = kOffsets[slot] + 1u;
    }
    require(memcmp(bytes + from, zeros, kPage - from) == 0);
}

void check_all(Model& model, bool thorough)
{
    require(AddressSpace::active() == model.current().kernel.get());
    require(sim::active_page_tables() == model.current().kernel->page_tables());
    std::map<int, const VmBacking*> backing_of;
    std::map<const VmBacking*, int> object_of;
    for (const Space& s : model.spaces)
        check_space(model, s, backing_of, object_of);
    // The files, mapped or not: their caches hold exactly the pages the model says, dirty as it says.
    for (usize i = 0; i < kFiles; ++i) {
        const SharedObject& o = model.objects[i];
        const FuzzFile& file = *g_files[i];
        require(file.pages == o.size);
        u64 cached = 0;
        for (u64 index = 0; index < o.size; ++index) {
            PhysAddr frame = file.cache.find(index);
            require((frame != 0) == o.exists[index]);
            cached += frame != 0;
            if (o.store)
                require(file.cache.is_dirty(index) == o.dirty[index]);
            if (frame && thorough)
                check_page_bytes(static_cast<const u8*>(arch::phys_to_virt(frame, kPage)), o.data[index]);
        }
        require(file.cache.page_count() == cached); // nothing past the end
        require(file.pins == static_cast<long>(file.mapping.area_count()));
    }
    for (auto [object, backing] : backing_of) {
        const SharedObject& o = model.objects[object];
        if (o.file)
            continue;
        const auto* memory = static_cast<const SharedMemory*>(backing);
        require(memory->size_in_pages() == o.size);
        for (u64 index = 0; index < o.size; ++index) {
            PhysAddr frame = memory->existing_page(index);
            require((frame != 0) == o.exists[index]);
            if (!frame)
                require(memcmp(o.data[index].at, Bytes {}.at, kSlots) == 0);
            else if (thorough)
                check_page_bytes(static_cast<const u8*>(arch::phys_to_virt(frame, kPage)), o.data[index]);
        }
    }
    if (!thorough)
        return;
    require(page_allocator().check_invariants());
    // Each frame's reference count is its mappings in every address space plus its backing's own reference.
    std::unordered_map<PhysAddr, u32> references;
    std::map<const VmBacking*, bool> backings;
    for (const Space& s : model.spaces) {
        for (const VmArea& area : s.kernel->areas()) {
            if (area.backing)
                backings[area.backing] = true;
            for (uptr page = area.start; page < area.end; page += kPage) {
                arch::PageMapping mapping;
                if (arch::query_page(s.kernel->page_tables(), page, mapping))
                    ++references[mapping.phys];
            }
        }
        for (usize page = 0; page < kPages; ++page) {
            arch::PageMapping mapping;
            if (s.pages[page].object < 0 && arch::query_page(s.kernel->page_tables(), address_of(page), mapping))
                check_page_bytes(static_cast<const u8*>(arch::phys_to_virt(mapping.phys, kPage)), s.pages[page].data);
        }
    }
    for (const FuzzFile* file : g_files)
        for (u64 index = 0; index < file->pages; ++index)
            if (PhysAddr frame = file->cache.find(index))
                ++references[frame];
    for (auto [backing, unused] : backings) {
        if (file_of(backing))
            continue;
        const auto* memory = static_cast<const SharedMemory*>(backing);
        for (u64 index = 0; index < memory->size_in_pages(); ++index)
            if (PhysAddr frame = memory->existing_page(index))
                ++references[frame];
    }
    for (auto [frame, count] : references)
        require(page_allocator().refcount(frame) == count);
}

// --- decoding operations ---

struct Decoder {
    FuzzedDataProvider& fdp;

    usize page() { return fdp.ConsumeIntegralInRange<usize>(0, kPages - 1); }
    // Mostly a page boundary, sometimes not.
    uptr address(usize page)
    {
        uptr address = address_of(page);
        return fdp.ConsumeIntegralInRange<u8>(0, 15) == 0 ? address + fdp.ConsumeIntegralInRange<uptr>(1, kPage - 1)
                                                          : address;
    }
    // A length of `count` pages once rounded up (0 when count is 0), mostly a multiple of the page size.
    usize length(usize count)
    {
        if (count == 0)
            return 0;
        return count * kPage - (fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange<usize>(0, kPage - 1) : 0);
    }
    // Up to `room` pages, rarely none.
    usize count(usize room)
    {
        return fdp.ConsumeIntegralInRange<u8>(0, 31) == 0 ? 0 : fdp.ConsumeIntegralInRange<usize>(1, room);
    }
    u32 prot() { return fdp.ConsumeIntegralInRange<u32>(0, 7); }
};

void do_access(Model& model, Decoder& in, bool write)
{
    Space& s = model.current();
    usize page = in.page();
    usize slot = in.fdp.ConsumeIntegralInRange<usize>(0, kSlots - 1);
    uptr address = address_of(page) + kOffsets[slot];
    if (write) {
        u8 value = in.fdp.ConsumeIntegral<u8>();
        bool expected = model.access(s, page, true);
        if (expected)
            model.store(s, page, slot, value);
        trace("[%zu] write %#lx = %u: expect %s\n", model.active, (unsigned long)address, value,
            expected ? "ok" : "EFAULT");
        require(raw::copy_to_user(address, &value, 1).is_error() != expected);
        return;
    }
    // A read anywhere in the page: only the kept bytes were ever written.
    uptr offset = in.fdp.ConsumeBool() ? kOffsets[slot] : in.fdp.ConsumeIntegralInRange<uptr>(0, kPage - 1);
    int kept = -1;
    for (usize i = 0; i < kSlots; ++i)
        if (kOffsets[i] == offset)
            kept = static_cast<int>(i);
    bool expected = model.access(s, page, false);
    trace("[%zu] read %#lx: expect %s\n", model.active, (unsigned long)(address_of(page) + offset),
        expected ? "ok" : "EFAULT");
    u8 got = 0;
    require(raw::copy_from_user(&got, address_of(page) + offset, 1).is_error() != expected);
    if (expected)
        require(got == (kept >= 0 ? model.byte(s, page, static_cast<usize>(kept)) : 0));
}

// Two bytes across a page boundary: the copy stops at the first page that faults.
void do_span(Model& model, Decoder& in)
{
    Space& s = model.current();
    usize page = in.page();
    uptr address = address_of(page) + kPage - 1;
    bool first = false, second = false;
    if (in.fdp.ConsumeBool()) {
        u8 values[2] = { in.fdp.ConsumeIntegral<u8>(), in.fdp.ConsumeIntegral<u8>() };
        if ((first = model.access(s, page, true))) {
            model.store(s, page, kSlots - 1, values[0]);
            if ((second = model.access(s, page + 1, true)))
                model.store(s, page + 1, 0, values[1]);
        }
        trace("[%zu] write2 %#lx: expect %d %d\n", model.active, (unsigned long)address, first, second);
        require(raw::copy_to_user(address, values, 2).is_error() != second);
        return;
    }
    u8 got[2] = { 0, 0 };
    if ((first = model.access(s, page, false)))
        second = model.access(s, page + 1, false);
    trace("[%zu] read2 %#lx: expect %d %d\n", model.active, (unsigned long)address, first, second);
    require(raw::copy_from_user(got, address, 2).is_error() != second);
    if (first)
        require(got[0] == model.byte(s, page, kSlots - 1));
    if (second)
        require(got[1] == model.byte(s, page + 1, 0));
}

void do_mmap(Model& model, Decoder& in)
{
    Space& s = model.current();
    usize page = in.page();
    usize count = in.count(kPages - page);
    usize length = in.length(count);
    u32 prot = in.prot();
    u8 type_choice = in.fdp.ConsumeIntegralInRange<u8>(0, 15);
    int file = in.fdp.ConsumeIntegralInRange<u8>(0, 2) == 0 ? -1 : static_cast<int>(in.fdp.ConsumeIntegralInRange<usize>(0, kFiles - 1));
    bool writable = file >= 0 && in.fdp.ConsumeIntegralInRange<u8>(0, 3) != 0;
    u64 offset = file >= 0 ? in.fdp.ConsumeIntegralInRange<u64>(0, kPages / 2) : 0;
    u32 flags = (file < 0 ? u32 { kMapAnonymous } : 0u)
        | (type_choice < 9             ? kMapPrivate
                : type_choice < 15     ? kMapShared
                : in.fdp.ConsumeBool() ? 0u
                                       : kMapSharedValidate);
    u8 placement = in.fdp.ConsumeIntegralInRange<u8>(0, 7);
    uptr address = address_of(page);
    if (placement < 5) {
        flags |= kMapFixed;
        address = in.address(page);
    } else if (placement == 5) {
        flags |= kMapFixedNoReplace;
    } else if (placement == 6 && address > 0) {
        address -= in.fdp.ConsumeIntegralInRange<uptr>(0, kPage - 1); // a hint, rounded up to `page`
    } else {
        address = in.fdp.ConsumeBool() ? address : 0;
    }
    u8 extra = in.fdp.ConsumeIntegral<u8>();
    flags |= (extra & 1 ? kMapPopulate : 0u) | (extra & 2 ? kMapNoReserve : 0u) | (extra & 4 ? kMapGrowsDown : 0u)
        | (extra & 8 ? kMapLocked : 0u);
    if (!(extra & 16))
        flags &= ~(kMapGrowsDown | kMapLocked);
    // Populating a file's mapping outside the window would read its pages in where the model cannot follow.
    if (file >= 0 && !(flags & (kMapFixed | kMapFixedNoReplace)))
        flags &= ~(kMapPopulate | kMapLocked);
    Expected expected = model.mmap(s, address, length, prot, flags, file, writable, offset);
    trace("[%zu] mmap %#lx %#zx prot %u flags %#x file %d%s offset %llu: expect %d %#lx\n", model.active,
        (unsigned long)address, length, prot, flags, file, writable ? " writable" : "", (unsigned long long)offset,
        static_cast<int>(expected.error), (unsigned long)expected.value);
    if (file < 0) {
        compare(mm::do_mmap(*s.kernel, address, length, prot, flags), expected, length);
        return;
    }
    MapFile request { &g_files[file]->mapping, true, true, writable, false, false };
    compare(mm::do_mmap(*s.kernel, address, length, prot, flags, offset, &request), expected, length);
}

void do_mremap(Model& model, Decoder& in)
{
    Space& s = model.current();
    static constexpr u32 kFlagChoices[] = { 0, kMremapMayMove, kMremapMayMove, kMremapMayMove | kMremapFixed,
        kMremapMayMove | kMremapFixed, kMremapMayMove | kMremapDontUnmap,
        kMremapMayMove | kMremapDontUnmap | kMremapFixed, kMremapFixed, kMremapDontUnmap, 8 };
    u32 flags = in.fdp.PickValueInArray(kFlagChoices);
    usize from = in.page();
    uptr old_address;
    usize old_count;
    if (s.pages[from].mapped && in.fdp.ConsumeBool()) {
        // Often the tail or the whole of an area: what mremap is for.
        usize end = Model::area_end(s, from);
        if (in.fdp.ConsumeBool())
            from = Model::area_start(s, from);
        old_address = address_of(from);
        old_count = end - from;
    } else {
        old_address = in.address(from);
        old_count = in.count(kPages - from);
    }
    // An old length of 0 asks for a second mapping of shared memory: give it a fair share.
    if (in.fdp.ConsumeIntegralInRange<u8>(0, 7) == 0)
        old_count = 0;
    usize old_length = in.length(old_count);
    usize new_length, to = 0;
    uptr new_address = 0;
    if (flags & kMremapFixed) {
        // Often right at or next to the source, where the ranges touch.
        u8 near = in.fdp.ConsumeIntegralInRange<u8>(0, 7);
        to = near == 0 ? from : near == 1 ? (from + old_count < kPages ? from + old_count : 0) : in.page();
        new_address = in.address(to);
        new_length = in.length(in.count(kPages - to));
    } else {
        new_length = in.length(in.count(kPages - from));
    }
    if ((flags & kMremapDontUnmap) && in.fdp.ConsumeIntegralInRange<u8>(0, 7) != 0) {
        // Mostly a valid request: the same length, in room at the target.
        usize room = (flags & kMremapFixed) ? kPages - (from > to ? from : to) : kPages - from;
        old_length = new_length = in.length(old_count < room ? old_count : room);
    }
    Expected expected = model.mremap(s, old_address, old_length, new_length, flags, new_address);
    trace("[%zu] mremap %#lx %#zx -> %#zx flags %u new %#lx: expect %d %#lx\n", model.active,
        (unsigned long)old_address, old_length, new_length, flags, (unsigned long)new_address,
        static_cast<int>(expected.error), (unsigned long)expected.value);
    compare(mm::do_mremap(*s.kernel, old_address, old_length, new_length, flags, new_address), expected, new_length);
}

void do_fork(Model& model, Decoder& in)
{
    if (model.spaces.size() == kMaxSpaces)
        return;
    trace("[%zu] fork -> %zu\n", model.active, model.spaces.size());
    auto child = model.current().kernel->fork();
    require(!child.is_error());
    Space space;
    space.kernel = child.release_value();
    Model::fork(model.current(), space);
    model.spaces.push_back(static_cast<Space&&>(space));
    if (in.fdp.ConsumeBool()) {
        model.active = model.spaces.size() - 1;
        model.current().kernel->activate();
    }
}

void do_switch_or_exit(Model& model, Decoder& in)
{
    usize which = in.fdp.ConsumeIntegralInRange<usize>(0, model.spaces.size() - 1);
    if (in.fdp.ConsumeBool() || model.spaces.size() == 1) {
        trace("switch to %zu\n", which);
        model.active = which;
        model.current().kernel->activate();
        return;
    }
    // The address space goes away with its process; shared memory lives on in the others.
    trace("exit %zu\n", which);
    model.spaces.erase(model.spaces.begin() + static_cast<long>(which));
    if (model.active == which) {
        model.active = 0;
        require(AddressSpace::active() == nullptr);
        model.current().kernel->activate();
    } else if (model.active > which) {
        --model.active;
    }
}

// write() of one byte to a file, through its cache as read() and write() reach it.
void do_file_write(Model& model, Decoder& in)
{
    usize which = in.fdp.ConsumeIntegralInRange<usize>(0, kFiles - 1);
    SharedObject& o = model.objects[which];
    if (o.size == 0)
        return;
    u64 index = in.fdp.ConsumeIntegralInRange<u64>(0, o.size - 1);
    usize slot = in.fdp.ConsumeIntegralInRange<usize>(0, kSlots - 1);
    u8 value = in.fdp.ConsumeIntegral<u8>();
    trace("write file %zu page %llu slot %zu = %u\n", which, (unsigned long long)index, slot, value);
    InBuffer from = InBuffer::kernel(&value, 1);
    auto written = g_files[which]->cache.write(index * kPage + kOffsets[slot], from, 1);
    require(!written.is_error() && written.value() == 1);
    o.exists[index] = true;
    o.data[index].at[slot] = value;
    o.dirty[index] = true;
}

void do_truncate(Model& model, Decoder& in)
{
    usize which = in.fdp.ConsumeIntegralInRange<usize>(0, kFiles - 1);
    u64 pages = in.fdp.ConsumeIntegralInRange<u64>(0, kPages);
    trace("truncate file %zu to %llu pages\n", which, (unsigned long long)pages);
    g_files[which]->truncate(pages);
    model.truncate(static_cast<int>(which), pages);
}

void do_msync(Model& model, Decoder& in)
{
    static constexpr u32 kFlags[] = { kMsSync, kMsSync, kMsSync, kMsAsync, kMsInvalidate, kMsSync | kMsInvalidate,
        kMsAsync | kMsSync, 8 };
    Space& s = model.current();
    u32 flags = in.fdp.PickValueInArray(kFlags);
    usize page = in.page();
    uptr address = in.address(page);
    usize length = in.length(in.count(kPages - page));
    trace("[%zu] msync %#lx %#zx %#x\n", model.active, (unsigned long)address, length, flags);
    compare(mm::do_msync(*s.kernel, address, length, flags), model.msync(s, address, length, flags), 0);
}

void run(FuzzedDataProvider& fdp)
{
    Decoder in { fdp };
    FuzzFile files[kFiles]; // outlive the address spaces that map them
    Model model;
    for (usize i = 0; i < kFiles; ++i) {
        g_files[i] = &files[i];
        files[i].store = i == 1;
        files[i].pages = fdp.ConsumeIntegralInRange<u64>(0, kPages / 2);
        model.objects.emplace_back();
        model.objects.back().file = true;
        model.objects.back().store = files[i].store;
        model.objects.back().grow(files[i].pages);
    }
    model.spaces.emplace_back();
    auto created = AddressSpace::create();
    require(!created.is_error());
    Space& first = model.spaces.back();
    first.kernel = created.release_value();
    first.kernel->activate();
    // The break starts inside the window or in the page just below it.
    uptr break_start = fdp.ConsumeBool() ? kBase - fdp.ConsumeIntegralInRange<uptr>(0, kPage - 1)
                                         : kBase + fdp.ConsumeIntegralInRange<uptr>(0, kPages * kPage / 2);
    first.kernel->set_break_start(break_start);
    first.break_start = first.brk = break_start;

    for (usize step = 0; step < kMaxOperations && fdp.remaining_bytes() > 0; ++step) {
        Space& s = model.current();
        switch (fdp.ConsumeIntegralInRange<u8>(0, 19)) {
        case 0:
        case 1:
            do_mmap(model, in);
            break;
        case 2: {
            usize page = in.page();
            uptr address = in.address(page);
            usize length = in.length(in.count(kPages - page));
            trace("[%zu] munmap %#lx %#zx\n", model.active, (unsigned long)address, length);
            compare(mm::do_munmap(*s.kernel, address, length), Model::munmap(s, address, length), 0);
            break;
        }
        case 3: {
            usize page = in.page();
            uptr address = in.address(page);
            usize length = in.length(in.count(kPages - page));
            u32 prot = in.prot();
            if (fdp.ConsumeIntegralInRange<u8>(0, 7) == 0)
                prot |= fdp.PickValueInArray({ kProtSem, kProtGrowsDown, kProtGrowsDown, kProtGrowsUp, 0x10u });
            trace("[%zu] mprotect %#lx %#zx %#x\n", model.active, (unsigned long)address, length, prot);
            compare(mm::do_mprotect(*s.kernel, address, length, prot), Model::mprotect(s, address, length, prot), 0);
            break;
        }
        case 4: {
            uptr request = fdp.ConsumeIntegralInRange<u8>(0, 15) == 0
                ? 0
                : kBase - kPage + fdp.ConsumeIntegralInRange<uptr>(0, (kPages + 1) * kPage);
            uptr expected = Model::brk(s, request);
            trace("[%zu] brk %#lx (start %#lx): expect %#lx\n", model.active, (unsigned long)request,
                (unsigned long)s.break_start, (unsigned long)expected);
            require(mm::do_brk(*s.kernel, request) == expected);
            break;
        }
        case 5:
            do_mremap(model, in);
            break;
        case 6: {
            static constexpr u32 kAdvice[] = { kMadvNormal, kMadvWillNeed, kMadvDontNeed, kMadvDontNeed, kMadvDontNeed,
                kMadvDontNeedLocked, kMadvRemove, kMadvDontFork, kMadvDoFork, kMadvWipeOnFork, kMadvKeepOnFork,
                kMadvCold, kMadvHwPoison, 7 };
            u32 advice = fdp.PickValueInArray(kAdvice);
            usize page = in.page();
            uptr address = in.address(page);
            usize length = in.length(in.count(kPages - page));
            trace("[%zu] madvise %#lx %#zx %u\n", model.active, (unsigned long)address, length, advice);
            compare(mm::do_madvise(*s.kernel, address, length, advice), model.madvise(s, address, length, advice), 0);
            break;
        }
        case 7: {
            usize page = in.page();
            uptr address = in.address(page);
            usize length = in.length(in.count(kPages - page));
            u8 got[kPages], want[kPages];
            memset(got, 0xEE, sizeof(got));
            Expected expected = model.mincore(s, address, length, want);
            trace("[%zu] mincore %#lx %#zx: expect %d\n", model.active, (unsigned long)address, length,
                static_cast<int>(expected.error));
            compare(mm::do_mincore(*s.kernel, address, length, got), expected, 0);
            if (expected.error == Errno(0))
                require(memcmp(got, want, pages_for(length)) == 0);
            break;
        }
        case 8:
        case 9:
            do_access(model, in, true);
            break;
        case 10:
        case 11:
            do_access(model, in, false);
            break;
        case 12:
            do_span(model, in);
            break;
        case 13:
            do_fork(model, in);
            break;
        case 14:
            do_switch_or_exit(model, in);
            break;
        case 15:
            // Drop whatever the kernel placed outside the window.
            trace("[%zu] munmap outside\n", model.active);
            require(!mm::do_munmap(*s.kernel, kEnd, AddressSpace::kMmapTop - kEnd).is_error());
            break;
        case 16:
            do_file_write(model, in);
            break;
        case 17:
            do_truncate(model, in);
            break;
        case 18:
            do_msync(model, in);
            break;
        case 19:
            do_mmap(model, in); // the most varied call, and now two thirds of them map a file
            break;
        }
        check_all(model, step % 8 == 7);
    }
    check_all(model, true);
    model.spaces.clear(); // the files' areas go, then the files
    for (const FuzzFile& file : files)
        require(file.pins == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static bool poisoned = false;
    if (!poisoned) {
        g_trace = getenv("AS_FUZZ_TRACE") != nullptr;
        memset(g_ram, 0xA5, sizeof(g_ram)); // so that a page handed out without being cleared shows
        poisoned = true;
    }
    sim::reset();
    panic_reset();
    kmalloc_reset();
    sim::attach_phys_memory(0, g_ram, sizeof(g_ram));
    PhysRangeSet ram, in_use;
    require(!ram.add(0, sizeof(g_ram)).is_error());
    require(!init_physical_memory(ram, in_use).is_error());
    install_page_fault_handler();
    kmalloc_shrink();
    usize free_at_start = page_allocator().free_pages();
    long tables_at_start = sim::live_page_tables();

    {
        FuzzedDataProvider fdp(data, size);
        run(fdp);
    }

    // Every page and every page table comes back.
    require(AddressSpace::active() == nullptr);
    kmalloc_shrink();
    require(page_allocator().free_pages() == free_at_start);
    require(sim::live_page_tables() == tables_at_start);
    require(page_allocator().check_invariants());
    return 0;
}
