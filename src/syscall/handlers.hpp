// Every system-call handler syscalls.def names, grouped by the file that defines it.
#pragma once

#include "lib/result.hpp"
#include "mm/uaccess.hpp"

namespace proc {
struct SignalAction;
}

namespace sys {

// Linux's i386 structures these handlers exchange (asm/ldt.h, linux/utsname.h, asm-generic/termios.h,
// linux/uio.h, asm/mman.h's mmap_arg_struct). Layouts are checked against Linux's headers in a -m32 test.
struct UserDesc {
    u32 entry_number;
    u32 base_addr;
    u32 limit;
    u32 flags; // seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1
};
static_assert(sizeof(UserDesc) == 16);

struct NewUtsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};
static_assert(sizeof(NewUtsname) == 390);

struct WindowSize {
    u16 rows, columns, x_pixels, y_pixels;
};
static_assert(sizeof(WindowSize) == 8);

struct IoVec {
    u32 base;
    u32 length;
};
static_assert(sizeof(IoVec) == 8);

struct MmapArgs {
    u32 address, length, prot, flags, fd, offset;
};
static_assert(sizeof(MmapArgs) == 24);

// struct old_timespec32, __kernel_timespec, old_timeval32 and timezone (linux/time_types.h, linux/time.h).
struct Timespec32 {
    i32 seconds, nanoseconds;
};
static_assert(sizeof(Timespec32) == 8);
struct Timespec64 {
    i64 seconds, nanoseconds;
};
static_assert(sizeof(Timespec64) == 16);
struct Timeval32 {
    i32 seconds, microseconds;
};
static_assert(sizeof(Timeval32) == 8);
struct Timezone {
    i32 minutes_west, dst_time;
};
static_assert(sizeof(Timezone) == 8);
// stack_t (asm/signal.h), for sigaltstack.
// The pre-rt struct sigaction of i386 (asm/signal.h): a 32-bit mask, and flags before the restorer.
struct OldSigaction {
    u32 handler;
    u32 mask;
    u32 flags;
    u32 restorer;
};
static_assert(sizeof(OldSigaction) == 16);

struct StackT {
    u32 base;
    i32 flags;
    u32 size;
};
static_assert(sizeof(StackT) == 12);

struct Itimerval {
    Timeval32 interval, value;
};
static_assert(sizeof(Itimerval) == 16);

// struct rusage (linux/resource.h) with i386's 32-bit longs.
struct Rusage {
    i32 user_seconds, user_microseconds, system_seconds, system_microseconds;
    i32 maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};
static_assert(sizeof(Rusage) == 72);

struct RlimitPair {
    u32 current, maximum;
};
static_assert(sizeof(RlimitPair) == 8);
struct Rlimit64 {
    u64 current, maximum;
};
static_assert(sizeof(Rlimit64) == 16);
struct Tms {
    u32 user, system, children_user, children_system;
};
static_assert(sizeof(Tms) == 16);
// struct sysinfo (linux/sysinfo.h) on i386.
struct SysInfo {
    i32 uptime;
    u32 loads[3];
    u32 total_ram, free_ram, shared_ram, buffer_ram, total_swap, free_swap;
    u16 processes, pad;
    u32 total_high, free_high, memory_unit;
    char reserved[8];
};
static_assert(sizeof(SysInfo) == 64);

// syscall/memory.cpp
Result<u32> sys_brk(u32 address);
Result<u32> sys_mmap2(u32 address, u32 length, u32 prot, u32 flags, i32 fd, u32 page_offset);
Result<u32> sys_old_mmap(mm::UserIn<MmapArgs> arguments);
Result<void> sys_munmap(u32 address, u32 length);
Result<void> sys_msync(u32 address, u32 length, u32 flags);
Result<void> sys_mprotect(u32 address, u32 length, u32 prot);
Result<u32> sys_mremap(u32 old_address, u32 old_length, u32 new_length, u32 flags, u32 new_address);
Result<void> sys_madvise(u32 address, u32 length, i32 advice);
Result<void> sys_mincore(u32 address, u32 length, mm::UserOut<u8> residency);

// syscall/process.cpp
Result<void> sys_exit(i32 status);
Result<void> sys_exit_group(i32 status);
Result<i32> sys_getpid();
Result<i32> sys_gettid();
Result<i32> sys_getppid();
Result<i32> sys_set_tid_address(mm::UserInOut<i32> address);
Result<i32> sys_set_thread_area(mm::UserInOut<UserDesc> descriptor);
Result<i32> sys_get_thread_area(mm::UserInOut<UserDesc> descriptor);
Result<u32> sys_getuid();
Result<u32> sys_geteuid();
Result<u32> sys_getgid();
Result<u32> sys_getegid();
Result<u32> sys_getuid16();
Result<u32> sys_geteuid16();
Result<u32> sys_getgid16();
Result<u32> sys_getegid16();
Result<void> sys_uname(mm::UserOut<NewUtsname> name);

