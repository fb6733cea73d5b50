// Thread and Process: what the kernel knows about a task and about the thread group it belongs to, and the
// life of both: exec into a fresh address space, fork and clone, exit, and wait.
#pragma once

#include "arch/arch.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/own_ptr.hpp"
#include "lib/ref_ptr.hpp"
#include "lib/rb_tree.hpp"
#include "fs/fd_table.hpp"
#include "fs/fs_context.hpp"
#include "mm/address_space.hpp"
#include "mm/kernel_stack.hpp"
#include "proc/credentials.hpp"
#include "proc/wait_queue.hpp"

namespace proc {

// Resource limits (man 2 getrlimit): RLIMIT_CPU .. RLIMIT_RTTIME, with Linux's defaults for init.
inline constexpr u32 kResourceLimits = 16, kRlimitStack = 3;
inline constexpr u64 kRlimInfinity = ~u64 { 0 };
struct ResourceLimit {
    u64 current, maximum;
};
void default_limits(ResourceLimit (&limits)[kResourceLimits]);

// Signals (man 7 signal, numbers from asm/signal.h): 1 to 64, a bit each in 64-bit sets.
inline constexpr int kSignalCount = 64;
inline constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigKill = 9, kSigSegv = 11;
inline constexpr int kSigHup = 1, kSigInt = 2, kSigQuit = 3, kSigAbrt = 6, kSigUsr1 = 10, kSigUsr2 = 12,
                     kSigPipe = 13, kSigAlrm = 14, kSigTerm = 15, kSigChld = 17, kSigCont = 18, kSigStop = 19,
                     kSigTstp = 20, kSigTtin = 21, kSigTtou = 22, kSigUrg = 23, kSigXcpu = 24, kSigXfsz = 25,
                     kSigVtalrm = 26, kSigProf = 27, kSigWinch = 28, kSigSys = 31;
inline constexpr u64 signal_bit(int signal) { return u64 { 1 } << (signal - 1); }
inline constexpr u32 kSigDefault = 0, kSigIgnore = 1; // handler values SIG_DFL, SIG_IGN

// struct k_sigaction as the i386 rt_sigaction call passes it.
struct SignalAction {
    u32 handler;
    u32 flags; // SA_*
    u32 restorer;
    u64 mask;
};
// What siginfo_t says about a signal (the fields Linux fills for kill, faults and SIGCHLD).
struct SignalInfo {
    i32 code;
    i32 pid;
    u32 uid;
    i32 status;
    u32 address;
};

// Timer ticks a thread or process spent in user mode and in the kernel.
struct CpuTime {
    u64 user, system;
    u64 total() const { return user + system; }
    CpuTime& operator+=(const CpuTime& other)
    {
        user += other.user;
        system += other.system;
        return *this;
    }
};

struct IntervalTimer {
    u64 left, interval;
};
inline constexpr int kItimerVirtual = 0, kItimerProf = 1; // cpu_timers[] (ITIMER_VIRTUAL 1, ITIMER_PROF 2)

struct Process;

// A thread (a task): what the scheduler runs. Every thread belongs to one Process, the thread group; a
// single-threaded process has one thread, its leader, whose tid is the process id.
struct Thread {
    enum class State : u8 { Runnable, Blocked, Zombie };

    i32 tid { 0 };
    char name[16] {}; // comm: the executable's base name, as prctl(PR_GET_NAME) and /proc show it
    RefPtr<mm::AddressSpace> space; // shared by the threads of a process, and by a CLONE_VM child
    Credentials credentials {};     // per thread, as on Linux (musl changes them in every thread)
    RefPtr<fs::FsContext> fs;       // root, working directory, umask: shared under CLONE_FS
    RefPtr<fs::FdTable> files;      // descriptors: shared under CLONE_FILES
    uptr clear_child_tid { 0 };     // set_tid_address, CLONE_CHILD_CLEARTID
    uptr set_child_tid { 0 };       // CLONE_CHILD_SETTID: the tid goes here on the way to user mode
    arch::TlsDescriptor tls[arch::kTlsEntries] {};
    bool tls_used[arch::kTlsEntries] {};

