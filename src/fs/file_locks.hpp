// POSIX advisory record locks on an inode (man 2 fcntl, "Advisory record locking"; Linux's fs/locks.c): the
// byte ranges each owner holds hang off the inode's lock context (Inode::lock_context, Linux's i_flctx), made
// by the first lock and freed with the inode. An owner is the descriptor table of the process that set the
// lock: threads sharing a table share its locks, fork does not pass them on, and any close of a descriptor of
// the file by the owner drops them all (FdTable calls release_posix_locks). fcntl's argument handling is the
// syscall layer's (syscall/file_locks.cpp).
#pragma once

#include "fs/inode.hpp"

namespace fs {

class FdTable;
class OpenFile;

using LockOwner = const FdTable*;

inline constexpr i16 kLockRead = 0, kLockWrite = 1, kLockUnlock = 2; // F_RDLCK, F_WRLCK, F_UNLCK
inline constexpr i64 kLockOffsetMax = 0x7fffffffffffffff; // OFFSET_MAX: a lock of length 0 reaches here

// A lock's type and its bytes, `end` inclusive.
struct LockRange {
    i16 type;
    i64 start, end;
};

// posix_test_lock (F_GETLK): whether another owner holds a lock that `wanted` conflicts with; if so the first
// one is copied to `held`, with the pid that set it.
bool find_conflicting_lock(const Inode& inode, LockOwner owner, const LockRange& wanted, LockRange& held, i32& pid);

// posix_lock_file (F_SETLK, F_SETLKW): sets `range` for `owner`, replacing whatever the owner held there
// (splitting a lock it falls inside) and joining the owner's touching locks of the same type; kLockUnlock
// clears it. A conflict is EAGAIN, or with `wait` a sleep until it goes: EDEADLK when the wait would close a
// cycle of owners each waiting for the next, ERESTARTSYS for a signal. ENOLCK when out of memory, leaving the
// locks as they were.
Result<void> set_posix_lock(Inode& inode, LockOwner owner, i32 pid, const LockRange& range, bool wait);

// locks_remove_posix: every lock `owner` holds on `inode` goes, and those waiting look again.
void release_posix_locks(Inode& inode, LockOwner owner);
// The close path's call (filp_flush): an O_PATH descriptor never held locks, so its close keeps them.
void release_posix_locks_on_close(OpenFile& file, LockOwner owner);

// Inode's destructor: frees the context and any lock still on it.
void destroy_lock_context(FileLockContext* context);

} // namespace fs
