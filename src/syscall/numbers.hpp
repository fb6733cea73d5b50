// System-call numbers by name, from syscalls.def at compile time: `sys::nr("rt_sigaction")` is 174, and a name
// the table does not have does not compile, so tests and tools name calls instead of writing numbers.
#pragma once

#include "lib/types.hpp"

namespace sys {

namespace numbers_detail {

struct Named {
    u32 number;
    const char* name;
};

inline constexpr Named kNamed[] = {
#define SYSCALL(number, name, ...) { number, #name },
#include "syscall/syscalls.def"
#undef SYSCALL
};

constexpr bool same(const char* a, const char* b)
{
    while (*a && *a == *b)
        ++a, ++b;
    return *a == *b;
}

// Not constexpr: reaching it in nr() makes the constant evaluation, and so the program, ill-formed.
void no_such_system_call_in_syscalls_def();

} // namespace numbers_detail

consteval u32 nr(const char* name)
{
    for (const auto& each : numbers_detail::kNamed)
        if (numbers_detail::same(each.name, name))
            return each.number;
    numbers_detail::no_such_system_call_in_syscalls_def();
    return 0;
}

} // namespace sys