// syscall/time.cpp
// A timespec (old 32-bit or, with `wide`, time64) in nanoseconds; EINVAL for a negative or out-of-range value.
Result<i64> copy_timespec_from_user(mm::UserIn<Timespec32> address);
Result<i64> copy_timespec_from_user(mm::UserIn<Timespec64> address);
Result<void> sys_clock_gettime(i32 clock, mm::UserOut<Timespec32> timespec);
Result<void> sys_clock_gettime64(i32 clock, mm::UserOut<Timespec64> timespec);
Result<void> sys_clock_getres(i32 clock, mm::UserOut<Timespec32> timespec);
Result<void> sys_clock_getres64(i32 clock, mm::UserOut<Timespec64> timespec);
Result<void> sys_gettimeofday(mm::UserOut<Timeval32> timeval, mm::UserOut<Timezone> timezone);
Result<void> sys_settimeofday(mm::UserIn<Timeval32> timeval, mm::UserIn<Timezone> timezone);
Result<void> sys_clock_settime(i32 clock, mm::UserIn<Timespec32> timespec);
Result<void> sys_clock_settime64(i32 clock, mm::UserIn<Timespec64> timespec);
Result<i32> sys_time(mm::UserOut<i32> seconds);
Result<void> sys_nanosleep(mm::UserIn<Timespec32> request, mm::UserOut<Timespec32> remaining);
Result<void> sys_clock_nanosleep(
    i32 clock, u32 flags, mm::UserIn<Timespec32> request, mm::UserOut<Timespec32> remaining);
Result<void> sys_clock_nanosleep64(
    i32 clock, u32 flags, mm::UserIn<Timespec64> request, mm::UserOut<Timespec64> remaining);
Result<u32> sys_alarm(u32 seconds);
Result<void> sys_setitimer(i32 which, mm::UserIn<Itimerval> new_value, mm::UserOut<Itimerval> old_value);
Result<void> sys_getitimer(i32 which, mm::UserOut<Itimerval> value);

// syscall/family.cpp
Result<i32> sys_fork();
Result<i32> sys_vfork();
Result<i32> sys_execve(mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp);
Result<i32> sys_execveat(i32 dirfd, mm::UserIn<char> path, mm::UserIn<u32> argv, mm::UserIn<u32> envp, u32 flags);
Result<i32> sys_clone(
    u32 flags, u32 stack, mm::UserOut<i32> parent_tid, mm::UserIn<UserDesc> tls, mm::UserOut<i32> child_tid);
Result<i32> sys_futex(mm::UserInOut<u32> address, i32 op, u32 value, mm::UserIn<Timespec32> timeout,
    mm::UserInOut<u32> address2, u32 value3);
Result<i32> sys_futex_time64(mm::UserInOut<u32> address, i32 op, u32 value, mm::UserIn<Timespec64> timeout,
    mm::UserInOut<u32> address2, u32 value3);
Result<i32> sys_wait4(i32 pid, mm::UserOut<u32> status, u32 options, mm::UserOut<Rusage> usage);
Result<i32> sys_waitpid(i32 pid, mm::UserOut<u32> status, u32 options);
Result<i32> sys_waitid(i32 type, i32 id, mm::UserOut<u8> info, u32 options, mm::UserOut<Rusage> usage);
Result<i32> sys_sched_yield();
Result<u32> sys_sched_getaffinity(i32 pid, u32 length, mm::UserOut<u8> mask);
Result<void> sys_sched_setaffinity(i32 pid, u32 length, mm::UserIn<u8> mask);
Result<void> sys_getrusage(i32 who, mm::UserOut<Rusage> usage);

// syscall/identity.cpp
Result<void> sys_setuid(u32 uid);
Result<void> sys_setgid(u32 gid);
Result<void> sys_setuid16(u32 uid);
Result<void> sys_setgid16(u32 gid);
Result<void> sys_setreuid(u32 real, u32 effective);
Result<void> sys_setregid(u32 real, u32 effective);
Result<void> sys_setreuid16(u32 real, u32 effective);
Result<void> sys_setregid16(u32 real, u32 effective);
Result<void> sys_setresuid(u32 real, u32 effective, u32 saved);
Result<void> sys_setresgid(u32 real, u32 effective, u32 saved);
Result<void> sys_setresuid16(u32 real, u32 effective, u32 saved);
Result<void> sys_setresgid16(u32 real, u32 effective, u32 saved);
Result<void> sys_getresuid(mm::UserOut<u32> real, mm::UserOut<u32> effective, mm::UserOut<u32> saved);
Result<void> sys_getresgid(mm::UserOut<u32> real, mm::UserOut<u32> effective, mm::UserOut<u32> saved);
Result<void> sys_getresuid16(mm::UserOut<u16> real, mm::UserOut<u16> effective, mm::UserOut<u16> saved);
Result<void> sys_getresgid16(mm::UserOut<u16> real, mm::UserOut<u16> effective, mm::UserOut<u16> saved);
Result<u32> sys_setfsuid(u32 uid);
Result<u32> sys_setfsgid(u32 gid);
Result<u32> sys_setfsuid16(u32 uid);
Result<u32> sys_setfsgid16(u32 gid);
Result<i32> sys_getgroups(i32 size, mm::UserOut<u32> list);
Result<i32> sys_getgroups16(i32 size, mm::UserOut<u16> list);
Result<void> sys_setgroups(i32 size, mm::UserIn<u32> list);
Result<void> sys_setgroups16(i32 size, mm::UserIn<u16> list);

