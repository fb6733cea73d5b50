// The handlers of pipes, poll and select, and getrandom, with their ABI structures.
#pragma once

#include "lib/result.hpp"
#include "mm/uaccess.hpp"

namespace sys {

// struct pollfd (asm-generic/poll.h).
struct PollFd {
    i32 fd;
    i16 events;
    i16 revents;
};
static_assert(sizeof(PollFd) == 8);

// The old select's argument block (struct sel_arg_struct, arch/x86 ia32 and i386's sys_old_select).
struct SelectArgs {
    u32 count;
    u32 read_fds, write_fds, except_fds;
    u32 timeout; // struct timeval *
};
static_assert(sizeof(SelectArgs) == 20);

// pselect6's sixth argument points at this pair (struct sigset_argpack): the mask and its size.
struct SigsetArgPack {
    u32 set;
    u32 size;
};
static_assert(sizeof(SigsetArgPack) == 8);

// fd_set: FD_SETSIZE bits in 32-bit words, as select(2) reads them for descriptors below nfds.
inline constexpr u32 kFdSetSize = 1024;
inline constexpr u32 kFdSetBytes = kFdSetSize / 8;

// syscall/pipe_calls.cpp
Result<i32> sys_pipe(mm::UserOut<i32> fds);
Result<i32> sys_pipe2(mm::UserOut<i32> fds, u32 flags);
// syscall/pipe_random.cpp
Result<i32> sys_getrandom(mm::UserOut<u8> buffer, u32 count, u32 flags);

// syscall/poll.cpp
Result<i32> sys_poll(mm::UserInOut<PollFd> fds, u32 count, i32 timeout_ms);
Result<i32> sys_ppoll(
    mm::UserInOut<PollFd> fds, u32 count, mm::UserInOut<Timespec32> timeout, mm::UserIn<u64> sigmask, u32 sigset_size);
Result<i32> sys_ppoll_time64(
    mm::UserInOut<PollFd> fds, u32 count, mm::UserInOut<Timespec64> timeout, mm::UserIn<u64> sigmask, u32 sigset_size);
Result<i32> sys_select(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timeval32> timeout);
Result<i32> sys_old_select(mm::UserIn<SelectArgs> arguments);
Result<i32> sys_pselect6(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timespec32> timeout, mm::UserIn<SigsetArgPack> sigmask);
Result<i32> sys_pselect6_time64(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timespec64> timeout, mm::UserIn<SigsetArgPack> sigmask);

} // namespace sys
