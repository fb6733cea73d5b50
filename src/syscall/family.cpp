// fork, wait4, waitpid, getrusage, sched_yield and the CPU affinity calls (man 2 fork, wait4, getrusage,
// sched_yield, sched_setaffinity).
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kWNoHang = 1, kWUntraced = 2, kWContinued = 8, kWNoThread = 0x20000000, kWAll = 0x40000000,
              kWClone = 0x80000000;

Rusage usage_of(const proc::CpuTime& time, usize peak_pages = 0)
{
    Rusage usage {};
    u64 user = time.user * 1000000 / proc::kTickHz, system = time.system * 1000000 / proc::kTickHz;
    usage.user_seconds = static_cast<i32>(user / 1000000);
    usage.user_microseconds = static_cast<i32>(user % 1000000);
    usage.system_seconds = static_cast<i32>(system / 1000000);
    usage.system_microseconds = static_cast<i32>(system % 1000000);
    usage.maxrss = static_cast<i32>(peak_pages * (arch::kPageBytes / 1024));
    return usage;
}

} // namespace

Result<i32> sys_fork() { return proc::fork_current(); }
Result<i32> sys_vfork() { return proc::vfork_current(); }

Result<i32> sys_wait4(i32 pid, mm::UserOut<u32> status_address, u32 options, mm::UserOut<Rusage> usage_address)
{
    if (options & ~(kWNoHang | kWUntraced | kWContinued | kWNoThread | kWAll | kWClone))
        return Errno::INVAL;
    if (pid == -0x7FFFFFFF - 1)
        return Errno::SRCH; // INT_MIN cannot be negated into a process group
    proc::WaitOptions wait { true, bool(options & kWUntraced), bool(options & kWContinued), bool(options & kWNoHang), false };
    auto result = TRY(proc::wait_child(pid, wait));
    if (result.pid == 0)
        return 0;
    if (!status_address.is_null())
        TRY(mm::copy_to_user(status_address, result.status));
    if (!usage_address.is_null())
        TRY(mm::copy_to_user(usage_address, usage_of(result.cpu)));
    return result.pid;
}

Result<i32> sys_waitpid(i32 pid, mm::UserOut<u32> status_address, u32 options)
{
    return sys_wait4(pid, status_address, options, {});
}

Result<i32> sys_waitid(i32 type, i32 id, mm::UserOut<u8> info_address, u32 options, mm::UserOut<Rusage> usage_address)
{
    constexpr i32 kPAll = 0, kPPid = 1, kPPgid = 2, kPPidfd = 3;
    constexpr u32 kWStopped = 2, kWExited = 4, kWNoWait = 0x01000000;
    constexpr i32 kSigChld = 17, kCldExited = 1, kCldKilled = 2, kCldDumped = 3, kCldStopped = 5, kCldContinued = 6;
    if (options & ~(kWNoHang | kWStopped | kWExited | kWContinued | kWNoWait | kWNoThread | kWAll | kWClone))
        return Errno::INVAL;
    if (!(options & (kWExited | kWStopped | kWContinued)))
        return Errno::INVAL;
    i32 pid;
    switch (type) {
    case kPAll: pid = -1; break;
    case kPPid:
        if (id <= 0)
            return Errno::INVAL;
        pid = id;
        break;
    case kPPgid:
        if (id < 0)
            return Errno::INVAL;
        pid = id == 0 ? 0 : -id; // 0: the caller's own group (Linux 5.4 and later)
        break;
    case kPPidfd: return Errno::BADF; // there are no pidfds to name a process with
    default: return Errno::INVAL;
    }
    proc::WaitOptions wait { bool(options & kWExited), bool(options & kWStopped), bool(options & kWContinued),
        bool(options & kWNoHang), bool(options & kWNoWait) };
    auto result = TRY(proc::wait_child(pid, wait));
    if (!info_address.is_null()) {
        // siginfo_t for SIGCHLD: signo, errno, code, then pid, uid, status from byte 12.
        i32 info[32] = {};
        if (result.pid) {
            u32 s = result.status;
            i32 code, status;
            if ((s & 0xFF) == 0x7F) {
                code = kCldStopped;
                status = static_cast<i32>(s >> 8 & 0xFF);
            } else if (s == 0xFFFF) {
                code = kCldContinued;
                status = 18; // SIGCONT
            } else if (s & 0x7F) {
                code = (s & 0x80) ? kCldDumped : kCldKilled;
                status = static_cast<i32>(s & 0x7F);
            } else {
                code = kCldExited;
                status = static_cast<i32>(s >> 8 & 0xFF);
            }
            proc::Process* child = proc::find_process(result.pid); // still there with WNOWAIT
            info[0] = kSigChld;
            info[2] = code;
            info[3] = result.pid;
            info[4] = child ? static_cast<i32>(child->leader->credentials.uid) : 0;
            info[5] = status;
        }
        TRY(mm::copy_array_to_user(info_address.as<i32>(), info, 32));
    }
    if (!usage_address.is_null())
        TRY(mm::copy_to_user(usage_address, usage_of(result.cpu)));
    return 0;
}

Result<i32> sys_sched_yield()
{
    proc::yield();
    return 0;
}

// One CPU: every thread may run on CPU 0 and nowhere else. A mask is whole unsigned longs (EINVAL otherwise),
// and its kernel size is one (cpumask_size()), which getaffinity returns after writing it.
namespace {
constexpr u32 kMaskBytes = 4;

Result<proc::Thread*> affinity_target(i32 pid)
{
    proc::Thread* target = pid == 0 ? proc::current() : pid > 0 ? proc::find_thread(pid) : nullptr;
    if (!target)
        return Errno::SRCH;
    return target;
}
} // namespace

Result<u32> sys_sched_getaffinity(i32 pid, u32 length, mm::UserOut<u8> mask)
{
    if (length == 0 || length % kMaskBytes)
        return Errno::INVAL;
    TRY(affinity_target(pid));
    u8 bits[kMaskBytes] = { 1, 0, 0, 0 };
    TRY(mm::copy_array_to_user(mask, bits, kMaskBytes));
    return kMaskBytes;
}

Result<void> sys_sched_setaffinity(i32 pid, u32 length, mm::UserIn<u8> mask)
{
    u8 bits[kMaskBytes] = {};
    TRY(mm::copy_array_from_user(bits, mask, length < kMaskBytes ? length : kMaskBytes));
    proc::Thread* target = TRY(affinity_target(pid));
    const auto& mine = proc::current()->credentials;
    const auto& theirs = target->credentials;
    if (!mine.is_root() && mine.euid != theirs.euid && mine.euid != theirs.uid)
        return Errno::PERM;
    if (!(bits[0] & 1))
        return Errno::INVAL; // no CPU left that exists
    return {};
}

Result<void> sys_getrusage(i32 who, mm::UserOut<Rusage> address)
{
    constexpr i32 kSelf = 0, kChildren = -1, kThread = 1;
    proc::Thread& self = *proc::current();
    Rusage usage;
    if (who == kSelf)
        usage = usage_of(proc::process_cpu_time(self.process()), self.space->peak_resident_pages());
    else if (who == kThread)
        usage = usage_of(self.cpu, self.space->peak_resident_pages());
    else if (who == kChildren)
        usage = usage_of(self.process().children_cpu);
    else
        return Errno::INVAL;
    return mm::copy_to_user(address, usage);
}

} // namespace sys