// syscall/session.cpp
Result<void> sys_setpgid(i32 pid, i32 pgid);
Result<i32> sys_getpgid(i32 pid);
Result<i32> sys_getpgrp();
Result<i32> sys_getsid(i32 pid);
Result<i32> sys_setsid();

// syscall/resources.cpp
Result<u32> sys_umask(u32 mask);
Result<void> sys_getrlimit(u32 resource, mm::UserOut<RlimitPair> limit);
Result<void> sys_ugetrlimit(u32 resource, mm::UserOut<RlimitPair> limit);
Result<void> sys_setrlimit(u32 resource, mm::UserIn<RlimitPair> limit);
Result<void> sys_prlimit64(i32 pid, u32 resource, mm::UserIn<Rlimit64> new_limit, mm::UserOut<Rlimit64> old_limit);
Result<u32> sys_times(mm::UserOut<Tms> buffer);
Result<void> sys_sysinfo(mm::UserOut<SysInfo> info);
Result<i32> sys_prctl(i32 option, u32 a, u32 b, u32 c, u32 d);
Result<void> sys_getcpu(mm::UserOut<u32> cpu, mm::UserOut<u32> node, mm::UserInOut<u8> cache);

// syscall/signal.cpp
Result<i32> sys_rt_sigaction(
    i32 signal, mm::UserIn<proc::SignalAction> action, mm::UserOut<proc::SignalAction> old_action, u32 set_size);
Result<i32> sys_rt_sigprocmask(i32 how, mm::UserIn<u64> set, mm::UserOut<u64> old_set, u32 set_size);
Result<i32> sys_rt_sigpending(mm::UserOut<u8> set, u32 set_size);
Result<i32> sys_kill(i32 pid, i32 signal);
Result<i32> sys_tkill(i32 thread, i32 signal);
Result<i32> sys_tgkill(i32 group, i32 thread, i32 signal);
Result<u32> sys_rt_sigreturn();
Result<u32> sys_sigreturn();
Result<i32> sys_pause();
Result<i32> sys_sigaltstack(mm::UserIn<StackT> new_stack, mm::UserOut<StackT> old_stack);
Result<i32> sys_rt_sigtimedwait(
    mm::UserIn<u64> set, mm::UserOut<u8> info, mm::UserIn<Timespec32> timeout, u32 set_size);
Result<i32> sys_rt_sigtimedwait64(
    mm::UserIn<u64> set, mm::UserOut<u8> info, mm::UserIn<Timespec64> timeout, u32 set_size);
Result<i32> sys_rt_sigqueueinfo(i32 pid, i32 signal, mm::UserIn<u8> info);
Result<i32> sys_rt_sigsuspend(mm::UserIn<u64> set, u32 set_size);
Result<i32> sys_sigaction(i32 signal, mm::UserIn<OldSigaction> action, mm::UserOut<OldSigaction> old_action);
Result<u32> sys_signal(i32 signal, u32 handler);
Result<i32> sys_sigprocmask(i32 how, mm::UserIn<u32> set, mm::UserOut<u32> old_set);
Result<i32> sys_sigpending(mm::UserOut<u32> set);
Result<u32> sys_sgetmask();
Result<u32> sys_ssetmask(u32 mask);
Result<i32> sys_sigsuspend(u32 unused1, u32 unused2, u32 mask);

// syscall/console.cpp (until the VFS: descriptors 0, 1 and 2 are the kernel console)
Result<u32> sys_read(i32 fd, mm::UserOut<u8> buffer, u32 count);
Result<u32> sys_write(i32 fd, mm::UserIn<u8> buffer, u32 count);
Result<u32> sys_readv(i32 fd, mm::UserIn<IoVec> vectors, i32 count);
Result<u32> sys_writev(i32 fd, mm::UserIn<IoVec> vectors, i32 count);
Result<i32> sys_close(i32 fd);
Result<i32> sys_ioctl(i32 fd, u32 request, mm::UserInOut<u8> argument);

} // namespace sys

#include "syscall/file_handlers.hpp"
#include "syscall/pipe_handlers.hpp"
