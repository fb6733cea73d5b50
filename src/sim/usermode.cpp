// Simulated user mode and tasks. A test supplies the "user code" as host functions that make system calls
// through sim::user_syscall(). Each task has two host stacks (ucontext), as a task on the machine has a user
// stack and a kernel stack: its user code runs on one, and every entry to the kernel (a system call, a trap)
// switches to the other, so switch_stacks() really leaves one task mid-call and resumes another. When a task
// ends (exit_to) or is torn down (discard_task), its kernel frames are abandoned as the machine abandons them,
// destructors not run; only the user code's host frames unwind, by an exception on the user stack, so that
// the test's own locals are freed. AddressSanitizer is told about every switch so that it follows the stacks.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <ucontext.h>
#include <algorithm>
#include <vector>

#include "arch/signal_frame.hpp"
#include "sim/sim.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define CADENZA_SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CADENZA_SIM_ASAN 1
#endif
#endif
#ifdef CADENZA_SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

// The sim's user frame: what a system call returns, whether it is to be run again, and the user stack
// pointer (the one register of the simulated program that lives in user memory's terms).
struct arch::UserFrame {
    u32 number;
    i32 result;
    bool restart;
    bool exec = false; // execve succeeded: the user program starts again at (entry, stack)
    uptr entry = 0, stack = 0;
    uptr esp = 0;
};

namespace {

constexpr usize kHostStackBytes = 256 * 1024;

// One host stack and where it stopped. The boot context (the test's own) has no stack of ours.
struct Context {
    ucontext_t uc {};
    std::vector<u8> stack;
    // What AddressSanitizer needs to follow a switch onto this stack.
    const void* bottom = nullptr;
    usize size = 0;
};

struct SimTask {
    Context kernel; // where switch_stacks() leaves and resumes the task; the boot task's is the test's context
    Context user;   // the user code
    bool started = false;      // the kernel context exists
    bool user_started = false; // and the user context
    // The stack it runs on, or stopped on: the kernel's normally; the user's when kernel code that a test
    // called from its user code directly has switched away.
    Context* current = nullptr;
    bool finished = false;
    // Set when the task leaves for good: its user code unwinds (TaskEnded, TaskDiscarded), then `after` runs.
    enum class Leaving : u8 { No, Ended, Discarded } leaving = Leaving::No;
    struct SimTask* after = nullptr;
    // What the user code asked the kernel to do, and what it threw (rethrown on the user stack).
    const std::function<void()>* work = nullptr;
    std::exception_ptr failure;
    bool fork_child = false;
    uptr entry = 0, user_stack = 0;
    u32 result = 0;
    arch::UserFrame* frame = nullptr; // the system call this task is in (each task has its own, as on i386)
    uptr esp = 0;                     // the user stack pointer between system calls
    // Handler frames this task was sent into and has not returned from, innermost last.
    struct Handler {
        uptr frame;
        bool rt;
    };
    std::vector<Handler> handlers;
};

arch::SyscallHandler g_syscall_handler;
arch::UserTrapHandler g_trap_handler;
void (*g_tick_hook)(bool in_user_mode);
void (*g_user_return_hook)(arch::UserFrame&);
std::function<void(uptr entry, uptr stack)> g_program;
std::function<void(u32 result)> g_fork_child;
arch::TlsDescriptor g_tls[arch::kTlsEntries];
u8* g_trap_stack;

std::vector<sim::SignalDelivery> g_deliveries;

SimTask* make_boot_task()
{
    static SimTask boot;
    boot.started = true; // it is running: switching back to it resumes, never starts
    boot.current = &boot.kernel;
    return &boot;
}
SimTask& g_boot_task = *make_boot_task(); // the context the test itself runs in
SimTask* g_current_task = &g_boot_task;
std::vector<SimTask*> g_tasks;
Context* g_switched_from; // the stack a switch left, for AddressSanitizer's record of it
SimTask* g_ended;         // a task whose last stack was just left: the next landing frees it

// Thrown on a task's user stack so that the user code's host frames (the test's locals) unwind when the task
// ends or is torn down; the kernel frames are never unwound.
struct TaskEnded { };
struct TaskDiscarded { };
// Thrown out of the user program when execve replaced it; the task runs the program again from its entry.
struct ProgramReplaced {
    uptr entry, stack;
};

// Every switch lands here first, on the stack switched to.
void land([[maybe_unused]] void* fake_stack)
{
#ifdef CADENZA_SIM_ASAN
    if (g_switched_from)
        __sanitizer_finish_switch_fiber(fake_stack, &g_switched_from->bottom, &g_switched_from->size);
    else
        __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
    if (g_ended) {
        std::erase(g_tasks, g_ended);
        delete g_ended;
        g_ended = nullptr;
    }
}

// Leaves `from` (saved, to be resumed) for `to`.
void jump(Context& from, Context& to)
{
    g_switched_from = &from;
#ifdef CADENZA_SIM_ASAN
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, to.bottom, to.size);
    swapcontext(&from.uc, &to.uc);
    land(fake_stack);
#else
    swapcontext(&from.uc, &to.uc);
    land(nullptr);
#endif
}

