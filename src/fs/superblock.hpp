// Superblock: one mounted instance of a filesystem (struct super_block), and FileSystemType, the registry of
// filesystems by name that mount(2) consults and /proc/filesystems lists.
#pragma once

#include "fs/inode.hpp"
#include "lib/intrusive_list.hpp"

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

protected:
    Superblock(const FileSystemType& type, u32 dev)
        : m_type(type)
        , m_dev(dev)
    {
    }

private:
    const FileSystemType& m_type;
    u32 m_dev;
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
