// Adapts a typed handler (`Result<u32> sys_write(i32 fd, mm::UserIn<u8> buffer, u32 count)`) to the
// raw registers of a system call, and its Result to the value in eax.
#pragma once

#include <utility>

#include "lib/result.hpp"
#include "mm/uaccess.hpp"

namespace sys {

// A register becomes the parameter's type: integers by conversion (int takes the 32 bits as signed, as the
// kernel's long does), user pointers wrapped so that they cannot be dereferenced.
template<typename T>
struct Argument {
    static T from(u32 raw) { return static_cast<T>(raw); }
};
template<typename T, mm::UserAccess Access>
struct Argument<mm::UserPointer<T, Access>> {
    static mm::UserPointer<T, Access> from(u32 raw) { return mm::UserPointer<T, Access>(raw); }
};

inline i32 to_register(const Result<void>& result) { return result.is_error() ? -static_cast<i32>(result.error()) : 0; }
template<typename T>
i32 to_register(const Result<T>& result)
{
    return result.is_error() ? -static_cast<i32>(result.error()) : static_cast<i32>(result.value());
}

template<typename R, typename... Parameters, usize... Index>
i32 call(R (*handler)(Parameters...), const u32* registers, std::index_sequence<Index...>)
{
    return to_register(handler(Argument<Parameters>::from(registers[Index])...));
}

template<typename R, typename... Parameters>
constexpr usize arity(R (*)(Parameters...))
{
    return sizeof...(Parameters);
}

template<auto Handler>
i32 invoke(const arch::SyscallArgs& args)
{
    static_assert(arity(Handler) <= 6, "i386 system calls take at most six arguments");
    return call(Handler, args.arg, std::make_index_sequence<arity(Handler)> {});
}

} // namespace sys
