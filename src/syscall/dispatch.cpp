// The dispatch and name tables, built at compile time from syscalls.def.
#include "syscall/dispatch.hpp"

#include <type_traits>

#include "kernel/boot_state.hpp"
#include "kernel/log.hpp"
#include "lib/bitmap.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"
#include "proc/process.hpp"
#include "syscall/handlers.hpp"
#include "syscall/invoke.hpp"
#include "syscall/strace.hpp"

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

template<auto Handler>
constexpr bool kinds_fit(usize kinds)
{
    if constexpr (std::is_same_v<decltype(Handler), const None> || std::is_same_v<decltype(Handler), None>)
        return kinds == 0;
    else
        return kinds == arity(Handler);
}

// Pointer kinds name the direction their memory goes; the handler's parameter must be a UserPointer with that
// direction, and every other kind a plain number.
struct KindAccess {
    bool pointer;
    mm::UserAccess access;
    bool may_write_back { false }; // a timeout that select, poll and their kin update with the time left
};
constexpr KindAccess access_of(ArgKind kind)
{
    using enum ArgKind;
    switch (kind) {
    case Path:
    case Str:
    case StrArray:
    case BufIn:
    case PtrIn:
    case Iovec:
    case IovecOut: // the array itself is read; the bytes it names are written
    case SigSet:
        return { true, mm::UserAccess::In };
    case Timespec:
    case Timespec64:
    case Timeval:
        return { true, mm::UserAccess::In, true };
    case BufOut:
    case PtrOut:
        return { true, mm::UserAccess::Out };
    case Ptr:
        return { true, mm::UserAccess::InOut };
    default:
        return { false, mm::UserAccess::In };
    }
}

template<typename P>
struct ParameterAccess {
    static constexpr KindAccess value { false, mm::UserAccess::In };
};
template<typename T, mm::UserAccess Access>
struct ParameterAccess<mm::UserPointer<T, Access>> {
    static constexpr KindAccess value { true, Access };
};

template<typename R, typename... Parameters>
constexpr bool directions_match(R (*)(Parameters...), const ArgKind* kinds)
{
    KindAccess wanted[] = { ParameterAccess<Parameters>::value..., KindAccess {} };
    for (usize i = 0; i < sizeof...(Parameters); ++i) {
        KindAccess kind = access_of(kinds[i]);
        bool written_back = kind.may_write_back && wanted[i].access == mm::UserAccess::InOut;
        if (kind.pointer != wanted[i].pointer || (kind.pointer && kind.access != wanted[i].access && !written_back))
            return false;
    }
    return true;
}

template<auto Handler>
constexpr bool directions_fit(const Signature& signature)
{
    if constexpr (std::is_same_v<decltype(Handler), const None> || std::is_same_v<decltype(Handler), None>)
        return true;
    else
        return directions_match(Handler, signature.kinds);
}

template<typename... Kinds>
constexpr Signature signature_of(Kinds... kinds)
{
    return { static_cast<u8>(sizeof...(Kinds)), { kinds... } };
}

struct Table {
    Entry entries[kSyscallCount] {};
    const char* names[kSyscallCount] {};
    Signature signatures[kSyscallCount] {};
    constexpr Table()
    {
        using enum ArgKind;
#define SYSCALL(number, name, handler, ...)                                                                       \
    static_assert(kinds_fit<handler>(signature_of(__VA_ARGS__).count),                                             \
        "syscalls.def: " #name " needs one argument kind per parameter of " #handler);                            \
    static_assert(directions_fit<handler>(signature_of(__VA_ARGS__)),                                              \
        "syscalls.def: " #name ": a pointer kind needs a mm::UserPointer parameter going its way in " #handler);   \
    entries[number] = entry_for<handler>();                                                                        \
    names[number] = #name;                                                                                         \
    signatures[number] = signature_of(__VA_ARGS__);
#include "syscall/syscalls.def"
#undef SYSCALL
    }
};

constexpr Table kTable;

Bitmap::Word g_reported_words[Bitmap::words_for(kSyscallCount)];
Bitmap g_reported(g_reported_words, kSyscallCount);
// Each machine logs its first ENOSYS of a call again, as a fresh boot does.
kernel::BootStateReset g_boot_state([] { g_reported.set_range(0, kSyscallCount, false); });

} // namespace

namespace {

i32 run(const arch::SyscallArgs& args)
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

// The call between its decoded arguments and its result, on the console as strace prints them. A call that does
// not come back (exit, a successful execve's old image is gone but its strings were read first) shows " = ?".
i32 run_traced(const arch::SyscallArgs& args, i32 tid)
{
    char line[320];
    usize length = format(line, sizeof(line), "[pid %d] ", tid);
    length += format_call(line + length, sizeof(line) - length - 24, args);
    const char* name = syscall_name(args.number);
    bool never_returns = name && (compare_strings(name, "exit") == 0 || compare_strings(name, "exit_group") == 0);
    if (never_returns) {
        length += format(line + length, sizeof(line) - length, " = ?\n");
        console_write(line, length);
    }
    i32 result = run(args);
    length += format_result(line + length, sizeof(line) - length - 1, args.number, result);
    line[length++] = '\n';
    console_write(line, length);
    return result;
}

} // namespace

i32 dispatch(const arch::SyscallArgs& args)
{
    proc::Thread* caller = proc::current();
    if (caller && tracing(caller->tgid())) [[unlikely]]
        return run_traced(args, caller->tid);
    return run(args);
}

const char* syscall_name(u32 number) { return number < kSyscallCount ? kTable.names[number] : nullptr; }

bool is_implemented(u32 number) { return number < kSyscallCount && kTable.entries[number]; }

const Signature* syscall_signature(u32 number) { return is_implemented(number) ? &kTable.signatures[number] : nullptr; }

} // namespace sys
