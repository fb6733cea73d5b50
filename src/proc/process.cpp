// Threads and processes: the thread table, exec into a fresh address space, fork and clone, exit and wait,
// and the first process that run_init starts and runs until it ends.
#include "proc/process.hpp"
#include "kernel/boot_state.hpp"

#include "kernel/log.hpp"
#include "lib/string.hpp"
#include "fs/root.hpp"
#include "fs/vfs.hpp"
#include "proc/exec.hpp"
#include "proc/futex.hpp"
#include "kernel/panic.hpp"
#include "mm/uaccess.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace proc {

namespace {

const char* base_name(const char* path)
{
    const char* base = path;
    for (const char* p = path; *p; ++p)
        if (*p == '/' && p[1])
            base = p + 1;
    return base;
}

constexpr usize kPathNameBuffer = 256;
u64 g_tasks_created;
i32 g_last_pid;

struct TidOf {
    i32 operator()(const Thread& thread) const { return thread.tid; }
};
RbTree<Thread, &Thread::tid_node, TidOf> g_threads; // tids and pids share one space, as on Linux
i32 g_next_pid = 1;
kernel::BootStateReset g_boot_state([] {
    g_tasks_created = 0;
    g_last_pid = 0;
    g_next_pid = 1;
});
constexpr i32 kPidMax = 32768; // Linux's default pid_max
Process* g_init;
bool g_init_exited;

// Threads that have exited, and processes reaped automatically, until reap_dead_threads() frees them: a task
// cannot free the kernel stack it is running on.
IntrusiveList<Thread, &Thread::thread_node> g_dead_threads;
IntrusiveList<Process, &Process::sibling_node> g_dead_processes;

// A thread of `process` with its kernel stack and a free tid, not yet runnable nor on the process's list.
// ENOMEM, or EAGAIN when every pid is used.
Result<Thread*> create_thread(Process& process)
{
    if (g_threads.size() >= kPidMax - 1)
        return Errno::AGAIN;
    auto thread = TRY(make_own<Thread>());
    TRY(thread->kernel_stack.allocate(kKernelStackBytes));
    while (g_threads.find(g_next_pid))
        g_next_pid = g_next_pid == kPidMax - 1 ? 2 : g_next_pid + 1; // pid 1 is init's alone
    thread->tid = g_next_pid;
    g_next_pid = g_next_pid == kPidMax - 1 ? 2 : g_next_pid + 1;
    thread->m_process = &process;
    thread->start_ns = arch::clock_ns();
    g_last_pid = thread->tid;
    ++g_tasks_created;
    (void)g_threads.insert(*thread);
    return thread.leak();
}

// Frees a thread, which must not be running, and takes it off every list it is on.
void destroy_thread(Thread& thread)
{
    // Live, it is on its process's list; exited, on the list of threads to free (a leader stays on neither).
    if (thread.state != Thread::State::Zombie)
        thread.process().threads.remove(thread);
    else if (!thread.is_leader())
        g_dead_threads.remove(thread);
    unschedule(thread);
    // Torn down while stopped (not after its exit, and not before it ever had a stack): it will never run again.
    if (thread.state != Thread::State::Zombie && thread.saved_stack)
        arch::discard_task(thread.saved_stack);
    g_threads.remove(thread);
    thread.files.reset();
    thread.fs.reset();
    thread.space.reset();
    delete &thread;
}

// A process and its leader, its own thread group, not yet runnable.
Result<Process*> create_process()
{
    auto process = TRY(make_own<Process>());
    Thread* leader = TRY(create_thread(*process));
    process->leader = leader;
    process->threads.push_back(*leader);
    return process.leak();
}

// Frees everything a process holds, its threads with it (none may be running). Threads that exited earlier
// go first, so that none outlives the process it points to.
void destroy_process(Process& process)
{
    while (Thread* dead = g_dead_threads.front())
        destroy_thread(*dead);
    while (Thread* thread = process.threads.front()) {
        if (thread == process.leader)
            process.threads.remove(*thread);
        else
            destroy_thread(*thread);
    }
    destroy_thread(*process.leader); // on the list, or a zombie's, off it since its exit
    arm_real_timer(process, kNoDeadline, 0);
    if (process.parent)
        process.parent->children.remove(process);
    else
        g_dead_processes.remove(process);
    while (Process* child = process.children.pop_front())
        child->parent = nullptr;
    process.executable.reset();
    delete &process;
}

// Every thread of the process has ended: it reports its status to its parent (exit_group's, or else the
// leader's own exit, as Linux does), its children go to init.
void end_process(Process& group)
{
    arm_real_timer(group, kNoDeadline, 0);
    // Orphans go to init, as on Linux; one that already exited is for init to reap now.
    while (Process* child = group.children.pop_front()) {
        child->parent = g_init != &group ? g_init : nullptr;
        if (child->parent) {
            g_init->children.push_back(*child);
            if (child->is_dead())
                g_init->child_exit_waiters.wake_all();
        }
    }
    group.executable.reset(); // a zombie keeps no file (or mount) busy
    if (group.group_exiting)
        group.wait_status = group.group_exit_status;
    if (&group == g_init)
        g_init_exited = true;
    // A parent that ignores SIGCHLD (or asks SA_NOCLDWAIT) leaves its children to be reaped at once.
    if (notify_parent_of_exit(group) && group.parent) {
        group.parent->children.remove(group);
        group.parent = nullptr;
        g_dead_processes.push_back(group);
    }
}

// Init's place in the tree and its first descriptors: /dev/console on 0, 1 and 2 (Linux's console_on_rootfs).
// Without a console it starts with none, with a warning, as on Linux.
Result<void> give_init_files(Thread& init)
{
    fs::Path root = fs::system_root();
    if (!root.is_valid()) {
        log_error("init: no root filesystem");
        return Errno::NOENT;
    }
    init.fs = TRY(fs::FsContext::create(root));
    init.files = TRY(fs::FdTable::create());
    fs::Caller caller { *init.fs, *init.files, init.credentials, fs::FdTable::kDefaultLimit };
    auto console = fs::openat(caller, fs::kAtFdCwd, "/dev/console", fs::kORdWr, 0);
    if (console.is_error()) {
        log_warning("init: unable to open an initial console: %s", errno_name(console.error()));
        return {};
    }
    TRY(init.files->dup(console.value(), fs::FdTable::kDefaultLimit));
    TRY(init.files->dup(console.value(), fs::FdTable::kDefaultLimit));
    return {};
}

void on_user_trap(const arch::UserTrap& trap)
{
    Thread* process = current();
    const SignalAction& action = process->process().signal_actions[trap.signal];
    bool handled = action.handler != kSigDefault && action.handler != kSigIgnore
        && !(process->signal_blocked & signal_bit(trap.signal));
    if (!handled) {
        constexpr const char* kNames[] = { "", "", "", "", "SIGILL", "SIGTRAP", "", "SIGBUS", "SIGFPE", "", "", "SIGSEGV" };
        const char* name = trap.signal < 12 ? kNames[trap.signal] : "";
        log_notice("%s[%d]: killed by %s at %#lx (eip %#lx%s)", process->name, process->tid, name,
            static_cast<unsigned long>(trap.address), static_cast<unsigned long>(trap.pc),
            trap.signal == kSigSegv ? (trap.mapped ? ", access error" : ", nothing mapped") : "");
    }
    constexpr i32 kBusAdrErr = 2;
    i32 code = trap.signal == kSigSegv ? (trap.mapped ? kSegvAccErr : kSegvMapErr) : trap.past_end ? kBusAdrErr : 1;
    signal_fault(*process, trap.signal, code, trap.address);
}

arch::SyscallHandler g_dispatcher; // the system-call table's, given at boot: proc does not include syscall/

i32 on_syscall(const arch::SyscallArgs& args)
{
    current()->syscall_number = static_cast<i32>(args.number);
    reap_dead_threads();
    return g_dispatcher(args);
}

void on_return_to_user(arch::UserFrame& frame)
{
    scheduler_before_user_return();
    Thread* thread = current();
    if (!thread)
        return;
    if (uptr address = thread->set_child_tid) {
        thread->set_child_tid = 0;
        (void)mm::copy_to_user(mm::UserOut<i32>(address), thread->tid); // CLONE_CHILD_SETTID; Linux ignores a fault
    }
    deliver_signals(*thread, frame);
}

bool init_has_exited() { return g_init_exited; }

} // namespace