// Leaves the running stack for good: nothing will run on it again.
[[noreturn]] void jump_for_good(Context& to)
{
    g_switched_from = nullptr;
#ifdef CADENZA_SIM_ASAN
    __sanitizer_start_switch_fiber(nullptr, to.bottom, to.size); // nullptr: this fiber is done
#endif
    setcontext(&to.uc);
    std::abort();
}

void make_context(Context& context, void (*entry)())
{
    context.stack.resize(kHostStackBytes);
    context.bottom = context.stack.data();
    context.size = context.stack.size();
    getcontext(&context.uc);
    context.uc.uc_stack.ss_sp = context.stack.data();
    context.uc.uc_stack.ss_size = context.stack.size();
    context.uc.uc_link = nullptr;
    makecontext(&context.uc, entry, 0);
}

void kernel_main();
void user_main();

// Where switching to a task resumes it: the stack it stopped on; a new task starts on its kernel stack.
Context& resume_point(SimTask* task)
{
    if (!task->started) {
        task->started = true;
        make_context(task->kernel, kernel_main);
        task->current = &task->kernel;
    }
    return *task->current;
}

// The task is done with every stack it has: free it once off them, and go on with `next`.
[[noreturn]] void finish(SimTask* self, SimTask* next)
{
    self->finished = true;
    g_ended = self;
    g_current_task = next;
    jump_for_good(resume_point(next));
}

void run_user_program(uptr entry, uptr stack)
{
    if (!g_program) {
        std::fprintf(stderr, "sim: a task entered user mode with no user program set\n");
        std::abort();
    }
    g_program(entry, stack);
}

// A task's kernel stack: a fork child's first return to user mode, then the kernel's side of every entry
// from user mode, one after another.
void kernel_main()
{
    land(nullptr);
    SimTask* self = g_current_task;
    if (self->fork_child) {
        // A new task enters user mode through the return hook, as every return to user mode does.
        arch::UserFrame frame { 0, static_cast<i32>(self->result), false };
        frame.esp = self->esp;
        if (g_user_return_hook)
            g_user_return_hook(frame);
        self->esp = frame.esp;
    }
    self->user_started = true;
    make_context(self->user, user_main);
    for (;;) {
        self->current = &self->user;
        jump(self->kernel, self->user);
        try {
            (*self->work)();
        } catch (...) {
            self->failure = std::current_exception();
        }
    }
}

// A task's user stack: the user code, until it leaves through exit (or is torn down).
void user_main()
{
    land(nullptr);
    SimTask* self = g_current_task;
    try {
        try {
            if (self->fork_child) {
                if (!g_fork_child) {
                    std::fprintf(stderr, "sim: a forked child ran with no fork-child program set\n");
                    std::abort();
                }
                g_fork_child(self->result);
            } else {
                run_user_program(self->entry, self->user_stack);
            }
        } catch (const ProgramReplaced& replaced) {
            // execve: the user program (the one set with set_user_program) starts over, once per exec.
            ProgramReplaced next_program = replaced;
            for (;;) {
                try {
                    self->esp = next_program.stack;
                    self->handlers.clear();
                    run_user_program(next_program.entry, next_program.stack);
                    break;
                } catch (const ProgramReplaced& again) {
                    next_program = again;
                }
            }
        }
        // User code never returns: it leaves through exit, which ends the task.
        std::fprintf(stderr, "sim: a user program returned without calling exit\n");
        std::abort();
    } catch (const TaskEnded&) {
    } catch (const TaskDiscarded&) {
    }
    finish(self, self->after);
}