    // --- scheduling ---
    State state { State::Runnable };
    IntrusiveListNode run_node; // on the run queue
    IntrusiveList<Thread, &Thread::run_node>* queue { nullptr }; // the run queue while on it
    Interruptible sleep_mode { Interruptible::Yes }; // of the sleep it is in (or was last in)
    mm::KernelStack kernel_stack; // freed with the thread, which must not be running on it
    uptr saved_stack { 0 }; // where the task stands while it is not running (arch::switch_stacks)
    u32 slice_left { 0 };
    Timer sleep_timer; // armed for the deadline of the sleep it is in
    u64 start_ns { 0 }; // when it was created, on the monotonic clock (/proc/<pid>/stat's starttime)
    CpuTime cpu {}; // timer ticks spent running, for times() and rusage
    // x87/SSE registers while the thread is not running (arch::fpu_save), aligned inside the buffer.
    u8 fpu_buffer[arch::kFpuStateBytes + arch::kFpuStateAlignment] {};
    void* fpu_state()
    {
        auto address = reinterpret_cast<uptr>(fpu_buffer);
        return reinterpret_cast<void*>((address + arch::kFpuStateAlignment - 1) & ~(arch::kFpuStateAlignment - 1));
    }

    // --- signals sent to this thread ---
    u64 signal_blocked { 0 };
    u64 signal_pending { 0 }; // sent to this thread (tkill, tgkill, faults); kill's are the process's
    SignalInfo signal_info[kSignalCount + 1] {};
    u64 saved_signal_mask { 0 };    // rt_sigsuspend's caller mask, restored once a handler has been set up
    bool has_saved_signal_mask { false };
    i32 syscall_number { -1 };      // the call in progress, for restarting it; -1 outside one
    u64 signal_waiting { 0 };  // rt_sigtimedwait's set: these wake the thread even while blocked
    uptr alt_stack_base { 0 }; // sigaltstack: 0 size means none
    usize alt_stack_size { 0 };
    u32 alt_stack_flags { 2 }; // as last set (SS_DISABLE, or 0 / SS_ONSTACK with SS_AUTODISARM)
    WaitQueue vfork_waiters; // a CLONE_VFORK parent, until this task ends or execs
    bool vfork_done { false };

    // On its process's list of live threads, or, once exited (a thread other than the leader), on the list
    // of threads to free.
    IntrusiveListNode thread_node;
    RbTreeNode tid_node;
    Process* m_process { nullptr };

