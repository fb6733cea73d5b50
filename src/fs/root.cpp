#include "fs/root.hpp"

#include "fs/tmpfs/tmpfs.hpp"

namespace fs {

namespace {

RefPtr<Mount> g_root;

} // namespace

Result<void> mount_system_root()
{
    if (g_root)
        return Errno::BUSY;
    if (auto registered = register_filesystem(tmpfs::filesystem_type()); registered.is_error()
        && registered.error() != Errno::BUSY)
        return registered.error();
    MountSource source = TRY(tmpfs::create(""));
    RefPtr<Mount> root = TRY(Mount::create_root(std::move(source)));
    RefPtr<Inode> dev = TRY(root->root()->mkdir("dev", kIfDir | 0755, 0, 0));
    TRY(dev->create("console", kIfChr | 0600, 0, 0, make_dev(5, 1)));
    g_root = std::move(root);
    return {};
}

Result<void> mount_on_root_directory(StringView name, FileSystemType& type)
{
    if (!g_root)
        return Errno::NOENT;
    if (auto registered = register_filesystem(type); registered.is_error() && registered.error() != Errno::BUSY)
        return registered.error();
    auto existing = g_root->root()->lookup(name);
    RefPtr<Inode> directory = existing.is_error() ? TRY(g_root->root()->mkdir(name, 0555, 0, 0)) : existing.release_value();
    MountSource source = TRY(type.mount("none", ""));
    TRY(Mount::attach(Path { g_root, directory }, std::move(source), 0));
    return {};
}

Path system_root() { return g_root ? g_root->root_path() : Path {}; }

Result<void> install_file(StringView path, const void* data, usize size, u32 mode)
{
    if (!g_root)
        return Errno::NOENT;
    // Mounted filesystems (a tmpfs on /tmp) are crossed as a path walk would, so the file lands where
    // open() will look for it.
    Path place = g_root->root_path();
    usize at = 0;
    while (at < path.length()) {
        while (at < path.length() && path[at] == '/')
            ++at;
        usize end = at;
        while (end < path.length() && path[end] != '/')
            ++end;
        if (end == at)
            break;
        StringView name = path.substring(at, end - at);
        Inode& directory = *place.inode;
        if (end == path.length()) {
            auto existing = directory.lookup(name);
            RefPtr<Inode> file = existing.is_error() ? TRY(directory.create(name, kIfReg | mode, 0, 0, 0))
                                                     : existing.release_value();
            TRY(file->truncate(0));
            usize written = TRY(file->write(0, data, size));
            return written == size ? Result<void>() : Result<void>(Errno::NOSPC);
        }
        auto next = directory.lookup(name);
        place.inode = next.is_error() ? TRY(directory.mkdir(name, 0755, 0, 0)) : next.release_value();
        cross_mounts_down(place);
        at = end;
    }
    return Errno::INVAL; // no file name in the path
}

void unmount_system_root()
{
    if (!g_root)
        return;
    g_root->detach_all_children();
    g_root.reset();
}

} // namespace fs
