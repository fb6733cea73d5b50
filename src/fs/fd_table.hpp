// FdTable: a process's file descriptors (struct files_struct): small integers naming open file descriptions,
// each with its close-on-exec flag. Threads made with CLONE_FILES share one table; fork copies it, so the
// copies name the same descriptions (and share their offsets). Limits come from the caller's RLIMIT_NOFILE.
// Every descriptor closed (close, dup2/dup3 over it, close-on-exec, exit) drops the POSIX record locks the
// table holds on its file (man 2 fcntl, "Advisory record locking").
#pragma once

#include "fs/open_file.hpp"
#include "mm/vector.hpp"

namespace fs {

class FdTable : public RefCounted<FdTable> {
public:
    static constexpr u32 kDefaultLimit = 1024; // RLIMIT_NOFILE's soft default
    static constexpr u32 kHardMax = 1024 * 1024; // fs.nr_open

    static Result<RefPtr<FdTable>> create();
    ~FdTable();
    // The copy fork makes: same descriptions, same close-on-exec flags.
    Result<RefPtr<FdTable>> clone() const;

    // The description `fd` names; EBADF.
    Result<RefPtr<OpenFile>> get(i32 fd) const;
    // Installs `file` at the lowest free descriptor >= `min_fd`, below `limit`; EMFILE when none is free,
    // EINVAL when min_fd is out of range (F_DUPFD's rule).
    Result<i32> install(RefPtr<OpenFile> file, bool close_on_exec, u32 limit, i32 min_fd = 0);
    // The descriptor install() would pick, without taking it (open checks this before creating a file).
    Result<i32> lowest_free(u32 limit, i32 min_fd = 0) const;
    // close(2): EBADF. The description goes when its last descriptor does.
    Result<void> close(i32 fd);
    // dup(2): the lowest free descriptor, close-on-exec clear. EBADF, EMFILE.
    Result<i32> dup(i32 fd, u32 limit);
    // dup2(2): `new_fd` names what `old_fd` does, closing what it named; the same fd returns it if valid.
    // EBADF for a bad old_fd or new_fd outside [0, limit).
    Result<i32> dup2(i32 old_fd, i32 new_fd, u32 limit);
    // dup3(2): as dup2 but EINVAL for old_fd == new_fd or flags other than O_CLOEXEC.
    Result<i32> dup3(i32 old_fd, i32 new_fd, u32 flags, u32 limit);
    // fcntl F_DUPFD / F_DUPFD_CLOEXEC.
    Result<i32> dup_from(i32 fd, i32 min_fd, bool close_on_exec, u32 limit);

    // fcntl F_GETFD / F_SETFD (FD_CLOEXEC).
    Result<bool> close_on_exec(i32 fd) const;
    Result<void> set_close_on_exec(i32 fd, bool value);
    // execve(2): closes every descriptor marked close-on-exec.
    void close_on_exec_all();
    // Closes everything (exit).
    void close_all();
    // How many descriptors are open.
    u32 open_count() const;
    // One past the highest descriptor the table has room for now (/proc/<pid>/fd lists below it).
    u32 capacity() const { return static_cast<u32>(m_slots.size()); } // at most kHardMax

    FdTable() = default;

private:
    struct Slot {
        OpenFile* file; // holds a reference
        bool close_on_exec;
    };

    bool valid(i32 fd) const { return fd >= 0 && static_cast<u32>(fd) < capacity() && m_slots[fd].file; }
    Result<void> grow_to(u32 slots);
    void set(i32 fd, OpenFile* file, bool close_on_exec);

    mm::Vector<Slot> m_slots; // a free slot is zero
};

} // namespace fs
