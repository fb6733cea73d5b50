// The inode cache of a superblock, the filesystem type registry (register_filesystem, get_fs_type) and
// anonymous device numbers.
#include "fs/superblock.hpp"
#include "kernel/boot_state.hpp"

#include "lib/format.hpp"

namespace fs {

namespace {

IntrusiveList<FileSystemType, &FileSystemType::registry_node>& registry()
{
    static IntrusiveList<FileSystemType, &FileSystemType::registry_node> list;
    return list;
}

u32 g_next_anonymous_minor = 1;

// No filesystem type has registered yet at boot, and no anonymous device number is taken.
kernel::BootStateReset g_boot_state([] {
    while (registry().pop_front()) { }
    g_next_anonymous_minor = 1;
});

} // namespace

void Superblock::statfs(StatFs& out) const
{
    out = StatFs {};
    out.block_size = 4096;
    out.name_max = kNameMax;
}

RefPtr<Inode> Superblock::find_inode(u64 ino)
{
    for (;;) {
        RefPtr<Inode> inode(m_inodes.find(ino));
        if (!inode || !inode->is_new())
            return inode;
        // Not interruptible: the filler's I/O ends by itself, with its data or an error (wait_on_inode).
        m_new_inodes.wait_until([&] { return !inode->is_new() || !m_inodes.contains(*inode); },
            proc::kNoDeadline, proc::Interruptible::No);
        if (m_inodes.contains(*inode))
            return inode;
        // The fill failed and took it out: look again, as the next lookup would.
    }
}

bool Superblock::insert_inode(Inode& inode) { return m_inodes.insert(inode); }

bool Superblock::insert_new_inode(Inode& inode)
{
    if (!m_inodes.insert(inode))
        return false;
    inode.m_new = true;
    return true;
}

void Superblock::unlock_new_inode(Inode& inode)
{
    inode.m_new = false;
    m_new_inodes.wake_all();
}

void Superblock::discard_new_inode(Inode& inode)
{
    m_inodes.remove(inode);
    inode.m_new = false;
    m_new_inodes.wake_all();
}

void Superblock::evict_inode(Inode& inode) { m_inodes.remove(inode); }

Result<void> register_filesystem(FileSystemType& type)
{
    if (type.registry_node.is_linked() || find_filesystem(type.name()))
        return Errno::BUSY;
    registry().push_back(type);
    return {};
}

void unregister_filesystem(FileSystemType& type) { registry().remove(type); }

FileSystemType* find_filesystem(StringView name)
{
    for (auto& type : registry()) {
        if (name == StringView(type.name()))
            return &type;
    }
    return nullptr;
}

usize format_filesystems(char* buffer, usize size)
{
    usize length = 0;
    for (auto& type : registry()) {
        usize room = length < size ? size - length : 0;
        length += format(
            room ? buffer + length : nullptr, room, "%s\t%s\n", type.needs_device() ? "" : "nodev", type.name());
    }
    if (length == 0 && size > 0)
        buffer[0] = '\0';
    return length;
}

u32 allocate_anonymous_dev() { return make_dev(0, g_next_anonymous_minor++); }

} // namespace fs
