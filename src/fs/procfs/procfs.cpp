// The procfs tree: inodes made on lookup, named by (node, pid, fd) in their inode number and kept in the
// superblock's inode cache while in use, so that two lookups of the same file give the same inode; and
// directories that list what exists at the moment they are read.
#include "fs/procfs/procfs.hpp"

#include "fs/procfs/nodes.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"
#include "proc/process.hpp"

namespace fs::procfs {

namespace {

constexpr u32 kProcSuperMagic = 0x9fa0;

struct Entry {
    const char* name;
    Node node;
    u32 mode;
};

constexpr Entry kRootEntries[] = {
    { "self", Node::Self, kIfLnk | 0777 },
    { "meminfo", Node::Meminfo, kIfReg | 0444 },
    { "uptime", Node::Uptime, kIfReg | 0444 },
    { "loadavg", Node::Loadavg, kIfReg | 0444 },
    { "stat", Node::Stat, kIfReg | 0444 },
    { "cpuinfo", Node::Cpuinfo, kIfReg | 0444 },
    { "version", Node::Version, kIfReg | 0444 },
    { "mounts", Node::Mounts, kIfLnk | 0777 },
    { "filesystems", Node::Filesystems, kIfReg | 0444 },
    { "cmdline", Node::Cmdline, kIfReg | 0444 },
    { "devices", Node::Devices, kIfReg | 0444 },
    { "partitions", Node::Partitions, kIfReg | 0444 },
    { "bus", Node::Bus, kIfDir | 0555 },
    { "sys", Node::Sys, kIfDir | 0555 },
};
constexpr Entry kPidEntries[] = {
    { "stat", Node::PidStat, kIfReg | 0444 },
    { "status", Node::PidStatus, kIfReg | 0444 },
    { "cmdline", Node::PidCmdline, kIfReg | 0444 },
    { "environ", Node::PidEnviron, kIfReg | 0400 },
    { "maps", Node::PidMaps, kIfReg | 0444 },
    { "comm", Node::PidComm, kIfReg | 0644 },
    { "fd", Node::PidFdDir, kIfDir | 0500 },
    { "cwd", Node::PidCwd, kIfLnk | 0777 },
    { "exe", Node::PidExe, kIfLnk | 0777 },
    { "root", Node::PidRoot, kIfLnk | 0777 },
    { "mounts", Node::PidMounts, kIfReg | 0444 },
    { "mountinfo", Node::PidMountinfo, kIfReg | 0444 },
};
constexpr Entry kSysEntries[] = { { "kernel", Node::SysKernel, kIfDir | 0555 } };
constexpr Entry kBusEntries[] = { { "pci", Node::BusPci, kIfDir | 0555 } };
constexpr Entry kBusPciEntries[] = { { "devices", Node::BusPciDevices, kIfReg | 0444 } };
constexpr Entry kSysKernelEntries[] = {
    { "hostname", Node::Hostname, kIfReg | 0644 },
    { "ostype", Node::Ostype, kIfReg | 0444 },
    { "osrelease", Node::Osrelease, kIfReg | 0444 },
};

struct EntryList {
    const Entry* entries;
    usize count;
};

EntryList entries_of(Node node)
{
    switch (node) {
    case Node::Root: return { kRootEntries, sizeof(kRootEntries) / sizeof(Entry) };
    case Node::Pid: return { kPidEntries, sizeof(kPidEntries) / sizeof(Entry) };
    case Node::Sys: return { kSysEntries, sizeof(kSysEntries) / sizeof(Entry) };
    case Node::SysKernel: return { kSysKernelEntries, sizeof(kSysKernelEntries) / sizeof(Entry) };
    case Node::Bus: return { kBusEntries, sizeof(kBusEntries) / sizeof(Entry) };
    case Node::BusPci: return { kBusPciEntries, sizeof(kBusPciEntries) / sizeof(Entry) };
    default: return { nullptr, 0 };
    }
}

u64 ino_of(Node node, i32 pid, i32 fd)
{
    return (static_cast<u64>(pid) << 40) | (static_cast<u64>(static_cast<u32>(fd)) << 8) | static_cast<u64>(node);
}

// The leader of a process /proc shows (one that has not been reaped), or nullptr.
proc::Thread* process_named(i32 pid)
{
    proc::Process* process = proc::find_process(pid);
    return process ? process->leader : nullptr;
}

// A decimal number from a name, or -1.
i32 number_in(StringView name)
{
    if (name.is_empty() || name.length() > 9 || (name.length() > 1 && name[0] == '0'))
        return -1;
    i32 value = 0;
    for (usize i = 0; i < name.length(); ++i) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        value = value * 10 + (name[i] - '0');
    }
    return value;
}

class ProcSuperblock;

class ProcInode final : public Inode {
public:
    ProcInode(ProcSuperblock& superblock, Node node, u32 mode, i32 pid, i32 fd);
    // Owner and times from the process now (pid_update_inode): a cached inode outlives set*id calls.
    void refresh();

