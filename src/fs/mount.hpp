// Mount: a filesystem attached to a directory of another mount (struct vfsmount/mount), and Path, the pair
// (mount, inode) that names a place in the tree, so the same directory reached through two mounts is two
// places and ".." can climb out of a mounted filesystem to the directory it covers (man 2 mount, umount).
#pragma once

#include "fs/superblock.hpp"
#include "lib/intrusive_list.hpp"

namespace fs {

class Mount;

// A place in the mount tree. Holding a Path keeps its mount busy (umount gives EBUSY).
struct Path {
    RefPtr<Mount> mount;
    RefPtr<Inode> inode;

    bool is_valid() const { return mount && inode; }
    bool operator==(const Path& other) const { return mount == other.mount && inode == other.inode; }
};

// mount(2) flags this VFS honours (linux/mount.h).
inline constexpr u32 kMsRdOnly = 1, kMsNoSuid = 2, kMsNoDev = 4, kMsNoExec = 8, kMsRemount = 32, kMsBind = 4096;
// umount2(2) flags.
inline constexpr u32 kMntForce = 1, kMntDetach = 2, kMntExpire = 4, kUmountNoFollow = 8;

class Mount : public RefCounted<Mount> {
public:
    // The first mount of a tree (the root filesystem, or a test's).
    static Result<RefPtr<Mount>> create_root(MountSource source, u32 flags = 0);
    ~Mount();

    Superblock& superblock() const { return *m_superblock; }
    const RefPtr<Inode>& root() const { return m_root; }
    Path root_path() { return Path { RefPtr<Mount>(this), m_root }; }
    // The mount this one is attached to and the directory it covers there; null for a tree's root.
    Mount* parent() const { return m_parent.get(); }
    const RefPtr<Inode>& mountpoint() const { return m_mountpoint; }
    u32 flags() const { return m_flags; }
    bool is_read_only() const { return m_flags & kMsRdOnly; }
    // MS_REMOUNT's new per-mount flags.
    void set_flags(u32 flags) { m_flags = flags; }
    bool has_children() const { return !m_children.is_empty(); }

    // The newest mount attached on `inode` of this mount, or nullptr.
    Mount* child_on(const Inode& inode) const;
    // Attaches a new mount of `source` on the directory `where` (ENOTDIR otherwise). The tree holds it until
    // it is detached.
    static Result<RefPtr<Mount>> attach(const Path& where, MountSource source, u32 flags);
    // Detaches this mount (umount): EINVAL for a tree's root or a mount not attached, EBUSY while it has
    // children or anyone but the tree and `extra_references` callers hold it. Lazy (MNT_DETACH) detaches
    // it and its children whatever holds them.
    Result<void> detach(u32 extra_references, bool lazy);
    // Detaches every mount below this one (for shutting a tree down and for tests).
    void detach_all_children();

    // For walking the tree (/proc/mounts).
    template<typename F> void for_each_child(F&& f)
    {
        for (auto& child : m_children)
            f(child);
    }

    // Use create_root() or attach(); public only for make_ref.
    Mount(MountSource source, u32 flags);

private:
    RefPtr<Superblock> m_superblock;
    RefPtr<Inode> m_root;
    RefPtr<Mount> m_parent;
    RefPtr<Inode> m_mountpoint;
    u32 m_flags;
    IntrusiveListNode m_child_node;
    IntrusiveList<Mount, &Mount::m_child_node> m_children;
};

// Moves `path` onto the root of whatever is mounted on it, repeatedly (mounts can be stacked).
void cross_mounts_down(Path& path);

} // namespace fs
