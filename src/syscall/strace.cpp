// The system-call trace: arguments decoded by their kinds in syscalls.def, strings read from the caller's memory
// without ever faulting, results in strace's notation. Flag names are Linux's (asm-generic/fcntl.h, mman.h).
#include "syscall/strace.hpp"
#include "kernel/boot_state.hpp"

#include <stdarg.h>

#include "lib/errno.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"
#include "mm/uaccess.hpp"
#include "syscall/dispatch.hpp"

namespace sys {

namespace {

using Kind = ArgKind;

// -1: nothing traced; 0: every process; otherwise one process.
i32 g_traced = -1;
kernel::BootStateReset g_boot_state([] { g_traced = -1; });

// Builds one line in a fixed buffer; what does not fit is dropped and the line ends in "...".
class Line {
public:
    Line(char* buffer, usize size)
        : m_buffer(buffer)
        , m_size(size)
    {
        if (size)
            buffer[0] = '\0';
    }
    void put(const char* text) { add("%s", text); }
    __attribute__((format(printf, 2, 3))) void add(const char* fmt, ...)
    {
        if (m_length + 1 >= m_size) {
            m_cut = true;
            return;
        }
        va_list args;
        va_start(args, fmt);
        usize wanted = vformat(m_buffer + m_length, m_size - m_length, fmt, args);
        va_end(args);
        if (m_length + wanted >= m_size) {
            m_cut = true;
            m_length = m_size - 1;
        } else {
            m_length += wanted;
        }
    }
    usize finish()
    {
        if (m_cut && m_size >= 4)
            copy_bytes(m_buffer + m_size - 4, "...", 4);
        return m_cut ? m_size - 1 : m_length;
    }

private:
    char* m_buffer;
    usize m_size;
    usize m_length = 0;
    bool m_cut = false;
};

struct Name {
    u32 value;
    const char* name;
};

// The names of the bits set in `value`, joined by '|', the rest in hex; `zero` when nothing is set.
void put_bits(Line& line, u32 value, const Name* names, usize count, const char* zero)
{
    bool any = false;
    for (usize i = 0; i < count; ++i) {
        if (names[i].value && (value & names[i].value) == names[i].value) {
            line.add("%s%s", any ? "|" : "", names[i].name);
            value &= ~names[i].value;
            any = true;
        }
    }
    if (value)
        line.add("%s%#x", any ? "|" : "", value);
    else if (!any)
        line.put(zero);
}

void put_enum(Line& line, u32 value, const Name* names, usize count)
{
    for (usize i = 0; i < count; ++i) {
        if (names[i].value == value) {
            line.put(names[i].name);
            return;
        }
    }
    line.add("%d", static_cast<i32>(value));
}

constexpr Name kOpenFlags[]
    = { { 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" }, { 02000, "O_APPEND" },
          { 04000, "O_NONBLOCK" }, { 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
          { 040000, "O_DIRECT" }, { 0100000, "O_LARGEFILE" }, { 0200000, "O_DIRECTORY" }, { 0400000, "O_NOFOLLOW" },
          { 01000000, "O_NOATIME" }, { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" }, { 020200000, "O_TMPFILE" } };
constexpr Name kProt[] = { { 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
    { 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" } };
constexpr Name kMmapFlags[] = { { 0x01, "MAP_SHARED" }, { 0x02, "MAP_PRIVATE" }, { 0x03, "MAP_SHARED_VALIDATE" },
    { 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
    { 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" }, { 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
    { 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" },
    { 0x100000, "MAP_FIXED_NOREPLACE" } };
constexpr Name kWhence[]
    = { { 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" }, { 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" } };
constexpr Name kClocks[] = { { 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" }, { 2, "CLOCK_PROCESS_CPUTIME_ID" },
    { 3, "CLOCK_THREAD_CPUTIME_ID" }, { 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
    { 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" } };
constexpr Name kFutexOps[] = { { 0, "FUTEX_WAIT" }, { 1, "FUTEX_WAKE" }, { 3, "FUTEX_REQUEUE" },
    { 4, "FUTEX_CMP_REQUEUE" }, { 5, "FUTEX_WAKE_OP" }, { 6, "FUTEX_LOCK_PI" }, { 7, "FUTEX_UNLOCK_PI" },
    { 9, "FUTEX_WAIT_BITSET" }, { 10, "FUTEX_WAKE_BITSET" } };
constexpr Name kIoctls[] = { { 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" }, { 0x5404, "TCSETSF" },
    { 0x540F, "TIOCGPGRP" }, { 0x5410, "TIOCSPGRP" }, { 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" },
    { 0x541B, "FIONREAD" }, { 0x5421, "FIONBIO" }, { 0x5451, "FIOCLEX" }, { 0x5450, "FIONCLEX" } };
constexpr Name kAtFlags[] = { { 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
    { 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" }, { 0x1000, "AT_EMPTY_PATH" } };
constexpr Name kFcntls[] = { { 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" }, { 4, "F_SETFL" },
    { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" }, { 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 12, "F_GETLK64" },
    { 13, "F_SETLK64" }, { 14, "F_SETLKW64" }, { 1030, "F_DUPFD_CLOEXEC" }, { 1033, "F_ADD_SEALS" },
    { 1034, "F_GET_SEALS" } };
constexpr const char* kSignalNames[] = { "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
    "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };

template<usize N> constexpr usize count_of(const Name (&)[N]) { return N; }

void put_pointer(Line& line, u32 address)
{
    if (address)
        line.add("%#x", address);
    else
        line.put("NULL");
}

// A string from user memory, quoted with C escapes, at most kShown bytes of it; an unreadable one is its address.
// `length` bounds a buffer (BufIn); ~0 reads up to the NUL.
void put_user_string(Line& line, u32 address, usize length)
{
    constexpr usize kShown = 48;
    bool nul_terminated = length == ~usize { 0 };
    usize wanted = nul_terminated ? kShown + 1 : (length < kShown ? length : kShown);
    char bytes[kShown + 1];
    usize got = address ? mm::copy_array_from_user_partial(bytes, mm::UserIn<char>(address), wanted) : 0;
    if (address == 0 || (got == 0 && wanted > 0)) {
        put_pointer(line, address);
        return;
    }
    usize shown = got;
    bool complete = !nul_terminated ? got == length : false;
    if (nul_terminated) {
        shown = 0;
        while (shown < got && bytes[shown] != '\0')
            ++shown;
        complete = shown < got;
        if (!complete && got < wanted) { // no NUL before the memory ends
            put_pointer(line, address);
            return;
        }
        if (shown > kShown)
            shown = kShown;
    }
    line.put("\"");
    for (usize i = 0; i < shown; ++i) {
        auto c = static_cast<u8>(bytes[i]);
        switch (c) {
        case '"':
            line.put("\\\"");
            break;
        case '\\':
            line.put("\\\\");
            break;
        case '\n':
            line.put("\\n");
            break;
        case '\t':
            line.put("\\t");
            break;
        case '\r':
            line.put("\\r");
            break;
        default:
            if (c >= 0x20 && c < 0x7F)
                line.add("%c", c);
            else
                line.add("\\%o", c);
        }
    }
    line.put(complete ? "\"" : "\"...");
}

// argv or envp: the first few strings, then "..." (strace shows a long environment as a count; we don't walk it).
void put_string_array(Line& line, u32 address)
{
    constexpr usize kShown = 4;
    u32 pointers[kShown + 1];
    usize got = address ? mm::copy_array_from_user_partial(pointers, mm::UserIn<u32>(address), kShown + 1) : 0;
    if (got == 0) {
        put_pointer(line, address);
        return;
    }
    line.put("[");
    usize i = 0;
    for (; i < got && i < kShown && pointers[i]; ++i) {
        if (i)
            line.put(", ");
        put_user_string(line, pointers[i], ~usize { 0 });
    }
    if (i < got && pointers[i])
        line.put(", ...");
    else if (i == got) // the array runs into memory we could not read
        line.put(i ? ", ?" : "?");
    line.put("]");
}

// struct iovec[count] as strace shows it: [{iov_base="...", iov_len=N}, ...], the first few entries; the bytes
// of a buffer the call is yet to fill are not shown, only its address.
void put_iovec(Line& line, u32 address, u32 count, bool show_bytes)
{
    constexpr usize kShown = 4;
    u32 words[kShown * 2];
    usize wanted = (count < kShown ? count : kShown) * 2 * sizeof(u32);
    usize got
        = address ? mm::copy_array_from_user_partial(words, mm::UserIn<u32>(address), wanted / sizeof(u32)) / 2 : 0;
    if (got == 0 || count > 1024) {
        put_pointer(line, address);
        return;
    }
    line.put("[");
    for (usize i = 0; i < got; ++i) {
        line.put(i ? ", {iov_base=" : "{iov_base=");
        if (show_bytes)
            put_user_string(line, words[2 * i], words[2 * i + 1]);
        else
            put_pointer(line, words[2 * i]);
        line.add(", iov_len=%u}", words[2 * i + 1]);
    }
    if (got < count)
        line.put(", ...");
    line.put("]");
}

void put_argument(Line& line, Kind kind, u32 value, u32 next)
{
    auto as_int = static_cast<i32>(value);
    switch (kind) {
    case Kind::Fd:
    case Kind::Int:
    case Kind::Pid:
    case Kind::Offset:
        line.add("%d", as_int);
        break;
    case Kind::DirFd:
        if (as_int == -100)
            line.put("AT_FDCWD");
        else
            line.add("%d", as_int);
        break;
    case Kind::Uint:
    case Kind::Len:
    case Kind::Uid:
    case Kind::Gid:
        line.add("%u", value);
        break;
    case Kind::Flags:
        line.add("%#x", value);
        break;
    case Kind::Mode:
        line.add("%#o", value);
        break;
    case Kind::Path:
    case Kind::Str:
        put_user_string(line, value, ~usize { 0 });
        break;
    case Kind::BufIn:
        put_user_string(line, value, next);
        break;
    case Kind::OpenFlags: {
        constexpr const char* kAccess[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
        line.put(kAccess[value & 3]);
        if (value & ~3u) {
            line.put("|");
            put_bits(line, value & ~3u, kOpenFlags, count_of(kOpenFlags), "0");
        }
        break;
    }
    case Kind::Sig:
        if (value < sizeof(kSignalNames) / sizeof(kSignalNames[0]))
            line.put(kSignalNames[value]);
        else if (value <= 64)
            line.add("SIGRT_%u", value - 32);
        else
            line.add("%d", as_int);
        break;
    case Kind::Whence:
        put_enum(line, value, kWhence, count_of(kWhence));
        break;
    case Kind::Prot:
        put_bits(line, value, kProt, count_of(kProt), "PROT_NONE");
        break;
    case Kind::MmapFlags:
        // The mapping type is a two-bit field, the rest are flags.
        put_enum(line, value & 3, kMmapFlags, 3);
        if (value & ~3u) {
            line.put("|");
            put_bits(line, value & ~3u, kMmapFlags + 3, count_of(kMmapFlags) - 3, "0");
        }
        break;
    case Kind::Clock:
        put_enum(line, value, kClocks, count_of(kClocks));
        break;
    case Kind::FutexOp: {
        put_enum(line, value & 0x7F, kFutexOps, count_of(kFutexOps));
        if (value & 128)
            line.put("|FUTEX_PRIVATE_FLAG");
        if (value & 256)
            line.put("|FUTEX_CLOCK_REALTIME");
        if (value & ~0x1FFu)
            line.add("|%#x", value & ~0x1FFu);
        break;
    }
    case Kind::AtFlags:
        put_bits(line, value, kAtFlags, count_of(kAtFlags), "0");
        break;
    case Kind::Fcntl:
        put_enum(line, value, kFcntls, count_of(kFcntls));
        break;
    case Kind::Iovec:
    case Kind::IovecOut:
        put_iovec(line, value, next, kind == Kind::Iovec);
        break;
    case Kind::StrArray:
        put_string_array(line, value);
        break;
    case Kind::Ioctl:
        for (const Name& each : kIoctls) {
            if (each.value == value) {
                line.put(each.name);
                return;
            }
        }
        line.add("%#x", value);
        break;
    default: // pointers of every kind: what they point at is the call's business
        put_pointer(line, value);
        break;
    }
}

bool returns_address(const char* name)
{
    for (const char* each : { "mmap", "mmap2", "mremap", "brk", "shmat" })
        if (compare_strings(name, each) == 0)
            return true;
    return false;
}

} // namespace

bool set_trace(const char* value)
{
    if (!value || !value[0])
        return false;
    if (compare_strings(value, "all") == 0) {
        g_traced = 0;
        return true;
    }
    i32 number = 0;
    for (const char* p = value; *p; ++p) {
        if (*p < '0' || *p > '9' || number > 10000000)
            return false;
        number = number * 10 + (*p - '0');
    }
    g_traced = number == 0 ? -1 : number == 1 ? 0 : number;
    return true;
}

void stop_trace() { g_traced = -1; }

bool tracing(i32 tgid) { return g_traced == 0 || (g_traced > 0 && tgid == g_traced); }

usize format_call(char* out, usize size, const arch::SyscallArgs& args)
{
    Line line(out, size);
    const char* name = syscall_name(args.number);
    if (!name) {
        line.add("syscall_%u(...)", args.number);
        return line.finish();
    }
    line.add("%s(", name);
    const Signature* signature = syscall_signature(args.number);
    if (!signature) {
        line.put("...)");
        return line.finish();
    }
    for (usize i = 0; i < signature->count; ++i) {
        if (i)
            line.put(", ");
        put_argument(line, signature->kinds[i], args.arg[i], i + 1 < 6 ? args.arg[i + 1] : 0);
    }
    line.put(")");
    return line.finish();
}

usize format_result(char* out, usize size, u32 number, i32 result)
{
    Line line(out, size);
    const char* name = syscall_name(number);
    if (result < 0 && result >= -4095)
        line.add(" = -%s", errno_name(static_cast<Errno>(-result)));
    else if (name && returns_address(name))
        line.add(" = %#x", static_cast<u32>(result));
    else
        line.add(" = %d", result);
    return line.finish();
}

} // namespace sys
