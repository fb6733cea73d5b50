// Processes: exec into a fresh address space, the process table, fork, exit and wait, and the first
// process that run_init starts and runs until it ends.
#include "proc/process.hpp"

#include "kernel/log.hpp"
#include "lib/string.hpp"
#include "proc/elf.hpp"
#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"
#include "syscall/dispatch.hpp"

namespace proc {

namespace {

constexpr uptr kPage = arch::kPageBytes;
constexpr usize kInitialStack = 32 * kPage; // the stack area grows down from here on demand
constexpr usize kMaxArguments = 64;
constexpr usize kMaxStringsBytes = 64 * 1024;

// Auxiliary vector keys (elf.h).
enum : u32 {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9,
    AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
    AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31,
};

u32 g_random_state = 0x9E3779B9;

// Not cryptographic: AT_RANDOM seeds musl's stack protector and pointer mangling, and there is no entropy
// pool yet (getrandom brings one). Mixed with the tick count so runs differ.
u32 next_random()
{
    g_random_state ^= static_cast<u32>(arch::timer_ticks()) * 2654435761u;
    g_random_state ^= g_random_state << 13;
    g_random_state ^= g_random_state >> 17;
    g_random_state ^= g_random_state << 5;
    return g_random_state;
}

usize count(const char* const* list)
{
    usize n = 0;
    while (list && list[n])
        ++n;
    return n;
}

// Builds the initial stack top-down: strings, the 16 random bytes, then (16-byte aligned at argc) argc,
// argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. Returns the stack pointer at argc.
Result<uptr> build_stack(mm::AddressSpace& space, const LoadedImage& image, const char* const* argv,
    const char* const* envp, const char* execfn)
{
    usize argc = count(argv), envc = count(envp);
    if (argc > kMaxArguments || envc > kMaxArguments)
        return Errno::TOOBIG;
    uptr top = arch::kUserEnd;
    TRY(space.add_area(top - kInitialStack, top, mm::kProtRead | mm::kProtWrite, mm::kVmGrowsDown | mm::kVmStack));

    uptr cursor = top - sizeof(u32); // a zero word at the very top, as Linux leaves
    usize strings_bytes = 0;
    auto push_string = [&](const char* text) -> Result<uptr> {
        usize length = string_length(text) + 1;
        strings_bytes += length;
        if (strings_bytes > kMaxStringsBytes)
            return Errno::TOOBIG;
        cursor -= length;
        TRY(space.write_initial(cursor, text, length));
        return cursor;
    };
    uptr execfn_at = TRY(push_string(execfn));
    uptr env_at[kMaxArguments], arg_at[kMaxArguments];
    for (usize i = envc; i-- > 0;)
        env_at[i] = TRY(push_string(envp[i]));
    for (usize i = argc; i-- > 0;)
        arg_at[i] = TRY(push_string(argv[i]));
    uptr platform_at = TRY(push_string("i686"));
    u32 random[4] = { next_random(), next_random(), next_random(), next_random() };
    cursor = (cursor - sizeof(random)) & ~uptr { 3 };
    uptr random_at = cursor;
    TRY(space.write_initial(random_at, random, sizeof(random)));

    u32 auxv[] = { AT_PHDR, static_cast<u32>(image.phdr), AT_PHENT, sizeof(Elf32ProgramHeader), AT_PHNUM,
        image.phnum, AT_PAGESZ, kPage, AT_BASE, 0, AT_FLAGS, 0, AT_ENTRY, static_cast<u32>(image.entry), AT_UID, 0,
        AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0, AT_HWCAP, arch::cpu_features(), AT_CLKTCK, 100, AT_RANDOM,
        static_cast<u32>(random_at), AT_PLATFORM, static_cast<u32>(platform_at), AT_EXECFN,
        static_cast<u32>(execfn_at), AT_NULL, 0 };
    usize words = 1 + argc + 1 + envc + 1 + sizeof(auxv) / sizeof(u32);
    uptr sp = (cursor - words * sizeof(u32)) & ~uptr { 15 };
    u32 table[1 + 2 * kMaxArguments + 2 + sizeof(auxv) / sizeof(u32)];
    usize n = 0;
    table[n++] = static_cast<u32>(argc);
    for (usize i = 0; i < argc; ++i)
        table[n++] = static_cast<u32>(arg_at[i]);
    table[n++] = 0;
    for (usize i = 0; i < envc; ++i)
        table[n++] = static_cast<u32>(env_at[i]);
    table[n++] = 0;
    for (u32 word : auxv)
        table[n++] = word;
    TRY(space.write_initial(sp, table, n * sizeof(u32)));
    return sp;
}

const char* base_name(const char* path)
{
    const char* base = path;
    for (const char* p = path; *p; ++p)
        if (*p == '/' && p[1])
            base = p + 1;
    return base;
}

struct PidOf {
    i32 operator()(const Process& process) const { return process.pid; }
};
RbTree<Process, &Process::pid_node, PidOf> g_processes;
i32 g_next_pid = 1;
constexpr i32 kPidMax = 32768; // Linux's default pid_max
Process* g_init;
bool g_init_exited;

// A process with its kernel stack and a free pid, not yet runnable. ENOMEM, or EAGAIN when every pid is used.
Result<Process*> create_process()
{
    if (g_processes.size() >= kPidMax - 1)
        return Errno::AGAIN;
    auto process = TRY(make_own<Process>());
    process->kernel_stack = static_cast<u8*>(TRY(mm::kmalloc(kKernelStackBytes)));
    while (g_processes.find(g_next_pid))
        g_next_pid = g_next_pid == kPidMax - 1 ? 2 : g_next_pid + 1; // pid 1 is init's alone
    process->pid = g_next_pid;
    g_next_pid = g_next_pid == kPidMax - 1 ? 2 : g_next_pid + 1;
    (void)g_processes.insert(*process);
    return process.leak();
}

// Frees everything a process holds; it must not be running.
void destroy_process(Process& process)
{
    unschedule(process);
    arm_real_timer(process, 0, 0);
    // Torn down while stopped (not after its exit, and not before it ever had a stack): it will never run again.
    if (process.state != Process::State::Zombie && process.saved_stack)
        arch::discard_task(process.saved_stack);
    g_processes.remove(process);
    if (process.parent)
        process.parent->children.remove(process);
    while (Process* child = process.children.pop_front())
        child->parent = nullptr;
    process.space.reset();
    mm::kfree(process.kernel_stack);
    delete &process;
}

void on_user_trap(const arch::UserTrap& trap)
{
    Process* process = current();
    const SignalAction& action = process->signal_actions[trap.signal];
    bool handled = action.handler != kSigDefault && action.handler != kSigIgnore
        && !(process->signal_blocked & signal_bit(trap.signal));
    if (!handled) {
        constexpr const char* kNames[] = { "", "", "", "", "SIGILL", "SIGTRAP", "", "SIGBUS", "SIGFPE", "", "", "SIGSEGV" };
        const char* name = trap.signal < 12 ? kNames[trap.signal] : "";
        log_notice("%s[%d]: killed by %s at %#lx (eip %#lx%s)", process->name, process->pid, name,
            static_cast<unsigned long>(trap.address), static_cast<unsigned long>(trap.pc),
            trap.signal == kSigSegv ? (trap.mapped ? ", access error" : ", nothing mapped") : "");
    }
    i32 code = trap.signal == kSigSegv ? (trap.mapped ? kSegvAccErr : kSegvMapErr) : 1;
    signal_fault(*process, trap.signal, code, trap.address);
}

i32 on_syscall(const arch::SyscallArgs& args)
{
    current()->syscall_number = static_cast<i32>(args.number);
    return sys::dispatch(args);
}

void on_return_to_user(arch::UserFrame& frame)
{
    scheduler_before_user_return();
    if (Process* process = current())
        deliver_signals(*process, frame);
}

bool init_has_exited() { return g_init_exited; }

} // namespace

Process* current() { return running(); }

usize process_count() { return g_processes.size(); }
Process* first_process() { return g_processes.first(); }
Process* next_process(const Process& process) { return g_processes.next(process); }

void default_limits(ResourceLimit (&limits)[kResourceLimits])
{
    for (auto& limit : limits)
        limit = { kRlimInfinity, kRlimInfinity };
    limits[kRlimitStack] = { 8 * 1024 * 1024, kRlimInfinity };
    limits[4] = { 0, kRlimInfinity };          // RLIMIT_CORE: no core dumps
    limits[6] = { 4096, 4096 };                // RLIMIT_NPROC
    limits[7] = { 1024, 4096 };                // RLIMIT_NOFILE (INR_OPEN_CUR, INR_OPEN_MAX)
    limits[8] = { 8 * 1024 * 1024, 8 * 1024 * 1024 }; // RLIMIT_MEMLOCK
    limits[11] = { 4096, 4096 };               // RLIMIT_SIGPENDING
    limits[12] = { 819200, 819200 };           // RLIMIT_MSGQUEUE
    limits[13] = { 0, 0 };                     // RLIMIT_NICE
    limits[14] = { 0, 0 };                     // RLIMIT_RTPRIO
}

Process* find_process(i32 pid) { return g_processes.find(pid); }

Result<ExecImage> prepare_exec(const u8* bytes, usize size, const char* const* argv, const char* const* envp,
    const char* execfn)
{
    ElfFile file = TRY(parse_elf(bytes, size));
    auto space = TRY(mm::AddressSpace::create());
    LoadedImage image = TRY(load_elf(*space, file, bytes, size));
    space->set_break_start(image.break_start);
    uptr stack = TRY(build_stack(*space, image, argv, envp, execfn));
    return ExecImage { std::move(space), image.entry, stack };
}

Result<u32> run_init(const u8* bytes, usize size, const char* const* argv, const char* const* envp)
{
    const char* path = argv && argv[0] ? argv[0] : "init";
    ExecImage image = TRY(prepare_exec(bytes, size, argv, envp, path));
    g_next_pid = 1;
    Process* init = TRY(create_process());
    copy_string(init->name, base_name(path), sizeof(init->name));
    default_limits(init->limits);
    arch::fpu_initial_state(init->fpu_state());
    init->space = std::move(image.space);
    init->saved_stack = arch::prepare_user_start(init->kernel_stack, kKernelStackBytes, image.entry, image.stack);
    g_init = init;
    g_init_exited = false;
    make_runnable(*init);
    // From here the calling context is the idle task, until init is gone.
    run_scheduler_until(init_has_exited);
    u32 status = init->wait_status;
    // Init's end is the system's: whatever still lives goes with it.
    while (Process* process = g_processes.first())
        destroy_process(*process);
    g_init = nullptr;
    set_running(nullptr);
    arch::activate_page_tables(nullptr);
    return status;
}

Result<i32> fork_current()
{
    Process& parent = *current();
    Process* child = TRY(create_process());
    auto space = parent.space->fork();
    if (space.is_error()) {
        destroy_process(*child);
        return space.error();
    }
    child->space = space.release_value();
    copy_string(child->name, parent.name, sizeof(child->name));
    child->credentials = parent.credentials;
    child->umask = parent.umask;
    for (u32 i = 0; i < kResourceLimits; ++i)
        child->limits[i] = parent.limits[i];
    child->pgid = parent.pgid;
    child->sid = parent.sid;
    for (u32 i = 0; i < arch::kTlsEntries; ++i) {
        child->tls[i] = parent.tls[i];
        child->tls_used[i] = parent.tls_used[i];
    }
    // Handlers and the mask are inherited; pending signals are not (man 2 fork).
    for (int signal = 1; signal <= kSignalCount; ++signal)
        child->signal_actions[signal] = parent.signal_actions[signal];
    child->signal_blocked = parent.signal_blocked;
    child->alt_stack_base = parent.alt_stack_base;
    child->alt_stack_size = parent.alt_stack_size;
    // The child starts with the parent's registers as they are now, floating point included.
    arch::fpu_save(child->fpu_state());
    child->parent = &parent;
    parent.children.push_back(*child);
    child->saved_stack = arch::prepare_fork_return(child->kernel_stack, kKernelStackBytes, 0);
    make_runnable(*child);
    return child->pid;
}

Result<i32> vfork_current()
{
    i32 pid = TRY(fork_current());
    Process* child = find_process(pid);
    while (child && child->state != Process::State::Zombie) {
        wait_on(child->vfork_waiters);
        child = find_process(pid); // only we may reap it, so it is still there
    }
    return pid;
}

void exit_current(u32 wait_status)
{
    Process& process = *current();
    process.space.reset(); // the memory goes back now; the rest waits for the parent's wait4
    arm_real_timer(process, 0, 0);
    // Orphans go to init, as on Linux; one that already exited is for init to reap now.
    while (Process* child = process.children.pop_front()) {
        child->parent = g_init != &process ? g_init : nullptr;
        if (child->parent) {
            g_init->children.push_back(*child);
            if (child->state == Process::State::Zombie)
                wake_all(g_init->child_exit_waiters);
        }
    }
    process.wait_status = wait_status;
    process.state = Process::State::Zombie;
    wake_all(process.vfork_waiters);
    notify_parent_of_exit(process);
    // Init's end is the system's: straight to the idle context, which ends run_init, whatever else could run.
    bool is_init = &process == g_init;
    if (is_init)
        g_init_exited = true;
    schedule_last(is_init);
}

Result<WaitResult> wait_child(i32 pid, const WaitOptions& options)
{
    Process& self = *current();
    for (;;) {
        bool any = false;
        for (Process& child : self.children) {
            // pid > 0: that child; -1: any; 0: any in our process group; < -1: any in group -pid.
            bool matches = pid > 0 ? child.pid == pid
                : pid == -1        ? true
                : pid == 0         ? child.pgid == self.pgid
                                   : child.pgid == -pid;
            if (!matches)
                continue;
            any = true;
            // WUNTRACED and WCONTINUED report stops and continues as Linux encodes them (0x7f | sig << 8, 0xffff).
            if (options.stopped && child.stop_to_report && child.stopped) {
                child.stop_to_report = options.no_wait;
                return WaitResult { child.pid, 0x7Fu | static_cast<u32>(child.stop_signal) << 8, child.cpu_ticks };
            }
            if (options.continued && child.continue_to_report) {
                child.continue_to_report = options.no_wait;
                return WaitResult { child.pid, 0xFFFF, child.cpu_ticks };
            }
            if (child.state != Process::State::Zombie || !options.exited)
                continue;
            WaitResult result { child.pid, child.wait_status, child.cpu_ticks };
            if (!options.no_wait) {
                self.children_cpu_ticks += child.cpu_ticks + child.children_cpu_ticks;
                destroy_process(child);
            }
            return result;
        }
        if (!any)
            return Errno::CHILD;
        if (options.no_hang)
            return WaitResult { 0, 0, 0 };
        wait_on(self.child_exit_waiters);
        if (has_deliverable_signal(self))
            return Errno::RESTARTSYS;
    }
}

void install_user_mode_handlers()
{
    arch::set_syscall_handler(on_syscall);
    arch::set_user_trap_handler(on_user_trap);
    arch::set_scheduler_hooks(scheduler_tick, on_return_to_user);
}

} // namespace proc
