// umask, resource limits, times, sysinfo, prctl's name, getcpu (their man 2 pages).
#include "arch/arch.hpp"
#include "kernel/clock.hpp"
#include "lib/string.hpp"
#include "mm/physical_memory.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

// The process-wide state (limits, umask, times) is the thread group's.
proc::Process& self() { return proc::current()->process(); }
proc::Thread& thread() { return *proc::current(); }

constexpr u32 kUserHz = 100; // USER_HZ: the unit of times() and /proc, whatever the timer runs at
constexpr u64 kNrOpen = 1024 * 1024; // fs.nr_open: RLIMIT_NOFILE may not go past it
constexpr u32 kPrSetName = 15, kPrGetName = 16, kPrCapbsetRead = 23;
constexpr u32 kCapLastCap = 40; // CAP_CHECKPOINT_RESTORE, the last capability Linux 6.1 knows

u32 to_user_hz(u64 ticks) { return static_cast<u32>(ticks * kUserHz / proc::kTickHz); }

Result<void> check_resource(u32 resource) { return resource < proc::kResourceLimits ? Result<void> {} : Errno::INVAL; }

// Applies a new limit the way Linux's do_prlimit does: cur <= max, raising max needs privilege.
Result<void> set_limit(proc::Process& process, u32 resource, proc::ResourceLimit limit)
{
    if (limit.current > limit.maximum)
        return Errno::INVAL;
    proc::ResourceLimit& old = process.limits[resource];
    if (limit.maximum > old.maximum && !thread().credentials.is_root())
        return Errno::PERM;
    if (resource == 7 && limit.maximum > kNrOpen)
        return Errno::PERM;
    old = limit;
    if (resource == proc::kRlimitStack) {
        // The threads share one address space; the leader may have exited and let go of it already.
        usize stack = limit.current > 0xFFFFFFFF ? 0xFFFFFFFF : static_cast<usize>(limit.current);
        for (proc::Thread& member : process.threads) {
            if (member.space) {
                member.space->set_stack_limit(stack);
                break;
            }
        }
    }
    return {};
}

u32 to_u32_limit(u64 value) { return value >= 0xFFFFFFFF ? 0xFFFFFFFF : static_cast<u32>(value); }
u64 from_u32_limit(u32 value) { return value == 0xFFFFFFFF ? proc::kRlimInfinity : value; }

} // namespace

Result<u32> sys_umask(u32 mask)
{
    u32 old = thread().fs->exchange_umask(mask);
    return old;
}

Result<void> sys_getrlimit(u32 resource, mm::UserOut<RlimitPair> address)
{
    // The oldest i386 call: values above LONG_MAX read as LONG_MAX (sys_old_getrlimit).
    TRY(check_resource(resource));
    const auto& limit = self().limits[resource];
    RlimitPair value { limit.current > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<u32>(limit.current),
        limit.maximum > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<u32>(limit.maximum) };
    return mm::copy_to_user(address, value);
}

Result<void> sys_ugetrlimit(u32 resource, mm::UserOut<RlimitPair> address)
{
    TRY(check_resource(resource));
    const auto& limit = self().limits[resource];
    RlimitPair value { to_u32_limit(limit.current), to_u32_limit(limit.maximum) };
    return mm::copy_to_user(address, value);
}

Result<void> sys_setrlimit(u32 resource, mm::UserIn<RlimitPair> address)
{
    TRY(check_resource(resource));
    RlimitPair value;
    TRY(mm::copy_from_user(value, address));
    return set_limit(self(), resource, { from_u32_limit(value.current), from_u32_limit(value.maximum) });
}

Result<void> sys_prlimit64(i32 pid, u32 resource, mm::UserIn<Rlimit64> new_address, mm::UserOut<Rlimit64> old_address)
{
    TRY(check_resource(resource));
    proc::Process* process = pid == 0 ? &self() : proc::find_thread_group(pid);
    if (!process || process->is_dead())
        return Errno::SRCH;
    if (process != &self() && !thread().credentials.is_root())
        return Errno::PERM;
    Rlimit64 wanted {};
    if (!new_address.is_null())
        TRY(mm::copy_from_user(wanted, new_address));
    proc::ResourceLimit old = process->limits[resource];
    if (!new_address.is_null())
        TRY(set_limit(*process, resource, { wanted.current, wanted.maximum }));
    if (!old_address.is_null())
        TRY(mm::copy_to_user(old_address, Rlimit64 { old.current, old.maximum }));
    return {};
}

Result<u32> sys_times(mm::UserOut<Tms> address)
{
    if (!address.is_null()) {
        proc::CpuTime mine = proc::process_cpu_time(self()), children = self().children_cpu;
        Tms value { to_user_hz(mine.user), to_user_hz(mine.system), to_user_hz(children.user),
            to_user_hz(children.system) };
        TRY(mm::copy_to_user(address, value));
    }
    // Clock ticks since boot: Linux counts them from a point before boot, which no caller may rely on.
    return static_cast<u32>(arch::clock_ns() / (1000000000 / kUserHz));
}

Result<void> sys_sysinfo(mm::UserOut<SysInfo> address)
{
    SysInfo info {};
    info.uptime = static_cast<i32>(monotonic_ns() / 1000000000ull);
    u64 loads[3];
    proc::load_averages(loads);
    for (int i = 0; i < 3; ++i)
        info.loads[i] = static_cast<u32>(loads[i]);
    info.total_ram = static_cast<u32>(mm::page_allocator().managed_pages());
    info.free_ram = static_cast<u32>(mm::page_allocator().free_pages());
    info.processes = static_cast<u16>(proc::thread_count());
    info.memory_unit = mm::kPageSize;
    return mm::copy_to_user(address, info);
}

Result<i32> sys_prctl(i32 option, u32 argument, u32, u32, u32)
{
    char name[16] = {};
    switch (option) {
    case kPrSetName: {
        auto length = mm::copy_string_from_user(name, mm::UserIn<char>(argument), sizeof(name));
        // A longer name is cut to 15 characters, as Linux does with TASK_COMM_LEN.
        if (length.is_error() && length.error() != Errno::NAMETOOLONG)
            return length.error();
        name[15] = '\0';
        copy_string(thread().name, name, sizeof(thread().name));
        return 0;
    }
    case kPrGetName:
        copy_string(name, thread().name, sizeof(name));
        TRY(mm::copy_array_to_user(mm::UserOut<char>(argument), name, sizeof(name)));
        return 0;
    case kPrCapbsetRead:
        // Until capabilities exist every one is in the bounding set; libcap finds the number of capabilities
        // the kernel knows by where this turns EINVAL.
        if (argument > kCapLastCap)
            return Errno::INVAL;
        return 1;
    default:
        return Errno::INVAL;
    }
}

Result<void> sys_getcpu(mm::UserOut<u32> cpu, mm::UserOut<u32> node, mm::UserInOut<u8>)
{
    // One CPU, one NUMA node.
    if (!cpu.is_null())
        TRY(mm::copy_to_user(cpu, 0u));
    if (!node.is_null())
        TRY(mm::copy_to_user(node, 0u));
    return {};
}

} // namespace sys
