// A simulated machine ready to run a first process: RAM and the page allocator, the page-fault and user-mode
// handlers, a recording console on the log, and a small static executable to exec. Tests of exec, of
// run_init and of the system-call table run their "user program" (a host function) inside it.
#pragma once

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../kernel/recording_console.hpp"
#include "../mm/sim_ram.hpp"
#include "elf_builder.hpp"
#include "drivers/console_device.hpp"
#include "fs/procfs/procfs.hpp"
#include "fs/root.hpp"
#include "kernel/log.hpp"
#include "mm/address_space.hpp"
#include "mm/uaccess.hpp"
#include "proc/exec.hpp"
#include "proc/process.hpp"
#include "sim/sim.hpp"
#include "syscall/dispatch.hpp"
#include "syscall/numbers.hpp"

namespace proc_test {

using elf_test::kExecBase;
using elf_test::kPage;

inline constexpr u32 kSysExit = sys::nr("exit"), kSysWrite = sys::nr("write"), kSysGetpid = sys::nr("getpid"),
                     kSysBrk = sys::nr("brk"), kSysIoctl = sys::nr("ioctl"), kSysGetppid = sys::nr("getppid"),
                     kSysOldMmap = sys::nr("mmap"), kSysMunmap = sys::nr("munmap"), kSysUname = sys::nr("uname"),
                     kSysMprotect = sys::nr("mprotect"), kSysWritev = sys::nr("writev"),
                     kSysMremap = sys::nr("mremap"), kSysMmap2 = sys::nr("mmap2"), kSysGetuid32 = sys::nr("getuid32"),
                     kSysMincore = sys::nr("mincore"), kSysMadvise = sys::nr("madvise"), kSysGettid = sys::nr("gettid"),
                     kSysSetThreadArea = sys::nr("set_thread_area"), kSysGetThreadArea = sys::nr("get_thread_area"),
                     kSysExitGroup = sys::nr("exit_group"), kSysSetTidAddress = sys::nr("set_tid_address");

// What a system call returns in eax for an error.
constexpr i32 err(Errno e) { return -static_cast<i32>(e); }

// The small static executable: text with the headers (R+X), data with a .bss (R+W).
inline constexpr u32 kEntry = kExecBase + 0x100;
inline constexpr u32 kDataAddress = 0x0804A080;
inline constexpr u32 kDataBytes = 0x200, kDataMemory = 0x2000;
inline std::vector<u8> small_executable()
{
    elf_test::ElfBuilder elf(proc::kEtExec, kEntry);
    elf.add_load_with_headers(kExecBase, 0x100, elf_test::pattern(0x600, 1), proc::kPfRead | proc::kPfExecute);
    elf.add_load(kDataAddress, elf_test::pattern(kDataBytes, 2), kDataMemory, proc::kPfRead | proc::kPfWrite);
    return elf.build();
}
inline constexpr u32 kBreakStart = (kDataAddress + kDataMemory + kPage - 1) & ~(kPage - 1);

struct ProcessMachine : SimRam {
    RecordingConsole console { "ttyS0" };
    std::vector<u8> executable = small_executable();

    explicit ProcessMachine(usize megabytes = 32) : SimRam(megabytes)
    {
        mm::install_page_fault_handler();
        proc::install_user_mode_handlers(sys::dispatch);
        REQUIRE_FALSE(fs::mount_system_root().is_error());
        REQUIRE_FALSE(fs::mount_on_root_directory("proc", fs::procfs::filesystem_type()).is_error());
        REQUIRE_FALSE(drivers::register_console_device().is_error()); // the registry starts empty
        mm::kmalloc_shrink();
        free_at_start = mm::page_allocator().free_pages(); // the root filesystem stays for the machine's life
        log_reset();
        log_add_console(console);
    }
    ~ProcessMachine()
    {
        fs::unmount_system_root();
        log_reset(); // the console is a member: the log must forget it first
    }

    // Runs `program` as pid 1 over the small executable; returns the wait status (or the exec error).
    Result<u32> run(std::function<void(uptr entry, uptr stack)> program, std::vector<const char*> argv = { "/sbin/init" },
        std::vector<const char*> envp = { "HOME=/" })
    {
        sim::set_user_program(std::move(program));
        // The executable lives in the root filesystem at argv[0], as init's does; its pages stay there.
        if (!argv.empty() && argv[0]) {
            if (auto installed = fs::install_file(argv[0], executable.data(), executable.size(), 0755);
                installed.is_error())
                return installed.error();
            mm::kmalloc_shrink();
            free_at_start = mm::page_allocator().free_pages();
        }
        argv.push_back(nullptr);
        envp.push_back(nullptr);
        return proc::run_init(argv.data(), envp.data());
    }

