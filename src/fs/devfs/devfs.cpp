// devtmpfs as a populated tmpfs: the nodes are ordinary tmpfs inodes, so the VFS needs nothing new.
#include "fs/devfs/devfs.hpp"

#include "fs/pipe.hpp"
#include "fs/root.hpp"
#include "fs/tmpfs/tmpfs.hpp"

namespace fs::devfs {

namespace {

struct DeviceNode {
    const char* name;
    u32 mode;
    u32 major, minor;
};

// Linux's devtmpfs modes: 0600 for the console, 0666 for the rest.
constexpr DeviceNode kNodes[] = {
    { "console", kIfChr | 0600, 5, 1 },
    { "tty", kIfChr | 0666, 5, 0 },
    { "null", kIfChr | 0666, 1, 3 },
    { "zero", kIfChr | 0666, 1, 5 },
    { "full", kIfChr | 0666, 1, 7 },
    { "random", kIfChr | 0666, 1, 8 },
    { "urandom", kIfChr | 0666, 1, 9 },
};

struct Link {
    const char* name;
    const char* target;
};

// What udev (and systemd's tmpfiles) make on Linux; programs reach their descriptors through these.
constexpr Link kLinks[] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
};

Result<void> populate(Inode& root)
{
    for (const DeviceNode& node : kNodes)
        TRY(root.create(StringView(node.name), node.mode, 0, 0, make_dev(node.major, node.minor)));
    for (const Link& link : kLinks)
        TRY(root.symlink(StringView(link.name), StringView(link.target), 0, 0));
    TRY(root.mkdir("pts", kIfDir | 0755, 0, 0));
    TRY(root.mkdir("shm", kIfDir | 01777, 0, 0)); // POSIX shared memory and semaphores (shm_open, sem_open)
    return {};
}

Result<MountSource> mount_devfs(const FileSystemType&, StringView, StringView options) { return create(options); }

} // namespace

FileSystemType& filesystem_type()
{
    static FileSystemType type("devtmpfs", false, mount_devfs);
    return type;
}

Result<MountSource> create(StringView options)
{
    MountSource source = TRY(tmpfs::create(options.is_empty() ? StringView("mode=0755") : options, filesystem_type()));
    TRY(populate(*source.root));
    return source;
}

Result<void> mount_on_dev()
{
    Path root = system_root();
    if (!root.is_valid())
        return Errno::NOENT;
    if (auto registered = register_filesystem(filesystem_type());
        registered.is_error() && registered.error() != Errno::BUSY)
        return registered.error();
    register_fifo_operations();
    RefPtr<Inode> dev;
    if (auto found = root.inode->lookup("dev"); !found.is_error())
        dev = found.release_value();
    else if (found.error() == Errno::NOENT)
        dev = TRY(root.inode->mkdir("dev", kIfDir | 0755, 0, 0));
    else
        return found.error();
    Path where { root.mount, dev };
    cross_mounts_down(where);
    MountSource source = TRY(create(StringView()));
    TRY(Mount::attach(where, std::move(source), 0));
    return {};
}

} // namespace fs::devfs