    Result<RefPtr<Inode>> lookup(StringView name) override;
    Result<RefPtr<Inode>> parent() override;
    Result<void> iterate(u64& offset, DirEntrySink& sink) override;
    Result<usize> readlink(char* buffer, usize size) override;
    Result<void> jump_target(Path& out) override;
    using Inode::read;
    using Inode::write;
    Result<usize> read(u64 offset, mm::OutBuffer& to) override;
    Result<usize> write(u64, mm::InBuffer&) override { return Errno::ACCES; }
    Result<void> truncate(u64) override { return Errno::ACCES; }

private:
    ProcSuperblock& proc_superblock() const;
    Result<RefPtr<Inode>> make(Node node, u32 mode, i32 pid, i32 fd) const;

    Node m_node;
    i32 m_pid;
    i32 m_fd;
};

class ProcSuperblock final : public Superblock {
public:
    explicit ProcSuperblock(const FileSystemType& type) : Superblock(type, allocate_anonymous_dev()) {}
    void statfs(StatFs& out) const override
    {
        Superblock::statfs(out);
        out.type = kProcSuperMagic;
    }
    // Not a reference: the root holds its superblock, and whoever reaches a procfs inode holds the mount, which
    // holds the root.
    Inode* root { nullptr };
};

ProcInode::ProcInode(ProcSuperblock& superblock, Node node, u32 mode, i32 pid, i32 fd)
    : Inode(superblock, ino_of(node, pid, fd), mode)
    , m_node(node)
    , m_pid(pid)
    , m_fd(fd)
{
    attributes().nlink = is_dir(mode) ? 2 : 1;
    refresh();
}

void ProcInode::refresh()
{
    InodeAttributes& a = attributes();
    a.uid = a.gid = 0;
    a.mtime_ns = a.ctime_ns = a.atime_ns = 0;
    // A process's files belong to its effective ids, so environ (0400) is its owner's to read.
    if (proc::Thread* process = m_pid ? process_named(m_pid) : nullptr) {
        a.uid = process->credentials.euid;
        a.gid = process->credentials.egid;
        a.mtime_ns = a.ctime_ns = a.atime_ns = static_cast<i64>(process->start_ns);
    }
}

ProcSuperblock& ProcInode::proc_superblock() const { return static_cast<ProcSuperblock&>(superblock()); }

Result<RefPtr<Inode>> ProcInode::make(Node node, u32 mode, i32 pid, i32 fd) const
{
    auto made = [&](u64) { return make_ref<ProcInode>(proc_superblock(), node, mode, pid, fd); };
    auto filled = [](ProcInode&) { return Result<void> {}; }; // the constructor did it
    RefPtr<ProcInode> inode = TRY(proc_superblock().get_inode<ProcInode>(ino_of(node, pid, fd), made, filled));
    inode->refresh();
    return RefPtr<Inode>(inode.get());
}

Result<RefPtr<Inode>> ProcInode::lookup(StringView name)
{
    if (!is_directory())
        return Errno::NOTDIR;
    EntryList list = entries_of(m_node);
    for (usize i = 0; i < list.count; ++i)
        if (name == StringView(list.entries[i].name, string_length(list.entries[i].name)))
            return make(list.entries[i].node, list.entries[i].mode, m_pid, 0);
    i32 number = number_in(name);
    if (m_node == Node::Root && number > 0 && process_named(number))
        return make(Node::Pid, kIfDir | 0555, number, 0);
    if (m_node == Node::PidFdDir && number >= 0) {
        proc::Thread* process = process_named(m_pid);
        if (process && process->files && !process->files->get(number).is_error())
            return make(Node::PidFd, kIfLnk | 0700, m_pid, number);
    }
    return Errno::NOENT;
}

Result<RefPtr<Inode>> ProcInode::parent()
{
    switch (m_node) {
    case Node::PidFdDir: return make(Node::Pid, kIfDir | 0555, m_pid, 0);
    case Node::SysKernel: return make(Node::Sys, kIfDir | 0555, 0, 0);
    case Node::BusPci: return make(Node::Bus, kIfDir | 0555, 0, 0);
    default: return RefPtr<Inode>(proc_superblock().root);
    }
}

Result<void> ProcInode::iterate(u64& offset, DirEntrySink& sink)
{
    if (!is_directory())
        return Errno::NOTDIR;
    if (offset == 0) {
        if (!sink.emit(DirEntry { ino(), 1, dirent_type(kIfDir), "." }))
            return {};
        offset = 1;
    }
    if (offset == 1) {
        RefPtr<Inode> up = TRY(parent());
        if (!sink.emit(DirEntry { up->ino(), 2, dirent_type(kIfDir), ".." }))
            return {};
        offset = 2;
    }
    // Fixed entries take offsets 2.., then the numbered ones (pids, descriptors) 1000 + their number.
    constexpr u64 kNumbered = 1000;
    EntryList list = entries_of(m_node);
    for (; offset < 2 + list.count; ++offset) {
        const Entry& entry = list.entries[offset - 2];
        DirEntry out { ino_of(entry.node, m_pid, 0), offset + 1, dirent_type(entry.mode),
            StringView(entry.name, string_length(entry.name)) };
        if (!sink.emit(out))
            return {};
    }
    if (offset < kNumbered)
        offset = kNumbered;
    char name[16];
    if (m_node == Node::Root) {
        for (proc::Process* process = proc::first_process(); process; process = proc::next_process(*process)) {
            if (static_cast<u64>(process->pid()) + kNumbered < offset)
                continue;
            usize length = format(name, sizeof(name), "%d", process->pid());
            u64 at = kNumbered + static_cast<u64>(process->pid());
            if (!sink.emit(DirEntry { ino_of(Node::Pid, process->pid(), 0), at + 1, dirent_type(kIfDir),
                    StringView(name, length) }))
                return {};
            offset = at + 1;
        }
    } else if (m_node == Node::PidFdDir) {
        proc::Thread* process = process_named(m_pid);
        if (!process || !process->files)
            return {};
        for (u64 fd = offset - kNumbered; fd < process->files->capacity(); ++fd) {
            if (process->files->get(static_cast<i32>(fd)).is_error())
                continue;
            usize length = format(name, sizeof(name), "%llu", static_cast<unsigned long long>(fd));
            if (!sink.emit(DirEntry { ino_of(Node::PidFd, m_pid, static_cast<i32>(fd)), kNumbered + fd + 1,
                    dirent_type(kIfLnk), StringView(name, length) }))
                return {};
            offset = kNumbered + fd + 1;
        }
    }
    return {};
}

Result<usize> ProcInode::readlink(char* buffer, usize size)
{
    switch (m_node) {
    case Node::Self: {
        proc::Thread* reader = proc::current();
        if (!reader)
            return Errno::NOENT;
        usize length = format(buffer, size, "%d", reader->tgid());
        return length < size ? length : size;
    }
    case Node::Mounts: {
        usize length = format(buffer, size, "self/mounts");
        return length < size ? length : size;
    }
    case Node::PidCwd:
    case Node::PidExe:
    case Node::PidRoot:
    case Node::PidFd:
        return process_link(m_node, m_pid, m_fd, buffer, size);
    default:
        return Errno::INVAL;
    }
}

Result<void> ProcInode::jump_target(Path& out)
{
    if (m_node != Node::PidExe && m_node != Node::PidFd)
        return Errno::INVAL;
    return process_place(m_node, m_pid, m_fd, out);
}

Result<usize> ProcInode::read(u64 offset, mm::OutBuffer& to)
{
    if (is_directory())
        return Errno::ISDIR;
    Text text;
    if (m_pid)
        TRY(process_text(m_node, m_pid, text));
    else
        system_text(m_node, text);
    TRY(text.status());
    if (offset >= text.size())
        return usize { 0 };
    usize count = to.remaining();
    usize now = text.size() - offset < count ? static_cast<usize>(text.size() - offset) : count;
    return to.put(text.data() + offset, now);
}

Result<MountSource> mount_proc(const FileSystemType& type, StringView, StringView)
{
    auto superblock = TRY(make_ref<ProcSuperblock>(type));
    auto root = TRY(make_ref<ProcInode>(*superblock, Node::Root, kIfDir | 0555, 0, 0));
    superblock->root = root.get();
    bool cached = superblock->insert_inode(*root);
    (void)cached; // the first inode
    return MountSource { RefPtr<Superblock>(superblock.get()), RefPtr<Inode>(root.get()) };
}

FileSystemType g_type("proc", false, mount_proc);

} // namespace

FileSystemType& filesystem_type() { return g_type; }

} // namespace fs::procfs
