// The files of /proc/<pid>: stat, status, cmdline, environ, maps, comm, mounts, mountinfo and the links cwd,
// exe, root and fd/N, in Linux's formats (fs/proc/array.c, task_mmu.c, base.c).
#include "fs/mount.hpp"
#include "fs/procfs/nodes.hpp"

#include "fs/fs_context.hpp"
#include "fs/open_file.hpp"
#include "fs/root.hpp"
#include "lib/format.hpp"
#include "proc/process.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"

namespace fs::procfs {

namespace {

constexpr u64 kUserHz = 100;

unsigned long long to_user_hz(u64 ticks) { return ticks * kUserHz / proc::kTickHz; }
unsigned long long to_user_hz_from_ns(u64 ns) { return ns / (1000000000 / kUserHz); }


// R running or runnable, S sleeping, T stopped, Z zombie (fs/proc/array.c's task_state_array).
char state_of(const proc::Process& process)
{
    if (process.is_dead())
        return 'Z';
    if (process.stopped)
        return 'T';
    // The leader may have ended while other threads run: the process is as busy as its busiest thread.
    for (const proc::Thread& thread : const_cast<proc::Process&>(process).threads)
        if (thread.state == proc::Thread::State::Runnable)
            return 'R';
    return 'S';
}

const char* state_name(char state)
{
    switch (state) {
    case 'R': return "running";
    case 'T': return "stopped";
    case 'Z': return "zombie";
    default: return "sleeping";
    }
}

u64 virtual_bytes(const mm::AddressSpace& space)
{
    u64 total = 0;
    for (const mm::VmArea& area : const_cast<mm::VmAreaTree&>(space.areas()))
        total += area.end - area.start;
    return total;
}

// Signals the process ignores and catches, as status's SigIgn and SigCgt.
void dispositions(const proc::Process& process, u64& ignored, u64& caught)
{
    ignored = caught = 0;
    for (int signal = 1; signal <= proc::kSignalCount; ++signal) {
        u32 handler = process.signal_actions[signal].handler;
        if (handler == proc::kSigIgnore)
            ignored |= proc::signal_bit(signal);
        else if (handler != proc::kSigDefault)
            caught |= proc::signal_bit(signal);
    }
}

// The thread-level fields are the leader's, as Linux's /proc/<pid> shows them.
void stat(const proc::Process& g, Text& out)
{
    const proc::Thread& p = *g.leader;
    const mm::AddressSpace* space = p.space.get();
    proc::CpuTime cpu = proc::process_cpu_time(g);
    u64 ignored, caught;
    dispositions(g, ignored, caught);
    char state = state_of(g);
    mm::AddressSpace::ArgumentRanges args = space ? space->argument_ranges() : mm::AddressSpace::ArgumentRanges {};
    u64 pending = proc::pending_signals(p);
    out.add("%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 %llu %llu %llu %llu 20 0 %u 0 %llu %llu %zu 4294967295 ",
        g.pid(), p.name, state, g.parent_pid(), g.pgid, g.sid, to_user_hz(cpu.user), to_user_hz(cpu.system),
        to_user_hz(g.children_cpu.user), to_user_hz(g.children_cpu.system), g.live_threads,
        to_user_hz_from_ns(p.start_ns),
        static_cast<unsigned long long>(space ? virtual_bytes(*space) : 0), space ? space->resident_pages() : 0);
    out.add("0 0 %lu 0 0 %llu %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0 0 0 %lu %lu %lu %lu %lu %u\n",
        static_cast<unsigned long>(args.arg_start), static_cast<unsigned long long>(pending & 0xFFFFFFFF),
        static_cast<unsigned long long>(p.signal_blocked & 0xFFFFFFFF), static_cast<unsigned long long>(ignored & 0xFFFFFFFF),
        static_cast<unsigned long long>(caught & 0xFFFFFFFF), g.exit_signal,
        static_cast<unsigned long>(space ? space->break_start() : 0), static_cast<unsigned long>(args.arg_start),
        static_cast<unsigned long>(args.arg_end), static_cast<unsigned long>(args.env_start),
        static_cast<unsigned long>(args.env_end), state == 'Z' ? g.wait_status : 0);
}

void status(const proc::Process& g, Text& out)
{
    const proc::Thread& p = *g.leader;
    char state = state_of(g);
    const proc::Credentials& c = p.credentials;
    out.add("Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p.name,
        p.fs ? p.fs->umask() : 022, state, state_name(state), g.pid(), g.pid(), g.parent_pid());
    out.add("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\nGroups:\t", c.uid, c.euid, c.suid, c.fsuid, c.gid,
        c.egid, c.sgid, c.fsgid, p.files ? p.files->capacity() : 0);
    for (usize i = 0; i < c.group_count; ++i)
        out.add("%u ", c.groups[i]);
    out.add("\n");
    if (const mm::AddressSpace* space = p.space.get()) {
        unsigned long long size = virtual_bytes(*space) / 1024, rss = space->resident_pages() * 4;
        unsigned long long peak = space->peak_resident_pages() * 4;
        out.add("VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n", size, size, peak, rss);
    }
    u64 ignored, caught;
    dispositions(g, ignored, caught);
    out.add("Threads:\t%u\nSigQ:\t0/4096\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\n"
            "SigCgt:\t%016llx\n",
        g.live_threads, static_cast<unsigned long long>(p.signal_pending),
        static_cast<unsigned long long>(g.shared_pending), static_cast<unsigned long long>(p.signal_blocked),
        static_cast<unsigned long long>(ignored), static_cast<unsigned long long>(caught));
}

// The argument or environment strings, read from the process's own memory as it is now (it may have
// changed them, as Linux shows too).
void strings(const proc::Thread& p, bool environment, Text& out)
{
    if (!p.space)
        return; // a zombie: no memory, no command line
    mm::AddressSpace::ArgumentRanges args = p.space->argument_ranges();
    uptr start = environment ? args.env_start : args.arg_start;
    uptr end = environment ? args.env_end : args.arg_end;
    u8 chunk[256];
    for (uptr at = start; at < end;) {
        usize want = end - at < sizeof(chunk) ? end - at : sizeof(chunk);
        usize got = p.space->read_present(at, chunk, want);
        out.add_bytes(chunk, got);
        if (got < want)
            break;
        at += got;
    }
}

void maps(const proc::Thread& p, Text& out)
{
    if (!p.space)
        return;
    for (const mm::VmArea& area : const_cast<mm::VmAreaTree&>(p.space->areas())) {
        bool shared = area.flags & mm::kVmShared;
        usize length = out.size();
        out.add("%08lx-%08lx %c%c%c%c %08llx 00:00 0", static_cast<unsigned long>(area.start),
            static_cast<unsigned long>(area.end), (area.prot & mm::kProtRead) ? 'r' : '-',
            (area.prot & mm::kProtWrite) ? 'w' : '-', (area.prot & mm::kProtExec) ? 'x' : '-', shared ? 's' : 'p',
            static_cast<unsigned long long>(area.backing ? area.backing_offset * 4096 : 0)); // a file's offset, shared or private
        const char* name = (area.flags & mm::kVmStack) ? "[stack]" : (area.flags & mm::kVmHeap) ? "[heap]" : nullptr;
        if (name) {
            usize written = out.size() - length;
            out.add("%*s%s", written < 73 ? static_cast<int>(73 - written) : 1, "", name);
        }
        out.add("\n");
    }
}

void mount_line(const Path& root, Mount& mount, Text& out)
{
    char where[512];
    Path top { RefPtr<Mount>(&mount), mount.root() };
    auto length = path_of(root, top, where, sizeof(where));
    const char* type = mount.superblock().type().name();
    u32 flags = mount.flags();
    out.add("%s %s %s %s%s%s%s 0 0\n", mount.parent() ? type : "rootfs", length.is_error() ? "?" : where, type,
        (flags & kMsRdOnly) ? "ro" : "rw", (flags & kMsNoSuid) ? ",nosuid" : "", (flags & kMsNoDev) ? ",nodev" : "",
        (flags & kMsNoExec) ? ",noexec" : "");
    mount.for_each_child([&](Mount& child) { mount_line(root, child, out); });
}

// A line of mountinfo (man 5 proc_pid_mountinfo), which df and findmnt read before /proc/mounts. IDs are the
// mounts' places in this walk, so a parent's ID is right within one read; each mount shows its filesystem's
// root as "/" and, as in mounts, its type as its source.
void mountinfo_line(const Path& root, Mount& mount, u32 parent, u32& next, Text& out)
{
    u32 id = next++;
    char where[512];
    Path top { RefPtr<Mount>(&mount), mount.root() };
    auto length = path_of(root, top, where, sizeof(where));
    const char* type = mount.superblock().type().name();
    u32 flags = mount.flags(), dev = mount.superblock().dev();
    const char* access = (flags & kMsRdOnly) ? "ro" : "rw";
    out.add("%u %u %u:%u / %s %s%s%s%s - %s %s %s\n", id, parent, dev_major(dev), dev_minor(dev),
        length.is_error() ? "?" : where, access, (flags & kMsNoSuid) ? ",nosuid" : "",
        (flags & kMsNoDev) ? ",nodev" : "", (flags & kMsNoExec) ? ",noexec" : "", type,
        mount.parent() ? type : "rootfs", access);
    mount.for_each_child([&](Mount& child) { mountinfo_line(root, child, id, next, out); });
}

} // namespace

Result<void> process_text(Node node, i32 pid, Text& out)
{
    proc::Process* process = proc::find_process(pid);
    if (!process)
        return Errno::SRCH;
    const proc::Thread& p = *process->leader;
    switch (node) {
    case Node::PidStat: stat(*process, out); break;
    case Node::PidStatus: status(*process, out); break;
    case Node::PidCmdline: strings(p, false, out); break;
    case Node::PidEnviron: strings(p, true, out); break;
    case Node::PidMaps: maps(p, out); break;
    case Node::PidComm: out.add("%s\n", p.name); break;
    case Node::PidMounts: {
        Path root = p.fs ? p.fs->root() : system_root();
        Path tree = system_root();
        if (tree.is_valid())
            mount_line(root, *tree.mount, out);
        break;
    }
    case Node::PidMountinfo: {
        Path root = p.fs ? p.fs->root() : system_root();
        Path tree = system_root();
        u32 next = 1;
        if (tree.is_valid())
            mountinfo_line(root, *tree.mount, 0, next, out);
        break;
    }
    default: break;
    }
    return {};
}

Result<void> process_place(Node node, i32 pid, i32 fd, Path& out)
{
    proc::Process* group = proc::find_process(pid);
    proc::Thread* process = group ? group->leader : nullptr;
    if (!process)
        return Errno::NOENT;
    RefPtr<OpenFile> file;
    if (node == Node::PidExe)
        file = group->executable;
    else if (node == Node::PidFd && process->files)
        file = TRY(process->files->get(fd));
    if (!file)
        return Errno::NOENT;
    // A file that still has its name is reached by it, which names the new open file too; a pipe or a removed
    // file has none to walk, and is reached directly, as Linux reaches every one.
    bool named = file->inode().is_directory() || file->directory().is_valid();
    if (named && file->inode().attributes().nlink != 0)
        return Errno::INVAL;
    // Reached this way, no permission on a name is checked: only the process's owner (or root) may, as only a
    // process allowed to trace it may in Linux (proc_fd_access_allowed).
    const proc::Credentials& me = proc::current()->credentials;
    if (!me.is_root() && me.euid != process->credentials.euid)
        return Errno::ACCES;
    out = file->path();
    return out.is_valid() ? Result<void>() : Result<void>(Errno::NOENT);
}

Result<usize> process_link(Node node, i32 pid, i32 fd, char* buffer, usize size)
{
    proc::Process* group = proc::find_process(pid);
    proc::Thread* process = group ? group->leader : nullptr;
    proc::Thread* reader = proc::current();
    if (!process || !reader || !reader->fs)
        return Errno::NOENT;
    Path place;
    switch (node) {
    case Node::PidCwd:
        if (!process->fs)
            return Errno::NOENT;
        place = process->fs->cwd();
        break;
    case Node::PidRoot:
        if (!process->fs)
            return Errno::NOENT;
        place = process->fs->root();
        break;
    case Node::PidExe:
    case Node::PidFd: {
        RefPtr<OpenFile> file;
        if (node == Node::PidExe)
            file = group->executable;
        else if (process->files)
            file = TRY(process->files->get(fd));
        if (!file)
            return Errno::NOENT;
        auto length = file_path_of(reader->fs->root(), *file, buffer, size);
        if (length.is_error() && length.error() == Errno::NOENT) {
            // A pipe or another file with no name: Linux's "type:[inode]".
            usize text = format(buffer, size, "%s:[%llu]", is_fifo(file->inode().mode()) ? "pipe" : "anon_inode",
                static_cast<unsigned long long>(file->inode().ino()));
            return text < size ? text : size;
        }
        return TRY(length) - 1; // without the NUL: a link's text has none
    }
    default: return Errno::INVAL;
    }
    if (!place.is_valid())
        return Errno::NOENT;
    usize length = TRY(path_of(reader->fs->root(), place, buffer, size));
    return length ? length - 1 : 0; // path_of counts the NUL; a link's text does not
}

} // namespace fs::procfs