    Process& process() { return *m_process; }
    const Process& process() const { return *m_process; }
    bool is_leader() const;
    i32 tgid() const;
};

// A process: the thread group, and what its threads share. It is created with its leader and lives until its
// parent reaps it (wait4), or until it is reaped at once (SIGCHLD ignored): an ended process (a zombie) is a
// Process with no live threads, which still keeps its leader's Thread, stopped for good, for the pid, the name
// and the start time, as Linux keeps the group leader's task. A thread other than the leader is freed soon
// after it exits, and always before its process (destroy_process), so a Thread never outlives its Process.
struct Process {
    Thread* leader { nullptr }; // its tid is the process id; execve from another thread makes that one leader
    IntrusiveList<Thread, &Thread::thread_node> threads; // every live thread, the leader included
    u32 live_threads { 1 };
    bool group_exiting { false }; // exit_group or a fatal signal: every thread is on its way out
    Thread* exec_thread { nullptr }; // execve in progress: the other threads end quietly
    WaitQueue exec_waiters; // that thread, until they have
    u32 group_exit_status { 0 };
    RefPtr<fs::OpenFile> executable; // what exec ran, opened O_PATH (/proc/<pid>/exe)
    CpuTime dead_threads_cpu {};
    int exit_signal { kSigChld }; // sent to the parent when the process ends (clone's CSIGNAL; 0: none)
    i32 pgid { 0 }; // process group, for wait4(0 or -pgid)
    i32 sid { 0 };
    ResourceLimit limits[kResourceLimits] {};
    CpuTime children_cpu {}; // of children reaped by wait4, for times()
    SignalAction signal_actions[kSignalCount + 1] {};
    u64 shared_pending { 0 }; // signals sent to the process (kill), for any thread that does not block them
    SignalInfo shared_info[kSignalCount + 1] {};
    bool stopped { false };         // by SIGSTOP and friends, until SIGCONT
    int stop_signal { 0 };
    bool stop_to_report { false };  // wait4(WUNTRACED) has not seen this stop yet
    bool continue_to_report { false };
    WaitQueue stop_waiters; // its threads while it is stopped, until SIGCONT or SIGKILL
    // ITIMER_REAL (alarm, setitimer): SIGALRM at the timer's deadline, then every interval nanoseconds.
    Timer real_timer;
    u64 real_interval { 0 };
    // ITIMER_VIRTUAL (user time) and ITIMER_PROF (user and system time): ticks left (0: disarmed), and reload.
    IntervalTimer cpu_timers[2] {};
    Process* parent { nullptr };
    // On the parent's children, or, reaped at once, on the list of processes to free.
    IntrusiveListNode sibling_node;
    IntrusiveList<Process, &Process::sibling_node> children;
    WaitQueue child_exit_waiters; // threads blocked in wait4 for a child
    u32 wait_status { 0 };        // once every thread has ended: as wait4 reports it

