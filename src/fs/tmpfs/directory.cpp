// tmpfs directories. Entries sit on two trees: by name (lookup, create and unlink in O(log n)) and by cookie
// (getdents). A cookie is handed out once per entry, in increasing order, so "continue after cookie c" is a
// lower_bound on the cookie tree that works whatever was removed in between; offsets 0 and 1 are "." and "..".
// Link counts follow Unix: a directory starts at 2 ("." and its name) and each subdirectory's ".." adds one.
#include "fs/tmpfs/tmpfs.hpp"

#include "lib/own_ptr.hpp"
#include "lib/string.hpp"

namespace fs::tmpfs {

bool TmpfsInode::NameLess::operator()(StringView a, StringView b) const
{
    usize common = a.length() < b.length() ? a.length() : b.length();
    int order = compare_bytes(a.characters(), b.characters(), common);
    if (order != 0)
        return order < 0;
    return a.length() < b.length();
}

void TmpfsInode::link_entry(DirectoryEntry& entry)
{
    entry.cookie = m_next_cookie++;
    bool by_name = m_by_name.insert(entry);
    bool by_cookie = m_by_cookie.insert(entry);
    (void)by_name; // callers checked the name is absent; cookies only grow
    (void)by_cookie;
    attributes().size = m_by_name.size();
}

Result<void> TmpfsInode::add_entry(StringView name, RefPtr<TmpfsInode> inode)
{
    auto copy = TRY(mm::String::copy(name));
    auto entry = TRY(make_own<DirectoryEntry>());
    entry->name = std::move(copy);
    entry->inode = std::move(inode);
    link_entry(*entry.leak());
    return {};
}

void TmpfsInode::remove_entry(DirectoryEntry& entry)
{
    m_by_name.remove(entry);
    m_by_cookie.remove(entry);
    attributes().size = m_by_name.size();
    OwnPtr<DirectoryEntry> owner(&entry);
}

Result<RefPtr<Inode>> TmpfsInode::lookup(StringView name)
{
    if (!is_directory())
        return Errno::NOTDIR;
    DirectoryEntry* entry = find_entry(name);
    if (!entry)
        return Errno::NOENT;
    return RefPtr<Inode>(entry->inode);
}

Result<RefPtr<Inode>> TmpfsInode::parent()
{
    if (!is_directory())
        return Errno::NOTDIR;
    if (!m_parent)
        return Errno::NOENT; // removed
    return RefPtr<Inode>(m_parent);
}

Result<RefPtr<Inode>> TmpfsInode::make_child(
    StringView name, u32 mode, u32 uid, u32 gid, u32 rdev, StringView link_target)
{
    if (!is_directory())
        return Errno::NOTDIR;
    if (attributes().nlink == 0)
        return Errno::NOENT;
    if (find_entry(name))
        return Errno::EXIST;
    auto child = TRY(tmpfs().new_inode(mode, uid, gid, rdev));
    if (is_lnk(mode))
        TRY(child->set_link_target(link_target));
    TRY(add_entry(name, child));
    if (child->is_directory()) {
        child->m_parent = this;
        ++attributes().nlink;
    }
    touch_mtime();
    return RefPtr<Inode>(child);
}

Result<RefPtr<Inode>> TmpfsInode::create(StringView name, u32 mode, u32 uid, u32 gid, u32 rdev)
{
    if (is_dir(mode) || is_lnk(mode))
        return Errno::INVAL;
    return make_child(name, mode, uid, gid, rdev);
}

Result<RefPtr<Inode>> TmpfsInode::mkdir(StringView name, u32 mode, u32 uid, u32 gid)
{
    return make_child(name, kIfDir | (mode & kPermissionBits), uid, gid, 0);
}

Result<RefPtr<Inode>> TmpfsInode::symlink(StringView name, StringView target, u32 uid, u32 gid)
{
    return make_child(name, kIfLnk | 0777, uid, gid, 0, target);
}

Result<void> TmpfsInode::link(StringView name, Inode& target)
{
    if (!is_directory())
        return Errno::NOTDIR;
    if (attributes().nlink == 0)
        return Errno::NOENT;
    if (&target.superblock() != &superblock())
        return Errno::XDEV;
    if (target.is_directory())
        return Errno::PERM;
    if (find_entry(name))
        return Errno::EXIST;
    if (target.attributes().nlink >= kMaxLinks)
        return Errno::MLINK;
    TRY(add_entry(name, RefPtr<TmpfsInode>(static_cast<TmpfsInode*>(&target))));
    ++target.attributes().nlink;
    target.touch_ctime();
    touch_mtime();
    return {};
}

Result<void> TmpfsInode::unlink(StringView name)
{
    if (!is_directory())
        return Errno::NOTDIR;
    DirectoryEntry* entry = find_entry(name);
    if (!entry)
        return Errno::NOENT;
    if (entry->inode->is_directory())
        return Errno::ISDIR;
    RefPtr<TmpfsInode> victim = entry->inode;
    remove_entry(*entry);
    --victim->attributes().nlink;
    victim->touch_ctime();
    touch_mtime();
    return {};
}

Result<void> TmpfsInode::rmdir(StringView name)
{
    if (!is_directory())
        return Errno::NOTDIR;
    DirectoryEntry* entry = find_entry(name);
    if (!entry)
        return Errno::NOENT;
    if (!entry->inode->is_directory())
        return Errno::NOTDIR;
    if (!entry->inode->is_empty_directory())
        return Errno::NOTEMPTY;
    RefPtr<TmpfsInode> victim = entry->inode;
    remove_entry(*entry);
    // A removed directory has no links and no parent: nothing may be created in it and ".." fails.
    victim->attributes().nlink = 0;
    victim->m_parent = nullptr;
    victim->touch_ctime();
    --attributes().nlink;
    touch_mtime();
    return {};
}

bool TmpfsInode::is_empty_directory() { return is_directory() && m_by_name.is_empty(); }

Result<void> TmpfsInode::rename(StringView old_name, Inode& new_dir_inode, StringView new_name, u32 flags)
{
    if (!is_directory() || !new_dir_inode.is_directory())
        return Errno::NOTDIR;
    if (&new_dir_inode.superblock() != &superblock())
        return Errno::XDEV;
    auto& new_dir = static_cast<TmpfsInode&>(new_dir_inode);
    DirectoryEntry* old_entry = find_entry(old_name);
    if (!old_entry)
        return Errno::NOENT;
    DirectoryEntry* new_entry = new_dir.find_entry(new_name);
    RefPtr<TmpfsInode> moving = old_entry->inode;

    if (flags & kRenameExchange) {
        if (!new_entry)
            return Errno::NOENT;
        RefPtr<TmpfsInode> other = new_entry->inode;
        if (&new_dir != this) {
            if (moving->is_directory() != other->is_directory()) {
                // The directory among the two changes parent: move one ".." link across.
                TmpfsInode& gains = moving->is_directory() ? new_dir : *this;
                TmpfsInode& loses = moving->is_directory() ? *this : new_dir;
                ++gains.attributes().nlink;
                --loses.attributes().nlink;
            }
            if (moving->is_directory())
                moving->m_parent = &new_dir;
            if (other->is_directory())
                other->m_parent = this;
        }
        old_entry->inode = other;
        new_entry->inode = moving;
        moving->touch_ctime();
        other->touch_ctime();
        touch_mtime();
        new_dir.touch_mtime();
        return {};
    }

    if (new_entry) {
        if (flags & kRenameNoReplace)
            return Errno::EXIST;
        if (new_entry->inode == moving)
            return {};
        if (new_entry->inode->is_directory() && !new_entry->inode->is_empty_directory())
            return Errno::NOTEMPTY;
    }
    // The only allocation comes first, so that a failure leaves both directories as they were.
    auto name_copy = TRY(mm::String::copy(new_name));

    if (new_entry) {
        RefPtr<TmpfsInode> victim = new_entry->inode;
        new_dir.remove_entry(*new_entry);
        if (victim->is_directory()) {
            victim->attributes().nlink = 0;
            victim->m_parent = nullptr;
            --new_dir.attributes().nlink;
        } else {
            --victim->attributes().nlink;
        }
        victim->touch_ctime();
    }
    m_by_name.remove(*old_entry);
    m_by_cookie.remove(*old_entry);
    attributes().size = m_by_name.size();
    old_entry->name = std::move(name_copy);
    new_dir.link_entry(*old_entry);
    if (moving->is_directory() && &new_dir != this) {
        moving->m_parent = &new_dir;
        --attributes().nlink;
        ++new_dir.attributes().nlink;
    }
    moving->touch_ctime();
    touch_mtime();
    new_dir.touch_mtime();
    return {};
}

Result<void> TmpfsInode::iterate(u64& offset, DirEntrySink& sink)
{
    if (!is_directory())
        return Errno::NOTDIR;
    if (offset == 0) {
        if (!sink.emit(DirEntry { ino(), 1, dirent_type(kIfDir), "." }))
            return {};
        offset = 1;
    }
    if (offset == 1) {
        u64 parent_ino = m_parent ? m_parent->ino() : ino();
        if (!sink.emit(DirEntry { parent_ino, 2, dirent_type(kIfDir), ".." }))
            return {};
        offset = 2;
    }
    for (DirectoryEntry* entry = m_by_cookie.lower_bound(offset); entry; entry = m_by_cookie.next(*entry)) {
        DirEntry out { entry->inode->ino(), entry->cookie + 1, dirent_type(entry->inode->mode()), entry->name_view() };
        if (!sink.emit(out))
            return {};
        offset = entry->cookie + 1;
    }
    return {};
}

} // namespace fs::tmpfs