    // Every page back after everything was freed (slab caches emptied first).
    bool no_pages_leaked()
    {
        mm::kmalloc_shrink();
        return mm::page_allocator().free_pages() == free_at_start;
    }
};

// --- what the user program does: system calls and touching its own memory ---

inline i32 call(u32 number, u32 a = 0, u32 b = 0, u32 c = 0, u32 d = 0, u32 e = 0, u32 f = 0)
{
    return sim::user_syscall(number, a, b, c, d, e, f);
}

inline void poke(uptr address, const void* data, usize length)
{
    REQUIRE_FALSE(mm::raw::copy_to_user(address, data, length).is_error());
}
template<typename T>
void poke(uptr address, const T& value)
{
    poke(address, &value, sizeof(T));
}
inline void poke_string(uptr address, const std::string& text) { poke(address, text.c_str(), text.size() + 1); }

template<typename T>
T peek(uptr address)
{
    T value {};
    REQUIRE_FALSE(mm::raw::copy_from_user(&value, address, sizeof(T)).is_error());
    return value;
}
inline std::string peek_string(uptr address)
{
    char buffer[4096];
    auto length = mm::copy_string_from_user(buffer, mm::UserIn<char>(address), sizeof(buffer));
    REQUIRE_FALSE(length.is_error());
    return std::string(buffer, length.value());
}

// Scratch memory for the program, mapped through the table as a program would get it.
inline u32 scratch(usize length = 4 * kPage)
{
    i32 address = call(kSysMmap2, 0, static_cast<u32>(length), 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */,
        static_cast<u32>(-1), 0);
    REQUIRE(static_cast<u32>(address) % kPage == 0);
    return static_cast<u32>(address);
}

// A small arena of strings in the program's memory (from scratch()): each call puts one there and returns
// its address.
struct Strings {
    u32 next;
    u32 operator()(const std::string& text)
    {
        u32 at = next;
        poke_string(at, text);
        next += static_cast<u32>(text.size() + 1 + 7) & ~7u;
        return at;
    }
};

inline void exit_group(i32 status) { call(kSysExitGroup, static_cast<u32>(status)); }

// A pipe made through pipe2 (its two descriptors written at `box`), and closing both ends of one.
struct PipeEnds {
    i32 read, write;
};
inline PipeEnds open_pipe(u32 box)
{
    REQUIRE(call(sys::nr("pipe2"), box, 0) == 0);
    return { peek<i32>(box), peek<i32>(box + 4) };
}
inline void close_pipe(PipeEnds ends)
{
    CHECK(call(sys::nr("close"), static_cast<u32>(ends.read)) == 0);
    CHECK(call(sys::nr("close"), static_cast<u32>(ends.write)) == 0);
}

// What each forked or cloned child runs, chosen by the order they were made in (the sim gives a child only
// fork's result, which must be 0).
struct Children {
    std::vector<std::function<void()>> programs;
    usize started = 0;
    void install()
    {
        sim::set_fork_child_program([this](u32 result) {
            REQUIRE(result == 0);
            programs.at(started++)();
        });
    }
};

// Lets the other tasks run until `done` holds (each sched_yield runs every runnable one once).
template<typename Done>
void yield_until(Done done)
{
    for (int i = 0; i < 100 && !done(); ++i)
        call(sys::nr("sched_yield"));
    REQUIRE(done());
}

// Runs `body` as the program, then exits; the run must end normally and give every page back.
template<typename Body>
void run_program(ProcessMachine& m, Body body)
{
    auto status = m.run([&](uptr, uptr) {
        body();
        exit_group(0);
    });
    REQUIRE_FALSE(status.is_error());
    CHECK(status.value() == 0);
    CHECK(m.no_pages_leaked());
}

// run_program, then removes `paths` (a file, or else an empty directory, in the order given; what is already
// gone is skipped) so that the root tmpfs gives its pages back before run_program looks for leaks. Bodies that
// drop privileges take them back before they end.
template<typename Body>
void run_and_remove(ProcessMachine& m, std::vector<std::string> paths, Body body)
{
    run_program(m, [&] {
        body();
        u32 name = scratch(kPage);
        for (auto& path : paths) {
            poke_string(name, path);
            if (call(sys::nr("unlink"), name) != 0)
                call(sys::nr("rmdir"), name);
        }
    });
}

} // namespace proc_test