    i32 pid() const { return leader->tid; }
    const char* name() const { return leader->name; }
    i32 parent_pid() const { return parent ? parent->pid() : 0; }
    // The process has ended: every thread has exited, and only its wait status is left for the parent.
    bool is_dead() const { return live_threads == 0; }
};

inline bool Thread::is_leader() const { return m_process->leader == this; }
inline i32 Thread::tgid() const { return m_process->pid(); }

// The scheduler's lists of tasks (the run queue, the sleepers with a deadline).
using TaskList = IntrusiveList<Thread, &Thread::run_node>;

inline constexpr usize kKernelStackBytes = 16 * 1024;

// The thread running now; nullptr in the kernel's own (idle) context.
Thread* current();
// The thread with `tid`, or nullptr: a zombie's leader included, and a thread that has exited until it is freed.
Thread* find_thread(i32 tid);
// The process whose pid is `pid` (its leader's tid), zombies included, or nullptr.
Process* find_process(i32 pid);
// The process of thread `tid`, as kill(2) and setpgid(2) take a thread id for its process; nullptr when there
// is no such thread or it has exited (the leader of a zombie still names its process).
Process* find_thread_group(i32 tid);

struct ExecImage;
// execve's last step, when nothing can fail any more: the other threads end, and the calling thread's process
// takes the new image, with close-on-exec descriptors closed, handled signals back to their default, no
// alternate stack or TLS, the new program's name and `credentials`. The thread resumes at the image's entry.
void replace_program(Thread& self, ExecImage&& image, StringView path, const Credentials& credentials);

// Runs the program at argv[0] in the root filesystem as pid 1 (as execve would: ELF or #! script), with
// /dev/console on its first descriptors, scheduling it and every process it forks, until it exits or is
// killed; returns its wait status as Linux encodes it (exit code << 8, or the signal number). Processes still
// alive then are torn down. ENOENT, EACCES, ENOEXEC and friends when it cannot be started.
Result<u32> run_init(const char* const* argv, const char* const* envp);

// fork(): a copy of the current process whose system call returns 0. Returns the child's pid.
Result<i32> fork_current();
// vfork(): fork, then the parent waits until the child has exited (POSIX lets the child's memory be a copy;
// with no execve yet, exiting is the only way the child lets the parent go).
Result<i32> vfork_current();

// clone(2) with the flags musl's pthread_create and posix_spawn use: a new thread of this process
// (CLONE_THREAD, which needs CLONE_SIGHAND and CLONE_VM) or a new process sharing this address space
// (CLONE_VM) or copying it. `user_stack` (0: the caller's) is where the child's stack pointer starts; `tls`
// is the child's TLS descriptor for CLONE_SETTLS. Returns the child's thread id.
struct CloneRequest {
    u32 flags;
    uptr user_stack;
    uptr parent_tid; // CLONE_PARENT_SETTID: the child's tid is stored here, in the parent's memory
    uptr child_tid;  // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID
    const arch::TlsDescriptor* tls;
    u32 tls_entry; // the GDT entry of `tls`
    bool tls_clear; // CLONE_SETTLS with the empty descriptor: the entry is freed
};
inline constexpr u32 kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800,
                     kClonePidfd = 0x1000, kClonePtrace = 0x2000, kCloneVfork = 0x4000, kCloneParent = 0x8000,
                     kCloneThread = 0x10000, kCloneSysvsem = 0x40000, kCloneSettls = 0x80000,
                     kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000, kCloneDetached = 0x400000,
                     kCloneUntraced = 0x800000, kCloneChildSettid = 0x1000000, kCloneIo = 0x80000000;
Result<i32> clone_current(const CloneRequest& request);
// The flag checks clone makes before anything else (EINVAL for combinations Linux refuses or this kernel
// does not offer).
Result<void> check_clone_flags(u32 flags);

// exit(): ends the calling thread; the process ends with `wait_status` when it was the last. Never returns.
[[noreturn]] void exit_thread(u32 wait_status);
// exit_group() and fatal signals: ends every thread of the process, which reports `wait_status`. Never returns.
[[noreturn]] void exit_process(u32 wait_status);
// Frees the threads that have exited (their kernel stacks could not be freed while they ran on them).
void reap_dead_threads();
// CPU time of the whole process: its live threads and those that have ended.
CpuTime process_cpu_time(const Process& process);
// wait4(): the pid of a child matching `pid` (Linux's rules) that has exited, reaped, with its status;
// 0 with `no_hang` when none has yet; ECHILD when there is no such child.
struct WaitResult {
    i32 pid;
    u32 status;
    CpuTime cpu;
};
struct WaitOptions {
    bool exited = true;     // report children that have exited (wait4 always does; waitid's WEXITED)
    bool stopped = false;   // WUNTRACED / WSTOPPED
    bool continued = false; // WCONTINUED
    bool no_hang = false;   // WNOHANG
    bool no_wait = false;   // WNOWAIT: report, but leave the child to be waited for again
};
Result<WaitResult> wait_child(i32 pid, const WaitOptions& options);

// Processes and threads created since boot (/proc/stat's "processes"), and the last pid handed out.
u64 tasks_created();
i32 last_pid();

// Threads (zombies' leaders included), for sysinfo and /proc/loadavg as Linux's nr_threads.
usize thread_count();
// Every thread, in tid order; every process, zombies included, in pid order (setsid, kill(-1), /proc).
template<typename Visit>
void for_each_thread(Visit visit);
template<typename Visit>
void for_each_process(Visit visit);

// Installs the system-call, user-trap and scheduler handlers (once, at boot); system calls go to `dispatcher`
// (sys::dispatch, the table) after the process's own bookkeeping.
void install_user_mode_handlers(arch::SyscallHandler dispatcher);

Thread* first_thread();
Thread* next_thread(const Thread& thread);
Process* first_process();
Process* next_process(const Process& process);

template<typename Visit>
void for_each_thread(Visit visit)
{
    for (Thread* thread = first_thread(); thread; thread = next_thread(*thread))
        visit(*thread);
}

template<typename Visit>
void for_each_process(Visit visit)
{
    for (Process* process = first_process(); process; process = next_process(*process))
        visit(*process);
}

} // namespace proc
