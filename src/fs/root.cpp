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

Path system_root() { return g_root ? g_root->root_path() : Path {}; }

void unmount_system_root()
{
    if (!g_root)
        return;
    g_root->detach_all_children();
    g_root.reset();
}

} // namespace fs
