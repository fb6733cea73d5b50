// The system-wide files of procfs, in Linux's formats (man 5 proc; fs/proc/*.c for the exact layouts that
// procps and busybox parse).
#include "fs/procfs/nodes.hpp"
#include "fs/procfs/procfs.hpp"

#include "fs/devices.hpp"
#include "fs/superblock.hpp"
#include "kernel/clock.hpp"
#include "kernel/version.hpp"
#include "lib/string.hpp"
#include "mm/counters.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"

namespace fs::procfs {

namespace {

constexpr u64 kUserHz = 100;
const char* g_command_line = "";

unsigned long long to_user_hz(u64 ticks) { return ticks * kUserHz / proc::kTickHz; }

void meminfo(Text& out)
{
    mm::MemoryCounters m = mm::memory_counters();
    auto line = [&](const char* name, u64 kib) {
        out.add("%-16s%8llu kB\n", name, static_cast<unsigned long long>(kib));
    };
    line("MemTotal:", m.total);
    line("MemFree:", m.free);
    line("MemAvailable:", m.available);
    line("Buffers:", m.buffers);
    line("Cached:", m.cached);
    line("SwapCached:", 0);
    line("Shmem:", m.shmem);
    line("Slab:", m.slab);
    line("SReclaimable:", 0);
    line("SUnreclaim:", m.slab);
    line("SwapTotal:", m.swap_total);
    line("SwapFree:", m.swap_free);
}

void uptime(Text& out)
{
    unsigned long long centiseconds = monotonic_ns() / 10000000;
    unsigned long long idle = to_user_hz(proc::scheduler_stats().idle);
    out.add("%llu.%02llu %llu.%02llu\n", centiseconds / 100, centiseconds % 100, idle / 100, idle % 100);
}

void loadavg(Text& out)
{
    u64 loads[3];
    proc::load_averages(loads); // 16-bit fixed point
    for (u64 load : loads) {
        unsigned long long value = load;
        out.add("%llu.%02llu ", value >> 16, ((value & 0xFFFF) * 100) >> 16);
    }
    out.add("%zu/%zu %d\n", proc::runnable_count(), proc::thread_count(), proc::last_pid());
}

void stat(Text& out)
{
    proc::SchedulerStats s = proc::scheduler_stats();
    unsigned long long user = to_user_hz(s.user), system = to_user_hz(s.system), idle = to_user_hz(s.idle);
    out.add("cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", user, system, idle);
    out.add("cpu0 %llu 0 %llu %llu 0 0 0 0 0 0\n", user, system, idle);
    out.add("intr 0\nctxt %llu\n", static_cast<unsigned long long>(s.context_switches));
    long long boot = realtime_ns() / 1000000000 - static_cast<long long>(monotonic_ns() / 1000000000);
    out.add("btime %lld\nprocesses %llu\nprocs_running %zu\nprocs_blocked 0\n", boot,
        static_cast<unsigned long long>(proc::tasks_created()), proc::runnable_count());
}

void cpuinfo(Text& out)
{
    // CPUID leaf 1's EDX bits by their Linux names (arch/x86/include/asm/cpufeatures.h).
    static constexpr const char* kFlags[32] = { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
        nullptr, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", nullptr, "dts", "acpi", "mmx",
        "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" };
    out.add("processor\t: 0\nvendor_id\t: unknown\ncpu family\t: 6\nmodel name\t: i686\nfpu\t\t: yes\nflags\t\t:");
    u32 features = arch::cpu_features();
    for (u32 bit = 0; bit < 32; ++bit)
        if ((features & (1u << bit)) && kFlags[bit])
            out.add(" %s", kFlags[bit]);
    out.add("\nbogomips\t: 0.00\n\n");
}

void filesystems(Text& out)
{
    usize length = format_filesystems(nullptr, 0);
    char small[256];
    if (length < sizeof(small)) {
        format_filesystems(small, sizeof(small));
        out.add_bytes(small, length);
    }
}

TextWriter g_provided[static_cast<usize>(ProvidedFile::Count)];

void write_provided(ProvidedFile file, Text& out)
{
    if (TextWriter writer = g_provided[static_cast<usize>(file)])
        writer(out);
}

} // namespace

void set_kernel_command_line(const char* text) { g_command_line = text ? text : ""; }

void provide_file(ProvidedFile file, TextWriter writer) { g_provided[static_cast<usize>(file)] = writer; }

void system_text(Node node, Text& out)
{
    switch (node) {
    case Node::Meminfo: meminfo(out); break;
    case Node::Uptime: uptime(out); break;
    case Node::Loadavg: loadavg(out); break;
    case Node::Stat: stat(out); break;
    case Node::Cpuinfo: cpuinfo(out); break;
    case Node::Version: out.add("Linux version 6.1.0-cadenza (cadenza) (g++) #1 Cadenza %s\n", kKernelVersion); break;
    case Node::Filesystems: filesystems(out); break;
    case Node::Cmdline: out.add("%s\n", g_command_line); break;
    case Node::Devices: {
        char text[2048];
        usize length = format_proc_devices(text, sizeof(text));
        out.add_bytes(text, length < sizeof(text) ? length : sizeof(text));
        break;
    }
    case Node::Partitions: write_provided(ProvidedFile::Partitions, out); break;
    case Node::BusPciDevices: write_provided(ProvidedFile::PciDevices, out); break;
    case Node::Hostname: out.add("cadenza\n"); break;
    case Node::Ostype: out.add("Linux\n"); break;
    case Node::Osrelease: out.add("6.1.0-cadenza\n"); break;
    default: break;
    }
}

} // namespace fs::procfs
