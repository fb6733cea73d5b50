// libFuzzer target for the whole system-call layer: each input becomes a few processes on a fresh simulated
// machine (init forks one to three children), and the children make system calls through the real dispatcher
// and handlers, their numbers and arguments chosen from the input by the argument kinds of syscalls.def (the
// generator the guest fuzzer uses, syscall_gen.h). Children that sleep for ever are killed once the machine
// has idled long enough. Then the kernel's own invariants must hold: each child's address space is sound when
// it finishes its calls, and once every process has exited and the root filesystem is unmounted, no page,
// inode or open file is left and the page allocator's lists are whole. A kernel panic (an exception out of the
// simulated halt) aborts too.
// SYSCALLS_FUZZ_TRACE=1 in the environment prints every call and its result, to read a crash's input.
#include <fuzzer/FuzzedDataProvider.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <vector>

#include "arch/memory.hpp"
#include "../unit/proc/elf_builder.hpp"
#include "drivers/console_device.hpp"
#include "fs/inode.hpp"
#include "fs/open_file.hpp"
#include "fs/procfs/procfs.hpp"
#include "fs/root.hpp"
#include "fuzz_machine.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "mm/address_space.hpp"
#include "mm/fault_injection.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "mm/uaccess.hpp"
#include "proc/exec.hpp"
#include "proc/process.hpp"
#include "proc/signal.hpp"
#include "sim/sim.hpp"
#include "syscall/dispatch.hpp"
#include "syscall/numbers.hpp"

#include "syscall_gen.h"

namespace {

// A broken invariant: says which, then traps, so that libFuzzer keeps the input.
#define require(condition)                                                                                             \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            fprintf(stderr, "syscalls fuzzer: %s:%d: %s\n", __FILE__, __LINE__, #condition);                           \
            __builtin_trap();                                                                                          \
        }                                                                                                              \
    } while (0)

constexpr usize kRamBytes = 32u << 20;
constexpr u32 kPage = arch::kPageBytes;
constexpr u32 kBufferPages = 4;
constexpr u32 kMaxCallsPerChild = 48;
// Idle ticks (simulated milliseconds) before the children are killed, and before the kernel counts as hung.
constexpr u64 kIdleBeforeKill = 2000, kIdleBeforeHang = 20000;

alignas(4096) u8 g_ram[kRamBytes];
FuzzedDataProvider* g_input;
bool g_trace;
u64 g_idle_ticks;
std::vector<u32> g_callable; // the numbers a child may call
sg_layout g_layout;

i32 call(u32 number, u32 a = 0, u32 b = 0, u32 c = 0, u32 d = 0, u32 e = 0, u32 f = 0)
{
    return sim::user_syscall(number, a, b, c, d, e, f);
}

constexpr u32 kSysFork = sys::nr("fork"), kSysOpen = sys::nr("open"), kSysWrite = sys::nr("write"),
              kSysMknod = sys::nr("mknod"), kSysGetpid = sys::nr("getpid"), kSysMkdir = sys::nr("mkdir"),
              kSysPipe = sys::nr("pipe"), kSysSymlink = sys::nr("symlink"), kSysMunmap = sys::nr("munmap"),
              kSysWait4 = sys::nr("wait4"), kSysMprotect = sys::nr("mprotect"), kSysMmap2 = sys::nr("mmap2"),
              kSysExitGroup = sys::nr("exit_group");

u32 next_number(void*, u32 bound)
{
    if (!g_input->remaining_bytes())
        return 0;
    return bound ? g_input->ConsumeIntegralInRange<u32>(0, bound - 1) : g_input->ConsumeIntegral<u32>();
}

void poke_user(void*, u32 address, const void* bytes, u32 length) { (void)mm::raw::copy_to_user(address, bytes, length); }

// Kills every process but init once the machine has idled past the budget: all of them sleep, perhaps for ever.
void on_idle()
{
    ++g_idle_ticks;
    if (g_idle_ticks == kIdleBeforeKill) {
        proc::for_each_process([](proc::Process& process) {
            if (process.pid() != 1)
                proc::send_signal(process, proc::kSigKill, { proc::kSiUser, 0, 0, 0, 0 });
        });
    }
    require(g_idle_ticks < kIdleBeforeHang); // SIGKILL did not end them: a task sleeps through it
}

u32 map(u32 pages, u32 prot)
{
    i32 address
        = call(kSysMmap2, 0, pages * kPage, prot, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, static_cast<u32>(-1), 0);
    require(static_cast<u32>(address) < 0xFFFFF000u && static_cast<u32>(address) % kPage == 0);
    return static_cast<u32>(address);
}

// What a forked child runs: calls from the input until it runs out, then an address-space check and exit.
void child_program(u32)
{
    sg_env env { next_number, poke_user, nullptr, g_layout, 8 };
    env.layout.pid = call(kSysGetpid);
    env.layout.parent = 1;
    for (u32 i = 0; i < kMaxCallsPerChild && g_input->remaining_bytes(); ++i) {
        u32 number;
        u8 count = 0;
        const unsigned char* kinds = nullptr;
        unsigned char kind_list[6];
        if (sg_below(&env, 16) == 0) { // any number at all, implemented or not
            number = sg_below(&env, sys::kSyscallCount + 8);
            const char* name = sys::syscall_name(number);
            if (name && !sg_allowed(name))
                continue;
        } else {
            number = g_callable[sg_below(&env, static_cast<u32>(g_callable.size()))];
        }
        if (const sys::Signature* signature = sys::syscall_signature(number)) {
            count = signature->count;
            for (u8 k = 0; k < count; ++k)
                kind_list[k] = static_cast<unsigned char>(signature->kinds[k]);
            kinds = kind_list;
        }
        u32 args[6];
        sg_arguments(&env, kinds, count, args);
        if (g_trace) {
            const char* name = sys::syscall_name(number);
            fprintf(stderr, "[%d] %s(%#x, %#x, %#x, %#x, %#x, %#x)", env.layout.pid, name ? name : "?", args[0],
                args[1], args[2], args[3], args[4], args[5]);
        }
        i32 result = call(number, args[0], args[1], args[2], args[3], args[4], args[5]);
        if (g_trace)
            fprintf(stderr, " = %d\n", result);
        if (proc::Thread* self = proc::current(); self && self->space)
            require(self->space->invariant_violation() == nullptr);
    }
    call(kSysExitGroup, 0);
}