Thread* current() { return running(); }
u64 tasks_created() { return g_tasks_created; }
i32 last_pid() { return g_last_pid; }

usize thread_count() { return g_threads.size(); }
Thread* first_thread() { return g_threads.first(); }
Thread* next_thread(const Thread& thread) { return g_threads.next(thread); }

namespace {

// The first leader from `thread` on, in tid order.
Process* process_from(Thread* thread)
{
    while (thread && !thread->is_leader())
        thread = g_threads.next(*thread);
    return thread ? &thread->process() : nullptr;
}

} // namespace

Process* first_process() { return process_from(g_threads.first()); }
Process* next_process(const Process& process) { return process_from(g_threads.next(*process.leader)); }

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

Thread* find_thread(i32 tid) { return g_threads.find(tid); }

Process* find_process(i32 pid)
{
    Thread* thread = g_threads.find(pid);
    return thread && thread->is_leader() ? &thread->process() : nullptr;
}

Process* find_thread_group(i32 tid)
{
    Thread* thread = g_threads.find(tid);
    if (!thread || (!thread->is_leader() && thread->state == Thread::State::Zombie))
        return nullptr;
    return &thread->process();
}

Result<u32> run_init(const char* const* argv, const char* const* envp)
{
    if (!argv || !argv[0])
        return Errno::INVAL;
    const char* path = argv[0];
    g_next_pid = 1;
    Process* process = TRY(create_process());
    Thread* init = process->leader;
    copy_string(init->name, base_name(path), sizeof(init->name));
    default_limits(process->limits);
    ExecArgs args;
    auto prepared = give_init_files(*init);
    for (usize i = 0; argv[i] && !prepared.is_error(); ++i)
        prepared = args.add_argument(argv[i]);
    for (usize i = 0; envp && envp[i] && !prepared.is_error(); ++i)
        prepared = args.add_environment(envp[i]);
    auto program = prepared.is_error() ? Result<PreparedProgram>(prepared.error())
                                       : prepare_program(*init, fs::kAtFdCwd, path, args, 0);
    if (program.is_error()) {
        destroy_process(*process);
        return program.error();
    }
    init->credentials = program.value().credentials;
    process->executable = program.value().executable;
    arch::fpu_initial_state(init->fpu_state());
    init->space = std::move(program.value().image.space);
    init->saved_stack = arch::prepare_user_start(
        init->kernel_stack.base(), init->kernel_stack.size(), program.value().image.entry, program.value().image.stack);
    g_init = process;
    g_init_exited = false;
    make_runnable(*init);
    // From here the calling context is the idle task, until init is gone.
    run_scheduler_until(init_has_exited);
    u32 status = g_init->wait_status;
    // Init's end is the system's: whatever still lives goes with it.
    reap_dead_threads();
    while (Thread* thread = g_threads.first())
        destroy_process(thread->process());
    g_init = nullptr;
    set_running(nullptr);
    arch::activate_page_tables(nullptr);
    return status;
}

