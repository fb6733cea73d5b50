// tmpfs: a filesystem wholly in memory (Documentation/filesystems/tmpfs.rst). Files keep their data in sparse
// pages (file_pages.hpp); directories keep their entries in two red-black trees, by name for lookups that stay
// O(log n) in huge directories, and by a cookie handed out in creation order, so that getdents offsets stay
// valid while entries are removed (directory.cpp). Mount options: size=N[k|m|g|%], nr_inodes=N, mode=OCTAL,
// uid=N, gid=N.
#pragma once

#include "fs/superblock.hpp"
#include "fs/tmpfs/file_pages.hpp"
#include "mm/mapped_pages.hpp"
#include "mm/string.hpp"

namespace fs::tmpfs {

class TmpfsInode;

class TmpfsSuperblock final : public Superblock {
public:
    TmpfsSuperblock(const FileSystemType& type, u64 max_pages, u64 max_inodes);
    void statfs(StatFs& out) const override;

    PageBudget& budget() { return m_budget; }
    // A new inode of `mode` owned by uid/gid, counted against nr_inodes (ENOSPC).
    Result<RefPtr<TmpfsInode>> new_inode(u32 mode, u32 uid, u32 gid, u32 rdev);
    void inode_gone() { --m_inodes; }

private:
    PageBudget m_budget;
    u64 m_max_inodes;
    u64 m_inodes { 0 };
    u64 m_next_ino { 1 };
};

// One name in a directory.
struct DirectoryEntry {
    RbTreeNode by_name;
    RbTreeNode by_cookie;
    u64 cookie { 0 };
    mm::String name;
    RefPtr<TmpfsInode> inode;

    StringView name_view() const { return name.view(); }
};

class TmpfsInode final : public Inode, private mm::MappedFile {
public:
    // A file may have at most this many names (EMLINK beyond).
    static constexpr u32 kMaxLinks = 0xffffffffu - 1;

    TmpfsInode(TmpfsSuperblock& superblock, u64 ino, u32 mode);
    ~TmpfsInode() override;

    Result<RefPtr<Inode>> lookup(StringView name) override;
    Result<RefPtr<Inode>> parent() override;
    Result<RefPtr<Inode>> create(StringView name, u32 mode, u32 uid, u32 gid, u32 rdev) override;
    Result<RefPtr<Inode>> mkdir(StringView name, u32 mode, u32 uid, u32 gid) override;
    Result<RefPtr<Inode>> symlink(StringView name, StringView target, u32 uid, u32 gid) override;
    Result<void> link(StringView name, Inode& target) override;
    Result<void> unlink(StringView name) override;
    Result<void> rmdir(StringView name) override;
    Result<void> rename(StringView old_name, Inode& new_dir, StringView new_name, u32 flags) override;
    Result<void> iterate(u64& offset, DirEntrySink& sink) override;
    bool is_empty_directory() override;
    Result<usize> readlink(char* buffer, usize size) override;
    Result<void> truncate(u64 size) override;
    using Inode::read;
    using Inode::write;
    Result<usize> read(u64 offset, mm::OutBuffer& to) override;
    Result<usize> write(u64 offset, mm::InBuffer& from) override;

    mm::FileMapping* file_mapping() override { return is_regular() ? &m_mapping : nullptr; }

    // SEEK_DATA / SEEK_HOLE answers for a regular file; ENXIO at or past the end.
    Result<u64> seek_data(u64 offset, bool hole) override;
    usize entry_count() const { return m_by_name.size(); }

    // Sets the symlink body (once, at creation).
    Result<void> set_link_target(StringView target);

private:
    TmpfsSuperblock& tmpfs() const { return static_cast<TmpfsSuperblock&>(superblock()); }
    DirectoryEntry* find_entry(StringView name) const { return m_by_name.find(name); }
    // Adds `name` -> `inode`; the caller has made sure the name is absent.
    Result<void> add_entry(StringView name, RefPtr<TmpfsInode> inode);
    void remove_entry(DirectoryEntry& entry);
    void link_entry(DirectoryEntry& entry);
    Result<RefPtr<Inode>> make_child(
        StringView name, u32 mode, u32 uid, u32 gid, u32 rdev, StringView link_target = StringView());
    void update_blocks();

    // mm::MappedFile: a mapping pins the inode; tmpfs pages have no store to go back to.
    void pin() override { ref(); }
    void unpin() override { unref(); }
    u64 size() const override { return attributes().size; }
    void page_added(u64) override { update_blocks(); }
    Result<void> punch_hole(u64 first, u64 count) override;

    struct EntryName {
        StringView operator()(const DirectoryEntry& entry) const { return entry.name_view(); }
    };
    struct NameLess {
        bool operator()(StringView a, StringView b) const;
    };
    struct EntryCookie {
        u64 operator()(const DirectoryEntry& entry) const { return entry.cookie; }
    };

    // Directories.
    TmpfsInode* m_parent { nullptr }; // not counted: a child never outlives its place in the parent
    RbTree<DirectoryEntry, &DirectoryEntry::by_name, EntryName, NameLess> m_by_name;
    RbTree<DirectoryEntry, &DirectoryEntry::by_cookie, EntryCookie> m_by_cookie;
    u64 m_next_cookie { 2 };
    // Regular files.
    FilePages m_pages;
    mm::FileMapping m_mapping { m_pages.cache(), *this };
    // Symlinks.
    mm::String m_link_target;
};

// The "tmpfs" type, for register_filesystem.
FileSystemType& filesystem_type();
// A new tmpfs instance with `options` (as mount(2)'s data); EINVAL for an unknown or malformed option.
Result<MountSource> create(StringView options);
// The same, reporting itself as `type` (devtmpfs is a tmpfs under another name in /proc/mounts and statfs).
Result<MountSource> create(StringView options, const FileSystemType& type);

} // namespace fs::tmpfs
