// The mount tree. A parent holds its children through a reference taken when they are attached (the tree's
// own reference), and each child holds its parent and the directory it covers, so a walk up with ".." always
// finds them alive. That makes a cycle while a mount is attached, which detach() breaks.
#include "fs/mount.hpp"

#include <utility>

namespace fs {

Mount::Mount(MountSource source, u32 flags)
    : m_superblock(std::move(source.superblock))
    , m_root(std::move(source.root))
    , m_flags(flags)
{
}

Mount::~Mount() { detach_all_children(); }

Result<RefPtr<Mount>> Mount::create_root(MountSource source, u32 flags)
{
    if (!source.superblock || !source.root || !source.root->is_directory())
        return Errno::INVAL;
    return make_ref<Mount>(std::move(source), flags);
}

Mount* Mount::child_on(const Inode& inode) const
{
    Mount* newest = nullptr;
    for (auto& child : const_cast<Mount*>(this)->m_children) {
        if (child.m_mountpoint.get() == &inode)
            newest = &child;
    }
    return newest;
}

Result<RefPtr<Mount>> Mount::attach(const Path& where, MountSource source, u32 flags)
{
    if (!where.is_valid() || !where.inode->is_directory())
        return Errno::NOTDIR;
    if (!source.superblock || !source.root || !source.root->is_directory())
        return Errno::INVAL;
    auto mount = TRY(make_ref<Mount>(std::move(source), flags));
    mount->m_parent = where.mount;
    mount->m_mountpoint = where.inode;
    where.inode->add_mount();
    where.mount->m_children.push_back(*mount);
    mount->ref(); // the tree's reference, dropped by detach()
    return mount;
}

Result<void> Mount::detach(u32 extra_references, bool lazy)
{
    if (!m_parent || !m_child_node.is_linked())
        return Errno::INVAL;
    if (!lazy && (has_children() || ref_count() > 1 + extra_references))
        return Errno::BUSY;
    detach_all_children();
    m_parent->m_children.remove(*this);
    m_mountpoint->remove_mount();
    // The mountpoint and parent stay referenced until the last holder of this mount lets go, so that a lazily
    // detached mount's ".." still leads somewhere.
    unref();
    return {};
}

void Mount::detach_all_children()
{
    while (Mount* child = m_children.back()) {
        child->detach_all_children();
        m_children.remove(*child);
        child->m_mountpoint->remove_mount();
        child->unref();
    }
}

void cross_mounts_down(Path& path)
{
    while (path.inode->mount_count() > 0) {
        Mount* child = path.mount->child_on(*path.inode);
        if (!child)
            return;
        path.mount = RefPtr<Mount>(child);
        path.inode = child->root();
    }
}

} // namespace fs