Result<void> check_clone_flags(u32 flags)
{
    constexpr u32 kNamespaces = 0x20000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
    if ((flags & kCloneThread) && !(flags & kCloneSighand))
        return Errno::INVAL;
    if ((flags & kCloneSighand) && !(flags & kCloneVm))
        return Errno::INVAL;
    if ((flags & kCloneThread) && (flags & 0xFF))
        return Errno::INVAL; // a thread sends no signal when it ends
    if ((flags & 0xFF) > static_cast<u32>(kSignalCount))
        return Errno::INVAL;
    Thread& caller = *current();
    if ((flags & kCloneParent) && &caller.process() == g_init)
        return Errno::INVAL;
    // Sharing handlers between two processes, namespaces, pidfds and ptrace are not here yet: refused, not faked.
    if ((flags & kNamespaces) || (flags & (kClonePidfd | kClonePtrace))
        || ((flags & kCloneSighand) && !(flags & kCloneThread))) {
        log_notice("%s[%d]: clone flags %#x not supported", caller.name, caller.tid, flags);
        return Errno::INVAL;
    }
    return {};
}

Result<i32> clone_current(const CloneRequest& request)
{
    u32 flags = request.flags;
    TRY(check_clone_flags(flags));
    Thread& parent = *current();
    Process& group = parent.process();

    // A new thread of this process, or a new process with its leader.
    Process* process = nullptr;
    Thread* child = nullptr;
    if (flags & kCloneThread) {
        child = TRY(create_thread(group));
        group.threads.push_back(*child);
        ++group.live_threads;
    } else {
        process = TRY(create_process());
        child = process->leader;
    }
    auto undo = [&] {
        if (process) {
            destroy_process(*process);
        } else {
            --group.live_threads;
            destroy_thread(*child);
        }
    };
    if (flags & kCloneVm) {
        child->space = parent.space;
    } else {
        auto space = parent.space->fork();
        if (space.is_error()) {
            undo();
            return space.error();
        }
        child->space = RefPtr<mm::AddressSpace>(space.release_value().leak());
    }
    copy_string(child->name, parent.name, sizeof(child->name));
    child->credentials = parent.credentials;
    // CLONE_FS and CLONE_FILES share the place in the tree and the descriptors; otherwise the child gets copies.
    auto fs = (flags & kCloneFs) ? Result<RefPtr<fs::FsContext>>(parent.fs) : parent.fs->clone();
    auto files = (flags & kCloneFiles) ? Result<RefPtr<fs::FdTable>>(parent.files) : parent.files->clone();
    if (fs.is_error() || files.is_error()) {
        undo();
        return fs.is_error() ? fs.error() : files.error();
    }
    child->fs = fs.release_value();
    child->files = files.release_value();
    for (u32 i = 0; i < arch::kTlsEntries; ++i) {
        child->tls[i] = parent.tls[i];
        child->tls_used[i] = parent.tls_used[i];
    }
    if (flags & kCloneSettls) {
        child->tls[request.tls_entry - arch::kFirstTlsEntry] = *request.tls;
        child->tls_used[request.tls_entry - arch::kFirstTlsEntry] = !request.tls_clear;
    }
    // The mask is inherited, pending signals are not (man 2 fork); a thread on a new stack has no alternate one.
    child->signal_blocked = parent.signal_blocked;
    if ((flags & (kCloneVm | kCloneVfork)) != kCloneVm) {
        child->alt_stack_base = parent.alt_stack_base;
        child->alt_stack_size = parent.alt_stack_size;
        child->alt_stack_flags = parent.alt_stack_flags;
    }
    if (process) {
        process->exit_signal = static_cast<int>(flags & 0xFF);
        process->executable = group.executable;
        for (u32 i = 0; i < kResourceLimits; ++i)
            process->limits[i] = group.limits[i];
        process->pgid = group.pgid;
        process->sid = group.sid;
        for (int signal = 1; signal <= kSignalCount; ++signal)
            process->signal_actions[signal] = group.signal_actions[signal];
        process->parent = (flags & kCloneParent) ? group.parent : &group;
        if (process->parent)
            process->parent->children.push_back(*process);
    }
    if (flags & kCloneChildCleartid)
        child->clear_child_tid = request.child_tid;
    if (flags & kCloneChildSettid)
        child->set_child_tid = request.child_tid; // written from the child's side, in its own memory
    if (flags & kCloneParentSettid)
        (void)mm::copy_to_user(mm::UserOut<i32>(request.parent_tid), child->tid); // Linux ignores a fault here
    // The child starts with the parent's registers as they are now, floating point included.
    arch::fpu_save(child->fpu_state());
    child->saved_stack
        = arch::prepare_fork_return(child->kernel_stack.base(), child->kernel_stack.size(), 0, request.user_stack);
    i32 tid = child->tid;
    make_runnable(*child);
    if (flags & kCloneVfork) {
        // Until the child ends or execs; only SIGKILL cuts this short (Linux's killable wait_for_vfork_done).
        // A thread of the child that execs takes its tid, and the thread waited on goes: look it up again.
        for (;;) {
            Thread* waited = find_thread(tid);
            if (!waited || waited->vfork_done)
                break;
            auto outcome = waited->vfork_waiters.wait_until(
                [&] { return find_thread(tid) != waited || waited->vfork_done; }, kNoDeadline,
                Interruptible::Killable);
            if (outcome != WaitOutcome::Ready)
                break;
        }
    }
    return tid;
}

