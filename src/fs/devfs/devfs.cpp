// devtmpfs as a populated tmpfs: the nodes are ordinary tmpfs inodes, so the VFS needs nothing new.
#include "fs/devfs/devfs.hpp"

#include "fs/devices.hpp"
#include "fs/root.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "kernel/log.hpp"

namespace fs::devfs {

namespace {

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

struct Populating {
    Inode& root;
    Result<void> result;
};

// One node per registered device that names one (fs/devices.hpp).
bool add_node(const DeviceInfo& info, void* context)
{
    auto& populating = *static_cast<Populating*>(context);
    if (!info.node)
        return true;
    u32 type = info.kind == DeviceKind::Char ? kIfChr : kIfBlk;
    auto made = populating.root.create(StringView(info.node), type | (info.permissions & 07777), 0, 0,
        make_dev(info.major, info.minor));
    if (made.is_error()) {
        populating.result = made.error();
        return false;
    }
    return true;
}

// A device registered or unregistered while devtmpfs instances are mounted: their nodes follow. A node the
// user has replaced meanwhile (another type or number under that name) is left alone.
void update_mounts(Mount& mount, const DeviceInfo& info, bool registered)
{
    if (&mount.superblock().type() == &filesystem_type()) {
        Inode& root = *mount.root();
        u32 type = info.kind == DeviceKind::Char ? kIfChr : kIfBlk;
        if (registered) {
            Populating populating { root, {} };
            if (!add_node(info, &populating))
                log_warning("devtmpfs: no node for %s (%u:%u): error %d", info.node, info.major, info.minor,
                    static_cast<int>(populating.result.error()));
        } else if (auto node = root.lookup(StringView(info.node)); !node.is_error()) {
            const Inode& found = *node.value();
            if ((found.mode() & kIfMt) == type && found.attributes().rdev == make_dev(info.major, info.minor))
                (void)root.unlink(StringView(info.node));
        }
    }
    mount.for_each_child([&](Mount& child) { update_mounts(child, info, registered); });
}

void on_device(const DeviceInfo& info, bool registered)
{
    if (!info.node)
        return;
    Path root = system_root();
    if (root.is_valid())
        update_mounts(*root.mount, info, registered);
}

Result<void> populate(Inode& root)
{
    set_device_listener(on_device);
    Populating populating { root, {} };
    for_each_device(add_node, &populating);
    TRY(populating.result);
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
