// Copies to and from user memory. Each copy's instructions are listed in the exception table: a fault there
// that the page-fault handler cannot resolve resumes after it with ecx holding the bytes left, so a bad user
// pointer costs no walk of the address space beforehand (Linux's __ex_table, SerenityOS's safe_memcpy).
#include "arch/arch.hpp"
#include "arch/i386/uaccess_fixup.hpp"

namespace arch {

namespace {

// rep movsl, then rep movsb for the tail, both in the exception table (Linux's __copy_user): a fault in the
// word copy falls back to bytes from there, so the copy stops at the exact byte that faults; a fault the
// handler cannot resolve resumes after it with ecx holding what was left, in either direction.
usize copy_with_fixup(void* to, const void* from, usize length)
{
    usize remaining = length / 4;
    usize tail = length % 4;
    asm volatile("1: rep movsl\n"
                 "   movl %[tail], %%ecx\n"
                 "2: rep movsb\n"
                 "   jmp 4f\n"
                 "3: leal (%[tail], %%ecx, 4), %%ecx\n"
                 "   jmp 2b\n"
                 "4:\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".long 1b, 3b\n"
                 ".long 2b, 4b\n"
                 ".popsection\n"
                 : "+c"(remaining), "+D"(to), "+S"(from)
                 : [tail] "r"(tail)
                 : "memory");
    return remaining;
}

} // namespace

usize copy_from_user_raw(void* to, uptr from, usize length)
{
    return copy_with_fixup(to, reinterpret_cast<const void*>(from), length);
}

usize copy_to_user_raw(uptr to, const void* from, usize length)
{
    return copy_with_fixup(reinterpret_cast<void*>(to), from, length);
}

isize copy_string_from_user_raw(char* to, uptr from, usize size)
{
    // Byte by byte: the string's end is found as it is copied, and a fault may come at any byte.
    for (usize i = 0; i < size; ++i) {
        u8 byte;
        if (!i386::probe_read8(from + i, byte))
            return -1;
        to[i] = static_cast<char>(byte);
        if (byte == 0)
            return static_cast<isize>(i);
    }
    return static_cast<isize>(size);
}

} // namespace arch
