// Exception-table lookup and the probe that uses it.
#include "arch/i386/uaccess_fixup.hpp"

extern "C" const i386::ExceptionTableEntry __ex_table_start[], __ex_table_end[];

namespace i386 {

u32 find_fixup(u32 eip)
{
    // A handful of entries: a linear scan is cheaper than keeping the table sorted.
    for (auto* entry = __ex_table_start; entry != __ex_table_end; ++entry)
        if (entry->fault_eip == eip)
            return entry->fixup_eip;
    return 0;
}

namespace {

// One load of a T listed in the exception table; the register's size picks the instruction's.
template<typename T>
bool probe_read(uptr address, T& out)
{
    T value = 0;
    u32 ok = 1;
    asm volatile("1: mov (%2), %0\n"
                 "2:\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".long 1b, 3f\n"
                 ".popsection\n"
                 ".pushsection .text.fixup, \"ax\"\n"
                 "3: xorl %1, %1\n"
                 "jmp 2b\n"
                 ".popsection\n"
                 : "+q"(value), "+r"(ok)
                 : "r"(address)
                 : "memory");
    out = value;
    return ok != 0;
}

} // namespace

bool probe_read8(uptr address, u8& out) { return probe_read(address, out); }
bool probe_read32(uptr address, u32& out) { return probe_read(address, out); }

bool probe_write32(uptr address, u32 value)
{
    u32 ok = 1;
    asm volatile("1: movl %1, (%2)\n"
                 "2:\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".long 1b, 3f\n"
                 ".popsection\n"
                 ".pushsection .text.fixup, \"ax\"\n"
                 "3: xorl %0, %0\n"
                 "jmp 2b\n"
                 ".popsection\n"
                 : "+r"(ok)
                 : "r"(value), "r"(address)
                 : "memory");
    return ok != 0;
}

} // namespace i386
