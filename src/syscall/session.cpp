// Process groups and sessions (man 2 setpgid, setsid, getsid): the job-control structure the TTY layer and
// wait4's pid 0 and -pgid rely on.
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

proc::Process& self() { return proc::current()->process(); }

// The process `pid` names (0: the caller); ESRCH when there is none.
Result<proc::Process*> target(i32 pid)
{
    if (pid == 0)
        return &self();
    if (pid < 0)
        return Errno::SRCH;
    proc::Process* process = proc::find_thread_group(pid);
    if (!process || process->is_dead())
        return Errno::SRCH;
    return process;
}

bool group_exists_in_session(i32 pgid, i32 sid)
{
    bool found = false;
    proc::for_each_process([&](proc::Process& p) {
        found = found || (p.pgid == pgid && p.sid == sid && !p.is_dead());
    });
    return found;
}

} // namespace

Result<void> sys_setpgid(i32 pid, i32 pgid)
{
    if (pgid < 0)
        return Errno::INVAL;
    proc::Process* process = TRY(target(pid));
    // Only the caller itself or one of its children.
    if (process != &self() && process->parent != &self())
        return Errno::SRCH;
    if (process->parent == &self() && process->sid != self().sid)
        return Errno::PERM;
    if (process->sid == process->pid())
        return Errno::PERM; // a session leader keeps its group
    i32 group = pgid ? pgid : process->pid();
    if (group != process->pid() && !group_exists_in_session(group, self().sid))
        return Errno::PERM;
    process->pgid = group;
    return {};
}

Result<i32> sys_getpgid(i32 pid) { return TRY(target(pid))->pgid; }
Result<i32> sys_getpgrp() { return self().pgid; }
Result<i32> sys_getsid(i32 pid) { return TRY(target(pid))->sid; }

Result<i32> sys_setsid()
{
    proc::Process& me = self();
    // A process group leader (or anyone whose pid is some group's id) cannot start a session.
    bool leads = false;
    proc::for_each_process([&](proc::Process& p) { leads = leads || p.pgid == me.pid(); });
    if (leads)
        return Errno::PERM;
    me.sid = me.pgid = me.pid();
    return me.sid;
}

} // namespace sys
