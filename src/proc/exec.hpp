// Starting a program: its arguments, a new address space with the ELF image and the initial stack the i386
// ABI and musl expect, and execve itself (ELF executables and #! scripts, man 2 execve).
#pragma once

#include "arch/memory.hpp"
#include "fs/mount.hpp"
#include "lib/string.hpp"
#include "mm/address_space.hpp"
#include "mm/vector.hpp"
#include "proc/credentials.hpp"
#include "proc/elf.hpp"

namespace proc {

// argv then envp, packed in one growing kernel buffer. Linux's limits: each string at most MAX_ARG_STRLEN
// (32 pages), all of them (with their pointers) at most a quarter of the stack limit; E2BIG past either.
class ExecArgs {
public:
    static constexpr usize kMaxString = 32 * arch::kPageBytes;
    static constexpr usize kMaxTotal = 2 * 1024 * 1024; // 8 MiB RLIMIT_STACK / 4
    Result<void> add_argument(StringView text);
    Result<void> add_environment(StringView text);
    // Both lists from user memory: arrays of pointers ending with a null one (a null array is empty).
    Result<void> add_from_user(mm::UserIn<u32> argv, mm::UserIn<u32> envp);
    // For #!: the arguments become `prefix` followed by these minus the first.
    Result<void> replace_first_argument(const StringView* prefix, usize count);

    usize argument_count() const { return m_argc; }
    usize environment_count() const { return m_envc; }
    usize bytes() const { return m_buffer.size(); }
    // The bytes of the argument strings alone (the environment's follow them).
    usize argument_bytes() const { return m_argument_bytes; }
    // The strings one after the other, each with its NUL: argc arguments, then envc environment strings.
    const char* strings() const { return m_buffer.data(); }

private:
    Result<void> append(StringView text);

    mm::Vector<char> m_buffer;
    usize m_argc { 0 };
    usize m_envc { 0 };
    usize m_argument_bytes { 0 };
};

// Where a dynamic program's interpreter (the path in its PT_INTERP) comes from: execve opens it on the
// filesystem as the caller; tests and the fuzzer serve it from memory.
class InterpreterLookup {
public:
    // The file at `path`, readable until this lookup goes or opens another. The errors of opening a program
    // (ENOENT, EACCES, ELOOP...).
    virtual Result<ExecutableReader*> open(StringView path) = 0;

protected:
    ~InterpreterLookup() = default;
};

// A new address space holding the executable, its interpreter if it names one, and its initial stack: argc,
// argv, envp and the auxiliary vector (man 3 getauxval) with the credentials the program runs with. A dynamic
// program starts at its interpreter's entry, which finds the program through AT_PHDR, AT_ENTRY and AT_BASE.
// With no lookup, a program that names an interpreter is ENOENT.
struct ExecImage {
    RefPtr<mm::AddressSpace> space;
    uptr entry;
    uptr stack;
};
Result<ExecImage> prepare_exec(ExecutableReader& executable, InterpreterLookup* interpreters, const ExecArgs& args,
    StringView execfn, const Credentials& credentials, bool secure);
// The same from memory and NULL-terminated lists, with root's credentials (tests, the fuzzer).
Result<ExecImage> prepare_exec(const u8* bytes, usize size, const char* const* argv, const char* const* envp,
    const char* execfn, InterpreterLookup* interpreters = nullptr);

struct Thread;

// Finds and loads the program for `thread`: the file at `path` (relative to `dirfd`; with AT_EMPTY_PATH the
// file `dirfd` names), or for a #! script its interpreter, with `args` rewritten as Linux does. The image and
// the credentials it will run with (set-user-ID files); nothing of `thread` changes.
struct PreparedProgram {
    ExecImage image;
    Credentials credentials;
    RefPtr<fs::OpenFile> executable; // the file run: the interpreter, for a script (/proc/<pid>/exe)
};
Result<PreparedProgram> prepare_program(Thread& thread, i32 dirfd, StringView path, ExecArgs& args, u32 flags);

// execve(2)/execveat(2) for the calling thread: the program at `path` (relative to `dirfd`, or the file
// `dirfd` names with AT_EMPTY_PATH) replaces the process's, with `args`. On success the thread resumes at
// the new program's entry. ENOENT, EACCES (not a regular file, no execute permission, a noexec mount),
// ENOEXEC, ELOOP (#! more than 4 deep), E2BIG, ENOMEM, and for a dynamic program's interpreter the same
// errors of opening it, ELIBBAD when it is no usable ELF file; the old program goes on after any of them.
Result<void> exec_current(i32 dirfd, StringView path, ExecArgs& args, u32 flags);

} // namespace proc