// An entry to the kernel from user code: `work` runs on the task's kernel stack. Back on the user stack, a
// task that left meanwhile unwinds its user code, and what the kernel side threw is thrown here.
void enter_kernel(const std::function<void()>& work)
{
    SimTask* self = g_current_task;
    if (self->current == &self->kernel) { // the boot context, or a nested entry
        work();
        return;
    }
    self->work = &work;
    self->current = &self->kernel;
    jump(self->user, self->kernel);
    self->current = &self->user;
    if (self->leaving == SimTask::Leaving::Ended)
        throw TaskEnded {};
    if (self->leaving == SimTask::Leaving::Discarded)
        throw TaskDiscarded {};
    if (self->failure) {
        std::exception_ptr failure = self->failure;
        self->failure = nullptr;
        std::rethrow_exception(failure);
    }
}

uptr new_task(SimTask* task)
{
    g_tasks.push_back(task);
    return reinterpret_cast<uptr>(task);
}

} // namespace

namespace sim {

void set_user_program(std::function<void(uptr entry, uptr stack)> program) { g_program = std::move(program); }
void set_fork_child_program(std::function<void(u32 result)> program) { g_fork_child = std::move(program); }
uptr fork_child_stack() { return g_current_task ? g_current_task->user_stack : 0; }
uptr user_stack_pointer() { return g_current_task->esp; }
void set_user_stack_pointer(uptr esp) { g_current_task->esp = esp; }

i32 user_syscall(u32 number, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f)
{
    if (!g_syscall_handler)
        throw std::logic_error("sim: a system call with no handler installed");
    SimTask* self = g_current_task;
    // A sigreturn made from a handler's entry stands for the handler returning into its restorer, which
    // makes the call the frame's kind needs (musl's __restore_rt, __restore): the stack loses what the
    // return pops, as on the machine, and the kernel finds the frame just below it.
    if ((number == arch::signal_frame::kSysRtSigreturn || number == arch::signal_frame::kSysSigreturn)
        && !self->handlers.empty() && self->handlers.back().frame == self->esp) {
        bool rt = self->handlers.back().rt;
        number = rt ? arch::signal_frame::kSysRtSigreturn : arch::signal_frame::kSysSigreturn;
        self->esp += rt ? arch::signal_frame::kRtReturnPops : arch::signal_frame::kPlainReturnPops;
        self->handlers.pop_back();
    }
    for (;;) {
        arch::UserFrame frame { number, 0, false };
        frame.esp = self->esp;
        arch::UserFrame* outer = self->frame;
        self->frame = &frame;
        enter_kernel([&] {
            frame.result = g_syscall_handler({ number, { a, b, c, d, e, f } });
            if (g_user_return_hook)
                g_user_return_hook(frame); // the way back to user mode: task switches and signals happen here
        });
        self->frame = outer;
        self->esp = frame.esp;
        if (frame.exec)
            throw ProgramReplaced { frame.entry, frame.stack };
        if (!frame.restart)
            return frame.result;
        number = frame.number; // restarted: the same call again, as the machine would re-run int 0x80
    }
}

const std::vector<SignalDelivery>& signal_deliveries() { return g_deliveries; }

void user_trap(const arch::UserTrap& trap)
{
    if (!g_trap_handler)
        throw std::logic_error("sim: a user trap with no handler installed");
    enter_kernel([&] { g_trap_handler(trap); });
}

void timer_tick(bool in_user_mode)
{
    if (g_tick_hook)
        g_tick_hook(in_user_mode);
}

arch::TlsDescriptor loaded_tls(u32 index) { return g_tls[index - arch::kFirstTlsEntry]; }
u8* trap_stack() { return g_trap_stack; }

void reset_user_mode()
{
    if (g_current_task != &g_boot_task)
        throw std::logic_error("sim: reset from inside a task");
    g_syscall_handler = nullptr;
    g_trap_handler = nullptr;
    g_tick_hook = nullptr;
    g_user_return_hook = nullptr;
    g_program = nullptr;
    g_fork_child = nullptr;
    g_trap_stack = nullptr;
    g_deliveries.clear();
    for (auto& entry : g_tls)
        entry = {};
    // Tasks that were never resumed are simply dropped: nothing runs on their stacks any more.
    for (SimTask* task : g_tasks)
        delete task;
    g_tasks.clear();
}

} // namespace sim

