// The dispatch and name tables, built at compile time from syscalls.def.
#include "syscall/dispatch.hpp"

#include <type_traits>

#include "kernel/log.hpp"
#include "lib/bitmap.hpp"
#include "syscall/handlers.hpp"
#include "syscall/invoke.hpp"

namespace sys {

namespace {

using Entry = i32 (*)(const arch::SyscallArgs&);

// `none` in syscalls.def: a value of its own type, so the table can tell it from a handler.
struct None { };
inline constexpr None none {};

template<auto Handler>
constexpr Entry entry_for()
{
    if constexpr (std::is_same_v<decltype(Handler), const None> || std::is_same_v<decltype(Handler), None>)
        return nullptr;
    else
        return &invoke<Handler>;
}

struct Table {
    Entry entries[kSyscallCount] {};
    const char* names[kSyscallCount] {};
    constexpr Table()
    {
#define SYSCALL(number, name, handler)                                                                            \
    entries[number] = entry_for<handler>();                                                                        \
    names[number] = #name;
#include "syscall/syscalls.def"
#undef SYSCALL
    }
};

constexpr Table kTable;

Bitmap::Word g_reported_words[Bitmap::words_for(kSyscallCount)];
Bitmap g_reported(g_reported_words, kSyscallCount);

} // namespace

i32 dispatch(const arch::SyscallArgs& args)
{
    if (args.number >= kSyscallCount || !kTable.names[args.number])
        return -static_cast<i32>(Errno::NOSYS);
    if (Entry entry = kTable.entries[args.number])
        return entry(args);
    // Once per call, so that what is missing is visible without flooding the log.
    if (!g_reported.get(args.number)) {
        g_reported.set(args.number);
        log_warning("syscall %s (%u) is not implemented: ENOSYS", kTable.names[args.number], args.number);
    }
    return -static_cast<i32>(Errno::NOSYS);
}

const char* syscall_name(u32 number) { return number < kSyscallCount ? kTable.names[number] : nullptr; }

bool is_implemented(u32 number) { return number < kSyscallCount && kTable.entries[number]; }

} // namespace sys