// init: the memory and files the children inherit, the children, then waits for every one of them.
void init_program(uptr, uptr)
{
    if (call(kSysGetpid) != 1) // a child that exec'd the init executable: the program starts over in it
        call(kSysExitGroup, 0);
    u32 buffer = map(kBufferPages + 1, 3);
    require(call(kSysMunmap, buffer + kBufferPages * kPage, kPage) == 0);
    u32 read_only = map(1, 3);
    require(call(kSysMprotect, read_only, kPage, 1) == 0);
    g_layout = { buffer, kBufferPages * kPage, buffer + kBufferPages * kPage, read_only, 1, 0, 0 };

    // The names sg_paths use, relative to / (init's working directory).
    auto at = [&](const char* text) {
        poke_user(nullptr, buffer, text, static_cast<u32>(strlen(text) + 1));
        return buffer;
    };
    i32 fd = call(kSysOpen, at("/a"), 0102 /* O_RDWR|O_CREAT */, 0644);
    require(fd >= 0);
    call(kSysWrite, static_cast<u32>(fd), at("hello, fuzzer\n"), 14);
    call(kSysMkdir, at("/d"), 0755);
    call(kSysMknod, at("/fifo"), 0010644, 0);
    poke_user(nullptr, buffer + 64, "a", 2);
    call(kSysSymlink, buffer + 64, at("/link"));
    i32 dir = call(kSysOpen, at("/d"), 0200000 /* O_DIRECTORY */, 0);
    require(dir >= 0);
    require(call(kSysPipe, buffer) == 0);

    u32 children = 1 + (g_input->remaining_bytes() ? g_input->ConsumeIntegralInRange<u32>(0, 2) : 0);
    for (u32 i = 0; i < children; ++i)
        require(call(kSysFork) > 0);
    // The children run once init waits. One input in four runs with allocations failing now and then: every ENOMEM path
    // must leave nothing behind.
    if (g_input->remaining_bytes() && g_input->ConsumeIntegralInRange<u32>(0, 3) == 0) {
        u64 after = g_input->ConsumeIntegralInRange<u32>(0, 4000);
        mm::inject_allocation_failures(after, g_input->ConsumeIntegralInRange<u32>(0, 64));
    }
    for (;;) {
        i32 ended = call(kSysWait4, static_cast<u32>(-1), 0, 0x40000000 /* __WALL */, 0);
        if (ended < 0)
            break;
    }
    mm::stop_allocation_failures();
    call(kSysExitGroup, 0);
}

void choose_callable()
{
    for (u32 number = 0; number < sys::kSyscallCount; ++number)
        if (sys::syscall_signature(number) && sg_allowed(sys::syscall_name(number)))
            g_callable.push_back(number);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    g_trace = getenv("SYSCALLS_FUZZ_TRACE") != nullptr;
    choose_callable();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider input(data, size);
    g_input = &input;
    g_idle_ticks = 0;

    mm::stop_allocation_failures();
    sim::reset();
    panic_reset();
    mm::kmalloc_reset();
    log_reset(); // no console: the kernel's log lines would only slow the fuzzer
    sim::attach_phys_memory(0, g_ram, sizeof(g_ram));
    mm::PhysRangeSet all, in_use;
    require(!all.add(0, sizeof(g_ram)).is_error());
    require(!mm::init_physical_memory(all, in_use).is_error());
    mm::install_page_fault_handler();
    proc::install_user_mode_handlers(sys::dispatch);
    sim::set_idle_hook(on_idle);
    mm::kmalloc_shrink();
    usize free_before = mm::page_allocator().free_pages();
    usize inodes_before = fs::Inode::live_count(), files_before = fs::OpenFile::live_count();
    require(!fs::mount_system_root().is_error());
    require(!fs::mount_on_root_directory("proc", fs::procfs::filesystem_type()).is_error());
    (void)drivers::register_console_device(); // EBUSY after the first input

    elf_test::ElfBuilder elf(proc::kEtExec, elf_test::kExecBase + 0x100);
    elf.add_load_with_headers(
        elf_test::kExecBase, 0x100, elf_test::pattern(0x600, 1), proc::kPfRead | proc::kPfExecute);
    std::vector<u8> executable = elf.build();
    require(!fs::install_file("/sbin/init", executable.data(), executable.size(), 0755).is_error());

    sim::set_user_program(init_program);
    sim::set_fork_child_program(child_program);
    const char* argv[] = { "/sbin/init", nullptr };
    const char* envp[] = { "HOME=/", nullptr };
    auto status = proc::run_init(argv, envp);
    require(!status.is_error());

    require(fs::OpenFile::live_count() == files_before);
    fs::unmount_system_root();
    require(fs::Inode::live_count() == inodes_before);
    mm::kmalloc_shrink();
    require(mm::page_allocator().check_invariants());
    require(mm::page_allocator().free_pages() == free_before);
    sim::set_idle_hook(nullptr);
    return 0;
}