namespace arch {

void set_syscall_handler(SyscallHandler handler) { g_syscall_handler = handler; }
// The sim runs no user instructions: programs make their calls through sim::syscall, not a page of code.
uptr user_syscall_entry() { return 0; }
uptr user_vdso_address() { return 0; }
usize user_readable_above_end(uptr) { return 0; }
void set_user_trap_handler(UserTrapHandler handler) { g_trap_handler = handler; }

uptr prepare_user_start(u8*, usize, uptr entry, uptr user_stack)
{
    auto* task = new SimTask;
    task->entry = entry;
    task->user_stack = user_stack;
    task->esp = user_stack;
    return new_task(task);
}

uptr prepare_fork_return(u8*, usize, u32 result, uptr user_stack)
{
    auto* task = new SimTask;
    task->fork_child = true;
    task->result = result;
    task->user_stack = user_stack;
    const arch::UserFrame* parent = g_current_task->frame;
    task->esp = user_stack ? user_stack : parent ? parent->esp : g_current_task->esp;
    task->handlers = user_stack ? std::vector<SimTask::Handler> {} : g_current_task->handlers; // fork copies the stack
    return new_task(task);
}

void switch_stacks(uptr* save, uptr next)
{
    SimTask* from = g_current_task;
    auto* to = reinterpret_cast<SimTask*>(next);
    *save = reinterpret_cast<uptr>(from);
    if (to == from)
        return;
    g_current_task = to;
    jump(*from->current, resume_point(to));
    // Torn down while stopped in kernel code that its user code called directly: that code unwinds too.
    if (from->leaving == SimTask::Leaving::Discarded)
        throw TaskDiscarded {};
}

// As the machine's: the kernel stack is left as it stands, its frames never unwound. Only the user code's
// host frames unwind (on the user stack), then `next` runs.
void exit_to(uptr next)
{
    SimTask* self = g_current_task;
    if (self == &g_boot_task)
        throw std::logic_error("sim: exit_to from the boot context");
    auto* after = reinterpret_cast<SimTask*>(next);
    if (self->current != &self->kernel) { // kernel code a test called from its user code directly: it unwinds
        self->after = after;
        throw TaskEnded {};
    }
    if (!self->user_started)
        finish(self, after); // ended in its first return to user mode: no user code to unwind
    self->leaving = SimTask::Leaving::Ended;
    self->after = after;
    jump_for_good(self->user);
}

void discard_task(uptr saved)
{
    auto* task = reinterpret_cast<SimTask*>(saved);
    if (task == &g_boot_task || task == g_current_task)
        throw std::logic_error("sim: discard_task of the running or the boot context");
    if (!task->started || task->finished)
        return;
    if (!task->user_started) { // stopped in its first return to user mode: only a kernel stack to drop
        std::erase(g_tasks, task);
        delete task;
        return;
    }
    // Its kernel stack is dropped as it stands; its user code unwinds, then comes back here.
    task->leaving = SimTask::Leaving::Discarded;
    task->after = g_current_task;
    SimTask* self = g_current_task;
    g_current_task = task;
    jump(*self->current, task->user);
}

void set_trap_stack(u8* base, usize) { g_trap_stack = base; }

// Signal frames: Linux's i386 frame written to and read back from user memory, as the machine does, with the
// sim's few registers in its sigcontext. The sim cannot run a handler at a user address, so it also records
// what would have been called (sim::signal_deliveries) until sigreturn reads the frame back.
namespace {

signal_frame::SigContext save_context(const UserFrame& f, u64 mask)
{
    signal_frame::SigContext context {};
    context.ds = context.es = context.ss = signal_frame::kUserData;
    context.cs = signal_frame::kUserCode;
    context.eax = static_cast<u32>(f.result);
    context.esp = context.esp_at_signal = static_cast<u32>(f.esp);
    context.eflags = 0x202;
    context.oldmask = static_cast<u32>(mask);
    return context;
}

void restore_context(UserFrame& f, const signal_frame::SigContext& context)
{
    f.result = static_cast<i32>(context.eax);
    f.esp = context.esp;
}

// The sim's own raw copies (paging.cpp): mm's checked ones sit a layer above the arch. The frame lies below
// kUserEnd whenever the stack pointer does; one that does not is no frame.
Result<void> copy_out(uptr to, const void* from, usize length)
{
    if (to >= kUserEnd || length > kUserEnd - to || copy_to_user_raw(to, from, length))
        return Errno::FAULT;
    return {};
}

Result<void> copy_in(void* to, uptr from, usize length)
{
    if (from >= kUserEnd || length > kUserEnd - from || copy_from_user_raw(to, from, length))
        return Errno::FAULT;
    return {};
}

void forget_delivery(uptr frame_at)
{
    for (auto it = g_deliveries.rbegin(); it != g_deliveries.rend(); ++it) {
        if (it->frame == frame_at) {
            g_deliveries.erase(std::next(it).base());
            return;
        }
    }
}

} // namespace

Result<void> push_signal_frame(UserFrame& f, const SignalFrameRequest& request)
{
    usize size = signal_frame::frame_size(request);
    uptr frame_at = signal_frame::frame_address(request.stack_top ? request.stack_top : f.esp, size);
    if (!frame_at)
        return Errno::FAULT;
    alignas(16) u8 fpu[kFpuStateBytes];
    fpu_initial_state(fpu);
    TRY(copy_out(signal_frame::fpu_address(frame_at, size), fpu, sizeof(fpu)));
    if (request.siginfo) {
        signal_frame::RtSigFrame frame;
        signal_frame::build_rt_frame(frame, frame_at, request, save_context(f, request.saved_mask));
        TRY(copy_out(frame_at, &frame, sizeof(frame)));
    } else {
        signal_frame::SigFrame frame;
        signal_frame::build_plain_frame(frame, frame_at, request, save_context(f, request.saved_mask));
        TRY(copy_out(frame_at, &frame, sizeof(frame)));
    }
    f.esp = frame_at;

    sim::SignalDelivery delivery { request.signal, request.handler, request.restorer, request.saved_mask, {},
        request.alt_stack_base, request.alt_stack_size, request.alt_stack_flags, frame_at, request.siginfo != nullptr };
    if (request.siginfo)
        std::memcpy(delivery.siginfo, request.siginfo, sizeof(delivery.siginfo));
    g_deliveries.push_back(delivery);
    g_current_task->handlers.push_back({ frame_at, request.siginfo != nullptr });
    return {};
}

Result<PoppedSignalFrame> pop_signal_frame(UserFrame& f, bool rt)
{
    if (rt) {
        uptr frame_at = f.esp - signal_frame::kRtReturnPops;
        signal_frame::RtSigFrame frame;
        TRY(copy_in(&frame, frame_at, sizeof(frame)));
        restore_context(f, frame.context.mcontext);
        forget_delivery(frame_at);
        return signal_frame::popped(frame);
    }
    uptr frame_at = f.esp - signal_frame::kPlainReturnPops;
    signal_frame::SigFrame frame;
    TRY(copy_in(&frame, frame_at, sizeof(frame)));
    restore_context(f, frame.context);
    forget_delivery(frame_at);
    return signal_frame::popped(frame);
}

UserFrame* current_user_frame() { return g_current_task->frame; }
uptr frame_stack_pointer(const UserFrame& frame) { return frame.esp; }
i32 frame_result(const UserFrame& frame) { return frame.result; }
void set_frame_result(UserFrame& frame, i32 result) { frame.result = result; }
void start_program(UserFrame& frame, uptr entry, uptr stack)
{
    frame.exec = true;
    frame.entry = entry;
    frame.stack = stack;
}

void restart_syscall(UserFrame& frame, u32 number)
{
    frame.restart = true;
    frame.number = number;
}

void set_scheduler_hooks(void (*tick)(bool), void (*before_user_return)(UserFrame&))
{
    g_tick_hook = tick;
    g_user_return_hook = before_user_return;
}

void load_tls_descriptor(u32 index, const TlsDescriptor& descriptor)
{
    if (index < kFirstTlsEntry || index >= kFirstTlsEntry + kTlsEntries)
        throw std::logic_error("sim: load_tls_descriptor of a non-TLS entry");
    g_tls[index - kFirstTlsEntry] = descriptor;
}

} // namespace arch
