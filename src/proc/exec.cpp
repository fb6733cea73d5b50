// execve: finding the program (an ELF file, or a #! script's interpreter), building its address space and
// initial stack, and, once nothing can fail any more, replacing the calling process's program with it.
#include "proc/exec.hpp"

#include "fs/permission.hpp"
#include "fs/vfs.hpp"
#include "kernel/log.hpp"
#include "kernel/random.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/uaccess.hpp"
#include "mm/vector.hpp"
#include "proc/process.hpp"

namespace proc {

namespace {

constexpr uptr kPage = arch::kPageBytes;
constexpr usize kInitialStack = 32 * kPage; // the stack area grows down from here on demand
constexpr usize kMaxScriptDepth = 4;         // BINPRM_MAX_RECURSION
constexpr usize kScriptLine = 256;           // BINPRM_BUF_SIZE

// Auxiliary vector keys (elf.h).
enum : u32 {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9,
    AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
    AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31, AT_SYSINFO = 32, AT_SYSINFO_EHDR = 33, AT_IGNORE = 1,
};

uptr page_up(uptr value) { return (value + kPage - 1) & ~(kPage - 1); }

// Builds the initial stack top-down: the strings, the 16 random bytes, then (16-byte aligned at argc) argc,
// argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. Returns the stack pointer at argc.
// `interpreter_base` is AT_BASE: where the interpreter was loaded (its load bias), 0 without one.
Result<uptr> build_stack(mm::AddressSpace& space, const LoadedImage& image, uptr interpreter_base, const ExecArgs& args,
    StringView execfn, const Credentials& credentials, bool secure)
{
    usize argc = args.argument_count(), envc = args.environment_count();
    constexpr usize kAuxvWords = 42;
    usize words = 1 + argc + 1 + envc + 1 + kAuxvWords;
    usize needed = args.bytes() + execfn.length() + 1 + words * sizeof(u32) + 64;
    uptr top = arch::kUserEnd;
    usize area = needed + kInitialStack > kInitialStack * 2 ? page_up(needed + kInitialStack) : kInitialStack;
    TRY(space.add_area(top - area, top, mm::kProtRead | mm::kProtWrite, mm::kVmGrowsDown | mm::kVmStack));

    uptr cursor = top - sizeof(u32); // a zero word at the very top, as Linux leaves
    cursor -= execfn.length() + 1;
    uptr execfn_at = cursor;
    TRY(space.write_initial(execfn_at, execfn.characters(), execfn.length()));
    TRY(space.write_initial(execfn_at + execfn.length(), "", 1));
    cursor -= args.bytes();
    uptr strings_at = cursor;
    TRY(space.write_initial(strings_at, args.strings(), args.bytes()));
    uptr env_at = strings_at + args.argument_bytes();
    space.set_argument_ranges({ strings_at, env_at, env_at, strings_at + args.bytes() });
    cursor -= 5;
    uptr platform_at = cursor;
    TRY(space.write_initial(platform_at, "i686", 5));
    // AT_RANDOM seeds the C library's stack protector and pointer mangling: the kernel's one generator.
    u8 random[16];
    kernel::random_bytes(random, sizeof(random));
    cursor = (cursor - sizeof(random)) & ~uptr { 3 };
    uptr random_at = cursor;
    TRY(space.write_initial(random_at, random, sizeof(random)));

    uptr syscall_entry = arch::user_syscall_entry(); // where musl and glibc make their calls (sysenter)
    uptr vdso = arch::user_vdso_address(); // where they look up the clock functions
    u32 auxv[kAuxvWords] = { AT_PHDR, static_cast<u32>(image.phdr), AT_PHENT, sizeof(Elf32ProgramHeader), AT_PHNUM,
        image.phnum, AT_PAGESZ, kPage, AT_BASE, static_cast<u32>(interpreter_base), AT_FLAGS, 0, AT_ENTRY,
        static_cast<u32>(image.entry), AT_UID,
        credentials.uid, AT_EUID, credentials.euid, AT_GID, credentials.gid, AT_EGID, credentials.egid, AT_SECURE,
        secure ? 1u : 0u, AT_HWCAP, arch::cpu_features(), AT_CLKTCK, 100, AT_RANDOM, static_cast<u32>(random_at),
        AT_PLATFORM, static_cast<u32>(platform_at), AT_EXECFN, static_cast<u32>(execfn_at),
        syscall_entry ? AT_SYSINFO : AT_IGNORE, static_cast<u32>(syscall_entry), vdso ? AT_SYSINFO_EHDR : AT_IGNORE,
        static_cast<u32>(vdso), AT_NULL, 0 };
    uptr sp = (cursor - words * sizeof(u32)) & ~uptr { 15 };
    mm::Vector<u32> table;
    TRY(table.try_resize_uninitialised(words));
    usize n = 0;
    table[n++] = static_cast<u32>(argc);
    const char* text = args.strings();
    uptr at = strings_at;
    for (usize i = 0; i < argc + envc; ++i) {
        if (i == argc)
            table[n++] = 0; // the end of argv
        table[n++] = static_cast<u32>(at);
        usize length = string_length(text) + 1;
        text += length;
        at += length;
    }
    if (envc == 0)
        table[n++] = 0;
    table[n++] = 0;
    for (usize i = 0; i < kAuxvWords; i += 2) {
        if (auxv[i] == AT_IGNORE)
            continue; // an entry the machine lacks (no sysenter, no vDSO): left out, so no key comes twice
        table[n++] = auxv[i];
        table[n++] = auxv[i + 1];
    }
    TRY(space.write_initial(sp, table.data(), n * sizeof(u32)));
    return sp;
}

// An executable read straight from its inode (execve needs execute permission, not read permission).
class FileExecutable final : public ExecutableReader {
public:
    explicit FileExecutable(fs::Inode& inode) : m_inode(inode) {}
    FileExecutable(const FileExecutable&) = delete;
    FileExecutable& operator=(const FileExecutable&) = delete;
    u64 size() const override { return m_inode.attributes().size; }
    Result<void> read(u64 offset, void* buffer, usize length) override
    {
        usize got = TRY(m_inode.read(offset, buffer, length));
        if (got != length)
            return Errno::IO;
        return {};
    }
    mm::VmBacking* pages() override { return m_inode.file_mapping(); }

private:
    fs::Inode& m_inode;
};

// Whether exec may run `file` for `credentials`: a regular file with execute permission, not on a noexec
// mount (EACCES otherwise). The same for a program and for its interpreter (Linux's do_open_execat).
Result<void> check_executable(fs::OpenFile& file, const Credentials& credentials)
{
    fs::Inode& inode = file.inode();
    if (!fs::is_reg(inode.mode()) || (file.path().mount->flags() & fs::kMsNoExec))
        return Errno::ACCES;
    return fs::check_permission(inode, fs::kMayExec, credentials);
}

// A dynamic program's interpreter on the filesystem, opened as the exec caller, following symlinks. A relative
// path is the caller's working directory's, as Linux's open_exec takes it.
class FileInterpreters final : public InterpreterLookup {
public:
    explicit FileInterpreters(fs::Caller& caller) : m_caller(caller) {}
    Result<ExecutableReader*> open(StringView path) override
    {
        m_reader.reset();
        m_file = TRY(fs::open_file(m_caller, fs::kAtFdCwd, path, fs::kOPath, 0));
        TRY(check_executable(*m_file, m_caller.credentials));
        m_reader = TRY(make_own<FileExecutable>(m_file->inode()));
        return m_reader.get();
    }

private:
    fs::Caller& m_caller;
    RefPtr<fs::OpenFile> m_file;
    OwnPtr<FileExecutable> m_reader; // reads m_file's inode: declared after it, so it goes first
};

// The ids a program runs with: set-user-ID and set-group-ID files change the effective ids (not on a nosuid
// mount); the saved ids follow the effective ones (man 2 execve).
Credentials credentials_for(const Credentials& current, const fs::Inode& inode, bool nosuid)
{
    Credentials next = current;
    if (!nosuid && (inode.mode() & fs::kIsUid))
        next.euid = inode.attributes().uid;
    if (!nosuid && (inode.mode() & fs::kIsGid) && (inode.mode() & 0010))
        next.egid = inode.attributes().gid;
    next.suid = next.fsuid = next.euid;
    next.sgid = next.fsgid = next.egid;
    return next;
}

// "#!interpreter [one argument]" within the first line: the interpreter and its optional argument, or false.
bool parse_script(char* line, usize length, StringView& interpreter, StringView& argument)
{
    if (length < 2 || line[0] != '#' || line[1] != '!')
        return false;
    usize end = 2;
    while (end < length && line[end] != '\n')
        ++end;
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    usize at = 2;
    while (at < end && is_blank(line[at]))
        ++at;
    usize name_start = at;
    while (at < end && !is_blank(line[at]))
        ++at;
    interpreter = StringView(line + name_start, at - name_start);
    while (at < end && is_blank(line[at]))
        ++at;
    usize arg_end = end;
    while (arg_end > at && (is_blank(line[arg_end - 1]) || line[arg_end - 1] == '\r' || line[arg_end - 1] == '\0'))
        --arg_end;
    argument = StringView(line + at, arg_end - at);
    return true;
}

} // namespace

// --- ExecArgs ---

Result<void> ExecArgs::append(StringView text)
{
    if (text.length() + 1 > kMaxString)
        return Errno::TOOBIG;
    usize used = m_buffer.size();
    usize needed = used + text.length() + 1;
    // Each string also costs a pointer on the new stack.
    if (needed + (m_argc + m_envc + 1) * sizeof(u32) > kMaxTotal)
        return Errno::TOOBIG;
    if (needed > m_buffer.capacity()) {
        usize capacity = m_buffer.capacity() ? m_buffer.capacity() : 4096;
        while (capacity < needed)
            capacity *= 2;
        TRY(m_buffer.try_reserve(capacity));
    }
    TRY(m_buffer.try_resize_uninitialised(needed));
    copy_bytes(m_buffer.data() + used, text.characters(), text.length());
    m_buffer[used + text.length()] = '\0';
    return {};
}

Result<void> ExecArgs::add_argument(StringView text)
{
    if (m_envc)
        return Errno::INVAL; // arguments come first
    TRY(append(text));
    ++m_argc;
    m_argument_bytes = m_buffer.size();
    return {};
}

Result<void> ExecArgs::add_environment(StringView text)
{
    TRY(append(text));
    ++m_envc;
    return {};
}

Result<void> ExecArgs::add_from_user(mm::UserIn<u32> argv, mm::UserIn<u32> envp)
{
    mm::Vector<char> text;
    TRY(text.try_resize_uninitialised(kMaxString));
    for (int list = 0; list < 2; ++list) {
        mm::UserIn<u32> array = list == 0 ? argv : envp;
        for (usize i = 0; !array.is_null(); ++i) {
            u32 pointer;
            TRY(mm::copy_from_user(pointer, array.offset(i)));
            if (!pointer)
                break;
            auto length = mm::copy_string_from_user(text.data(), mm::UserIn<char>(pointer), kMaxString);
            if (length.is_error())
                return length.error() == Errno::NAMETOOLONG ? Errno::TOOBIG : length.error();
            StringView string(text.data(), length.value());
            TRY(list == 0 ? add_argument(string) : add_environment(string));
        }
    }
    return {};
}

Result<void> ExecArgs::replace_first_argument(const StringView* prefix, usize count)
{
    ExecArgs rebuilt;
    for (usize i = 0; i < count; ++i)
        TRY(rebuilt.add_argument(prefix[i]));
    const char* text = m_buffer.data();
    for (usize i = 0; i < m_argc + m_envc; ++i) {
        StringView string(text, string_length(text));
        text += string.length() + 1;
        if (i == 0 && m_argc)
            continue;
        TRY(i < m_argc ? rebuilt.add_argument(string) : rebuilt.add_environment(string));
    }
    m_buffer = static_cast<mm::Vector<char>&&>(rebuilt.m_buffer);
    m_argc = rebuilt.m_argc;
    m_envc = rebuilt.m_envc;
    m_argument_bytes = rebuilt.m_argument_bytes;
    return {};
}

// --- building the image ---

Result<ExecImage> prepare_exec(ExecutableReader& executable, InterpreterLookup* interpreters, const ExecArgs& args,
    StringView execfn, const Credentials& credentials, bool secure)
{
    // Two parsed files are 4 KiB of program headers: off the kernel stack.
    struct Files {
        ElfFile program;
        ElfFile interpreter;
    };
    auto files = TRY(make_own<Files>());
    TRY(parse_elf(executable, files->program));
    // The interpreter is found and checked before anything is built, as Linux opens it before mapping.
    ExecutableReader* interpreter = nullptr;
    if (files->program.has_interpreter()) {
        mm::Vector<char> buffer;
        StringView path = TRY(interpreter_path(executable, files->program, buffer));
        if (!interpreters)
            return Errno::NOENT;
        interpreter = TRY(interpreters->open(path));
        TRY(parse_interpreter(*interpreter, files->interpreter));
    }
    auto created = TRY(mm::AddressSpace::create());
    RefPtr<mm::AddressSpace> space(created.leak());
    LoadedImage image = TRY(load_elf(*space, files->program, executable));
    space->set_break_start(image.break_start); // the program's, never the interpreter's
    uptr entry = image.entry, interpreter_base = 0;
    if (interpreter) {
        LoadedImage loaded = TRY(load_elf(*space, files->interpreter, *interpreter, ElfRole::Interpreter));
        entry = loaded.entry;
        interpreter_base = loaded.load_bias;
    }
    uptr stack = TRY(build_stack(*space, image, interpreter_base, args, execfn, credentials, secure));
    return ExecImage { std::move(space), entry, stack };
}

Result<ExecImage> prepare_exec(const u8* bytes, usize size, const char* const* argv, const char* const* envp,
    const char* execfn, InterpreterLookup* interpreters)
{
    ExecArgs args;
    for (usize i = 0; argv && argv[i]; ++i)
        TRY(args.add_argument(argv[i]));
    for (usize i = 0; envp && envp[i]; ++i)
        TRY(args.add_environment(envp[i]));
    MemoryExecutable executable(bytes, size);
    Credentials root {};
    return prepare_exec(executable, interpreters, args, execfn, root, false);
}

// --- execve ---

Result<PreparedProgram> prepare_program(Thread& thread, i32 dirfd, StringView path, ExecArgs& args, u32 flags)
{
    constexpr u32 kAtSymlinkNoFollow = 0x100, kAtEmptyPath = 0x1000;
    if (flags & ~(kAtSymlinkNoFollow | kAtEmptyPath))
        return Errno::INVAL;
    fs::Caller caller { *thread.fs, *thread.files, thread.credentials, fs::FdTable::kDefaultLimit };
    char interpreter_line[kScriptLine + 1];
    char next_path[kScriptLine + 1];
    StringView wanted = path;
    for (usize depth = 0;; ++depth) {
        RefPtr<fs::OpenFile> file;
        if (wanted.is_empty() && (flags & kAtEmptyPath)) {
            file = TRY(caller.fds.get(dirfd));
        } else {
            u32 open_flags = fs::kOPath | ((flags & kAtSymlinkNoFollow) ? fs::kONoFollow : 0);
            file = TRY(fs::open_file(caller, depth ? fs::kAtFdCwd : dirfd, wanted, open_flags, 0));
        }
        TRY(check_executable(*file, thread.credentials));
        fs::Inode& inode = file->inode();
        FileExecutable executable(inode);
        usize head = executable.size() < kScriptLine ? static_cast<usize>(executable.size()) : kScriptLine;
        TRY(executable.read(0, interpreter_line, head));
        interpreter_line[head] = '\0';
        StringView interpreter, argument;
        if (parse_script(interpreter_line, head, interpreter, argument)) {
            if (depth == kMaxScriptDepth)
                return Errno::LOOP;
            if (interpreter.is_empty())
                return Errno::NOEXEC;
            // argv becomes: the interpreter, its argument if any, the script's path, then argv[1] on.
            StringView with_argument[3] = { interpreter, argument, wanted };
            StringView without_argument[2] = { interpreter, wanted };
            TRY(argument.is_empty() ? args.replace_first_argument(without_argument, 2)
                                    : args.replace_first_argument(with_argument, 3));
            copy_string(next_path, interpreter.characters(),
                interpreter.length() + 1 < sizeof(next_path) ? interpreter.length() + 1 : sizeof(next_path));
            wanted = StringView(next_path, string_length(next_path));
            flags = 0;
            continue;
        }
        // The running program's file cannot be written (ETXTBSY both ways). The deny belongs to an open file
        // of exec's own, so a descriptor passed with AT_EMPTY_PATH keeps its own state when it closes.
        if (file->ref_count() > 1)
            file = TRY(fs::OpenFile::create(file->path(), fs::kOPath, file->operations()));
        TRY(file->deny_write());
        bool nosuid = file->path().mount->flags() & fs::kMsNoSuid;
        Credentials credentials = credentials_for(thread.credentials, inode, nosuid);
        bool secure = credentials.euid != credentials.uid || credentials.egid != credentials.gid;
        FileInterpreters interpreters(caller);
        ExecImage image = TRY(prepare_exec(executable, &interpreters, args, path, credentials, secure));
        return PreparedProgram { std::move(image), credentials, file };
    }
}

Result<void> exec_current(i32 dirfd, StringView path, ExecArgs& args, u32 flags)
{
    Thread& self = *current();
    PreparedProgram program = TRY(prepare_program(self, dirfd, path, args, flags));
    // Descriptors shared with another process are unshared first, so close-on-exec closes only ours.
    if (self.files->ref_count() > 1)
        self.files = TRY(self.files->clone());
    // Nothing fails past here: the old program is gone.
    self.process().executable = std::move(program.executable);
    replace_program(self, std::move(program.image), path, program.credentials);
    return {};
}

} // namespace proc
