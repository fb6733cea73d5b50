// Superblock: one mounted instance of a filesystem (struct super_block) with its inode cache, and
// FileSystemType, the registry of filesystems by name that mount(2) consults and /proc/filesystems lists.
#pragma once

#include "fs/inode.hpp"
#include "lib/intrusive_list.hpp"
#include "proc/wait_queue.hpp"

namespace fs {

class FileSystemType;

// What statfs(2) reports (struct statfs64's fields, in f_bsize blocks).
struct StatFs {
    u32 type;
    u32 block_size;
    u64 blocks;
    u64 blocks_free;
    u64 files;
    u64 files_free;
    u32 name_max;
};

class Superblock : public RefCounted<Superblock> {
public:
    virtual ~Superblock() = default;

    const FileSystemType& type() const { return m_type; }
    // The st_dev of every inode here.
    u32 dev() const { return m_dev; }
    virtual void statfs(StatFs& out) const;

    // --- the inode cache: at most one in-memory inode per number (Linux's icache, xv6's iget) ---
    // The cache holds no references: an inode leaves it when its last reference goes (Inode::unref). A
    // filesystem that keeps its inodes alive itself (tmpfs's directory entries) thereby keeps them cached.

    // iget: the inode numbered `ino`, from the cache, or else made by `make(ino)` (a Result<RefPtr<T>> of a
    // new inode, attributes not yet read) and filled by `fill(T&)` (a Result<void>; it may sleep on disk I/O).
    // While it fills, the inode is cached but new: other lookups of `ino` wait for it. A failed fill takes it
    // out of the cache again and is this call's error; those waiting then look again.
    template<typename T, typename Make, typename Fill>
    Result<RefPtr<T>> get_inode(u64 ino, Make make, Fill fill)
    {
        for (;;) {
            if (RefPtr<Inode> cached = find_inode(ino))
                return RefPtr<T>(static_cast<T*>(cached.get()));
            RefPtr<T> inode = TRY(make(ino));
            if (!insert_new_inode(*inode))
                continue; // `make` slept and someone else cached `ino` meanwhile
            if (auto filled = fill(*inode); filled.is_error()) {
                discard_new_inode(*inode);
                return filled.error();
            }
            unlock_new_inode(*inode);
            return inode;
        }
    }
    // The cached inode numbered `ino`, or nullptr (ilookup). Waits while it is new.
    RefPtr<Inode> find_inode(u64 ino);
    // Caches an inode the filesystem made whole (a newly created file: new_inode + insert_inode_hash). False
    // when `ino` is already cached, which is a filesystem bug for a number it just allocated.
    [[nodiscard]] bool insert_inode(Inode& inode);
    // The halves of get_inode for a filesystem that cannot use it: cache `inode` marked new (false when `ino`
    // is cached already), then either unlock it (filled) or discard it (iget_failed).
    [[nodiscard]] bool insert_new_inode(Inode& inode);
    void unlock_new_inode(Inode& inode);
    void discard_new_inode(Inode& inode);
    // Inode::unref's step before the last reference goes.
    void evict_inode(Inode& inode);
    usize cached_inodes() const { return m_inodes.size(); }

protected:
    Superblock(const FileSystemType& type, u32 dev)
        : m_type(type)
        , m_dev(dev)
    {
    }

private:
    struct InodeNumber {
        u64 operator()(const Inode& inode) const { return inode.ino(); }
    };

    const FileSystemType& m_type;
    u32 m_dev;
    RbTree<Inode, &Inode::cache_node, InodeNumber> m_inodes;
    proc::WaitQueue m_new_inodes; // lookups waiting for an inode to be filled
};

// A new superblock and its root directory, as a filesystem's mount function makes them.
struct MountSource {
    RefPtr<Superblock> superblock;
    RefPtr<Inode> root;
};

class FileSystemType {
public:
    // `mount` makes a new instance from mount(2)'s source and data strings (options, comma-separated).
    using MountFunction = Result<MountSource> (*)(const FileSystemType& type, StringView source, StringView options);

    FileSystemType(const char* name, bool needs_device, MountFunction mount)
        : m_name(name)
        , m_needs_device(needs_device)
        , m_mount(mount)
    {
    }
    FileSystemType(const FileSystemType&) = delete;
    FileSystemType& operator=(const FileSystemType&) = delete;

    const char* name() const { return m_name; }
    bool needs_device() const { return m_needs_device; }
    Result<MountSource> mount(StringView source, StringView options) const { return m_mount(*this, source, options); }

    IntrusiveListNode registry_node;

private:
    const char* m_name;
    bool m_needs_device;
    MountFunction m_mount;
};

// Adds `type` to the registry; EBUSY when one of that name is already there (register_filesystem).
Result<void> register_filesystem(FileSystemType& type);
void unregister_filesystem(FileSystemType& type);
// The type called `name`, or nullptr (mount(2) then fails with ENODEV).
FileSystemType* find_filesystem(StringView name);
// Formats /proc/filesystems ("nodev\ttmpfs\n" per type) into `buffer` with format()'s contract.
usize format_filesystems(char* buffer, usize size);

// A fresh device number with major 0 for a filesystem without a device (get_anon_bdev). Never reused yet.
u32 allocate_anonymous_dev();

} // namespace fs