namespace {

// execve from a thread other than the leader, once every other thread has ended: the thread becomes the
// leader (Linux's de_thread) under the process id, with the old leader's start time, and the old leader, a
// zombie by now, goes. Everything else the thread group has stays where it is, on the Process.
void take_over_process(Thread& self)
{
    Process& process = self.process();
    Thread& old = *process.leader;
    g_threads.remove(old);
    g_threads.remove(self);
    i32 thread_id = self.tid;
    self.tid = old.tid;
    old.tid = thread_id;
    self.start_ns = old.start_ns;
    process.dead_threads_cpu += old.cpu;
    process.leader = &self;
    (void)g_threads.insert(self);
    // The old leader ran its exit already: only its kernel stack and its record are left. A vfork parent
    // waiting on it looks again, and finds this thread under the same tid.
    old.vfork_waiters.wake_all();
    unschedule(old);
    delete &old;
}

} // namespace

void replace_program(Thread& self, ExecImage&& image, StringView path, const Credentials& credentials)
{
    Process& group = self.process();
    // The other threads end first (Linux's de_thread).
    if (group.live_threads > 1) {
        group.exec_thread = &self;
        for (Thread& thread : group.threads) {
            if (&thread == &self)
                continue;
            thread.signal_pending |= signal_bit(kSigKill);
            signal_wake(thread, true);
        }
        (void)group.exec_waiters.wait_until(
            [&] { return group.live_threads == 1; }, kNoDeadline, Interruptible::Killable);
        group.exec_thread = nullptr;
    }
    if (!self.is_leader() && group.live_threads == 1)
        take_over_process(self);
    if (self.clear_child_tid && self.space && self.space->ref_count() > 1) {
        (void)mm::copy_to_user(mm::UserOut<u32>(self.clear_child_tid), u32 { 0 });
        futex_wake(self.space.get(), self.clear_child_tid, 1, kFutexBitsetAll);
    }
    self.clear_child_tid = 0;
    self.set_child_tid = 0;
    self.space = std::move(image.space);
    self.space->activate();
    self.files->close_on_exec_all();
    // Handlers cannot survive their code: caught signals go back to the default; ignored ones stay ignored.
    for (SignalAction& action : group.signal_actions) {
        if (action.handler != kSigIgnore)
            action.handler = kSigDefault;
        action.flags = 0;
        action.restorer = 0;
        action.mask = 0;
    }
    self.alt_stack_base = 0;
    self.alt_stack_size = 0;
    self.alt_stack_flags = 2; // SS_DISABLE
    for (u32 i = 0; i < arch::kTlsEntries; ++i) {
        self.tls_used[i] = false;
        arch::TlsDescriptor empty { 0, 0, false, true, false, true, false, 0 };
        arch::load_tls_descriptor(arch::kFirstTlsEntry + i, empty);
    }
    char name[kPathNameBuffer];
    copy_string(name, path.characters(), path.length() + 1 < sizeof(name) ? path.length() + 1 : sizeof(name));
    copy_string(self.name, base_name(name), sizeof(self.name));
    self.credentials = credentials;
    arch::fpu_initial_state(self.fpu_state());
    arch::fpu_restore(self.fpu_state());
    self.vfork_done = true;
    self.vfork_waiters.wake_all(); // a vfork parent goes on once the child has its own memory
    arch::start_program(*arch::current_user_frame(), image.entry, image.stack);
}

