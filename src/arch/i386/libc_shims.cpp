// The few C-linkage symbols GCC emits calls to even in freestanding code (GCC manual, "Standards":
// memcpy, memmove, memset, memcmp), plus C++ runtime hooks. They forward to src/lib and src/mm.
#include "kernel/panic.hpp"
#include "lib/string.hpp"
#include "mm/kmalloc.hpp"

#include <new>

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

// Static objects live as long as the kernel: their destructors are never run, so nothing is registered.
int atexit(void (*)()) { return 0; }

}

// libstdc++ defines this object; the kernel links without it.
const std::nothrow_t std::nothrow {};

// The kernel's new is the nothrow form over kmalloc: running out of memory is a value the caller handles
// (GUIDE §3). The throwing operator new is deliberately not defined, so using it fails to link.
void* operator new(usize size, const std::nothrow_t&) noexcept
{
    auto memory = mm::kmalloc(size);
    return memory.is_error() ? nullptr : memory.value();
}
void* operator new[](usize size, const std::nothrow_t&) noexcept { return operator new(size, std::nothrow); }
void operator delete(void* pointer) noexcept { mm::kfree(pointer); }
void operator delete(void* pointer, usize) noexcept { mm::kfree(pointer); }
void operator delete[](void* pointer) noexcept { mm::kfree(pointer); }
void operator delete[](void* pointer, usize) noexcept { mm::kfree(pointer); }
