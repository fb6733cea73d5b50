// The few C-linkage symbols GCC emits calls to even in freestanding code (GCC manual, "Standards":
// memcpy, memmove, memset, memcmp), plus C++ runtime hooks. They forward to src/lib.
#include "kernel/panic.hpp"
#include "lib/string.hpp"

extern "C" {

void* memcpy(void* dest, const void* src, usize n)
{
    copy_bytes(dest, src, n);
    return dest;
}
void* memmove(void* dest, const void* src, usize n)
{
    move_bytes(dest, src, n);
    return dest;
}
void* memset(void* dest, int value, usize n)
{
    fill_bytes(dest, static_cast<u8>(value), n);
    return dest;
}
int memcmp(const void* a, const void* b, usize n) { return compare_bytes(a, b, n); }

void __cxa_pure_virtual() { panic("pure virtual function called"); }

// No heap yet (the memory issue brings kmalloc): a delete would mean a kernel bug.
}

void operator delete(void*) noexcept { panic("operator delete without a kernel heap"); }
void operator delete(void*, usize) noexcept { panic("operator delete without a kernel heap"); }
