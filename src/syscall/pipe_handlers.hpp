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
Result<i32> sys_pipe(u32 fds);
Result<i32> sys_pipe2(u32 fds, u32 flags);
// syscall/pipe_random.cpp
Result<i32> sys_getrandom(u32 buffer, u32 count, u32 flags);

// syscall/poll.cpp
Result<i32> sys_poll(u32 fds, u32 count, i32 timeout_ms);
Result<i32> sys_ppoll(u32 fds, u32 count, u32 timeout, u32 sigmask, u32 sigset_size);
Result<i32> sys_ppoll_time64(u32 fds, u32 count, u32 timeout, u32 sigmask, u32 sigset_size);
Result<i32> sys_select(i32 count, u32 read_fds, u32 write_fds, u32 except_fds, u32 timeout);
Result<i32> sys_old_select(u32 arguments);
Result<i32> sys_pselect6(i32 count, u32 read_fds, u32 write_fds, u32 except_fds, u32 timeout, u32 sigmask);
Result<i32> sys_pselect6_time64(i32 count, u32 read_fds, u32 write_fds, u32 except_fds, u32 timeout, u32 sigmask);

} // namespace sys
