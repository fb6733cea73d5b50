// i386 instructions the rest of src/arch/i386 needs, as inline functions.
#pragma once

#include "lib/types.hpp"

namespace i386 {

inline u8 inb(u16 port)
{
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port)); }
inline u16 inw(u16 port)
{
    u16 value;
    asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outw(u16 port, u16 value) { asm volatile("outw %0, %1" : : "a"(value), "Nd"(port)); }
inline u32 inl(u16 port)
{
    u32 value;
    asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
inline void outl(u16 port, u32 value) { asm volatile("outl %0, %1" : : "a"(value), "Nd"(port)); }

inline void write_msr(u32 msr, u64 value)
{
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<u32>(value)), "d"(static_cast<u32>(value >> 32)));
}

inline u32 read_cr0()
{
    u32 v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline u32 read_cr2()
{
    u32 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u32 read_cr3()
{
    u32 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline u32 read_cr4()
{
    u32 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr0(u32 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline void write_cr4(u32 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

inline u32 read_eflags()
{
    u32 v;
    asm volatile("pushfl; popl %0" : "=r"(v));
    return v;
}

constexpr u32 kEflagsIF = 1u << 9;
constexpr u32 kEflagsTf = 1u << 8;
constexpr uptr kKernelVirtBase = 0xC0000000;
// Physical memory [0, kDirectMapBytes) is mapped at kKernelVirtBase by boot.asm.
constexpr u32 kDirectMapBytes = 256u * 1024 * 1024;

// Selectors, laid out as Linux's i386 GDT (arch/x86/include/asm/segment.h) so tools see familiar values.
constexpr u16 kKernelCodeSelector = 12 * 8;
constexpr u16 kKernelDataSelector = 13 * 8;
constexpr u16 kUserCodeSelector = 14 * 8 + 3;
constexpr u16 kUserDataSelector = 15 * 8 + 3;
constexpr u16 kTssSelector = 16 * 8;

// Sets the CPU up for user programs' floating point: x87 with native error reporting and, where the CPU has
// FXSR/SSE, the SSE registers and their exceptions (CR4.OSFXSR, OSXMMEXCPT), as Linux does.
void fpu_init();

} // namespace i386
