// kmalloc over size-class slab caches and whole page blocks.
#include "mm/kmalloc.hpp"

#include "arch/arch.hpp"
#include "kernel/panic.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"
#include "mm/slab.hpp"

namespace mm {

namespace {

constexpr usize kSizeClasses = 9; // 8 .. 2048
constexpr usize kLargestSlabObject = 2048;

// Built on first use: kmalloc may be called before any constructor has run elsewhere.
SlabCache& size_class(usize index)
{
    static SlabCache caches[kSizeClasses] = {
        { "kmalloc-8", 8 }, { "kmalloc-16", 16 }, { "kmalloc-32", 32 }, { "kmalloc-64", 64 },
        { "kmalloc-128", 128 }, { "kmalloc-256", 256 }, { "kmalloc-512", 512 }, { "kmalloc-1k", 1024 },
        { "kmalloc-2k", 2048 },
    };
    return caches[index];
}

usize class_for(usize size)
{
    usize index = 0;
    while ((usize { 8 } << index) < size)
        ++index;
    return index;
}

unsigned order_for(usize size)
{
    unsigned order = 0;
    while ((kPageSize << order) < size)
        ++order;
    return order;
}

usize g_large_pages;

} // namespace

Result<void*> kmalloc(usize size)
{
    if (size <= kLargestSlabObject)
        return size_class(class_for(size)).allocate();
    if (size > kKmallocMax)
        return Errno::NOMEM;
    unsigned order = order_for(size);
    PhysAddr block = TRY(page_allocator().allocate(order));
    void* pointer = arch::phys_to_virt(block, kPageSize << order);
    if (!pointer) {
        page_allocator().free(block, order);
        return Errno::NOMEM;
    }
    g_large_pages += usize { 1 } << order;
    return pointer;
}

Result<void*> kzalloc(usize size)
{
    void* pointer = TRY(kmalloc(size));
    fill_bytes(pointer, 0, size);
    return pointer;
}

void kfree(void* pointer)
{
    if (!pointer)
        return;
    if (SlabCache* cache = SlabCache::cache_of(pointer)) {
        cache->free(pointer);
        return;
    }
    PhysAddr block = arch::virt_to_phys(pointer);
    PageFrame* frame = page_allocator().frame_of(block);
    if (!frame || frame->state != PageFrame::State::Allocated)
        panic("kfree(%p): not an allocation", pointer);
    g_large_pages -= usize { 1 } << frame->order;
    page_allocator().free(block, frame->order);
}

usize kmalloc_size(const void* pointer)
{
    if (SlabCache* cache = SlabCache::cache_of(pointer))
        return cache->object_size();
    PageFrame* frame = page_allocator().frame_of(arch::virt_to_phys(pointer));
    return frame ? kPageSize << frame->order : 0;
}

usize kmalloc_pages()
{
    usize pages = g_large_pages;
    for (usize i = 0; i < kSizeClasses; ++i)
        pages += size_class(i).pages();
    return pages;
}

usize kmalloc_reclaimable_pages()
{
    usize pages = 0;
    for (usize i = 0; i < kSizeClasses; ++i)
        pages += size_class(i).empty_pages();
    return pages;
}

void kmalloc_shrink()
{
    for (usize i = 0; i < kSizeClasses; ++i)
        size_class(i).shrink();
}

void kmalloc_reset()
{
    for (usize i = 0; i < kSizeClasses; ++i)
        size_class(i).forget_all_slabs();
    g_large_pages = 0;
}

} // namespace mm