Result<i32> fork_current() { return clone_current({ static_cast<u32>(kSigChld), 0, 0, 0, nullptr, 0, false }); }

Result<i32> vfork_current()
{
    return clone_current({ kCloneVm | kCloneVfork | static_cast<u32>(kSigChld), 0, 0, 0, nullptr, 0, false });
}

void exit_thread(u32 wait_status)
{
    Thread& self = *current();
    Process& group = self.process();
    // Tell a joiner (CLONE_CHILD_CLEARTID) the thread is gone, if anyone else can still see the memory.
    if (self.clear_child_tid && self.space && self.space->ref_count() > 1) {
        (void)mm::copy_to_user(mm::UserOut<u32>(self.clear_child_tid), u32 { 0 });
        futex_wake(self.space.get(), self.clear_child_tid, 1, kFutexBitsetAll);
    }
    self.vfork_done = true;
    self.vfork_waiters.wake_all();
    self.files.reset(); // the last reference closes every descriptor
    self.fs.reset();
    self.space.reset(); // the memory goes back now (with the last thread); the rest waits for the parent's wait4
    group.dead_threads_cpu += self.cpu;
    self.cpu = {};
    group.threads.remove(self);
    --group.live_threads;
    self.state = Thread::State::Zombie;
    if (group.exec_thread && group.live_threads == 1)
        group.exec_waiters.wake_all(); // the thread in execve has the process to itself now
    if (self.is_leader())
        group.wait_status = wait_status; // the leader stays with its process, for the parent's wait4
    else
        g_dead_threads.push_back(self); // nobody waits for a thread: it is freed once off its stack
    if (group.live_threads == 0)
        end_process(group);
    // Init's end is the system's: straight to the idle context, which ends run_init, whatever else could run.
    schedule_last(g_init_exited);
}

void exit_process(u32 wait_status)
{
    Thread& self = *current();
    Process& group = self.process();
    if (!group.group_exiting) {
        group.group_exiting = true;
        group.group_exit_status = wait_status;
        for (Thread& thread : group.threads) {
            if (&thread == &self)
                continue;
            thread.signal_pending |= signal_bit(kSigKill);
            signal_wake(thread, true);
        }
    }
    exit_thread(group.group_exit_status);
}

void reap_dead_threads()
{
    while (Thread* dead = g_dead_threads.front())
        destroy_thread(*dead);
    while (Process* dead = g_dead_processes.front())
        destroy_process(*dead);
}

CpuTime process_cpu_time(const Process& process)
{
    CpuTime time = process.dead_threads_cpu;
    for (const Thread& thread : const_cast<Process&>(process).threads)
        time += thread.cpu;
    return time;
}

namespace {

// One look at the children for wait_child: Found with `out` set (a child to report, or WNOHANG's 0), NoChild
// for ECHILD, or Wait.
enum class Scan { Found, NoChild, Wait };
Scan scan_children(Process& self, i32 pid, const WaitOptions& options, WaitResult& out)
{
    bool any = false;
    for (Process& child : self.children) {
        // pid > 0: that child; -1: any; 0: any in our process group; < -1: any in group -pid.
        bool matches = pid > 0 ? child.pid() == pid
            : pid == -1        ? true
            : pid == 0         ? child.pgid == self.pgid
                               : child.pgid == -pid;
        if (!matches)
            continue;
        any = true;
        // WUNTRACED and WCONTINUED report stops and continues as Linux encodes them (0x7f | sig << 8, 0xffff).
        if (options.stopped && child.stop_to_report && child.stopped) {
            child.stop_to_report = options.no_wait;
            out = WaitResult { child.pid(), 0x7Fu | static_cast<u32>(child.stop_signal) << 8, process_cpu_time(child) };
            return Scan::Found;
        }
        if (options.continued && child.continue_to_report) {
            child.continue_to_report = options.no_wait;
            out = WaitResult { child.pid(), 0xFFFF, process_cpu_time(child) };
            return Scan::Found;
        }
        if (!child.is_dead() || !options.exited)
            continue;
        WaitResult result { child.pid(), child.wait_status, process_cpu_time(child) };
        if (!options.no_wait) {
            self.children_cpu += result.cpu;
            self.children_cpu += child.children_cpu;
            destroy_process(child);
        }
        out = result;
        return Scan::Found;
    }
    if (!any)
        return Scan::NoChild;
    if (!options.no_hang)
        return Scan::Wait;
    out = WaitResult { 0, 0, {} };
    return Scan::Found;
}

} // namespace

Result<WaitResult> wait_child(i32 pid, const WaitOptions& options)
{
    Process& self = current()->process();
    // Linux's do_wait: the children first, then a signal; a wake-up (an exit, whose SIGCHLD may have come
    // with it) scans again, so a waitable child is returned even with a signal pending.
    WaitResult found {};
    Scan scan = Scan::Wait;
    auto outcome = self.child_exit_waiters.wait_until(
        [&] { return (scan = scan_children(self, pid, options, found)) != Scan::Wait; });
    if (outcome != WaitOutcome::Ready)
        return Errno::RESTARTSYS;
    if (scan == Scan::NoChild)
        return Errno::CHILD;
    return found;
}

void install_user_mode_handlers(arch::SyscallHandler dispatcher)
{
    g_dispatcher = dispatcher;
    arch::set_syscall_handler(on_syscall);
    arch::set_user_trap_handler(on_user_trap);
    arch::set_scheduler_hooks(scheduler_tick, on_return_to_user);
}

} // namespace proc
