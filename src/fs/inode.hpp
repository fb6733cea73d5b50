// Inode: one file of any type as the VFS sees it (man 7 inode): its attributes, and the virtual operations a
// filesystem implements for it. Directory operations take a single name component: path walking, permission
// checks and the rules shared by all filesystems live in the VFS (namei.cpp, vfs_*.cpp); an Inode subclass only
// does what its storage needs. Unimplemented operations answer as Linux does for a filesystem without them.
#pragma once

#include "fs/types.hpp"
#include "lib/rb_tree.hpp"
#include "lib/ref_ptr.hpp"
#include "lib/result.hpp"
#include "mm/io_buffer.hpp"

namespace mm {
class FileMapping;
}

namespace fs {

class Superblock;
class OpenFile;
class FileOperations;
class FileLockContext;
class Pipe;
struct Path;

// The attributes every inode has (struct inode's i_mode, i_uid...). Times are nanoseconds since the epoch.
struct InodeAttributes {
    u64 ino { 0 };
    u32 mode { 0 }; // type and permission bits
    u32 uid { 0 };
    u32 gid { 0 };
    u32 nlink { 0 };
    u32 rdev { 0 };
    u64 size { 0 };
    u64 blocks { 0 }; // 512-byte units actually held
    i64 atime_ns { 0 };
    i64 mtime_ns { 0 };
    i64 ctime_ns { 0 };
};

// Receives entries from Inode::iterate; returns false when it has no room for this one (it is then not
// consumed and iteration stops, so the next call starts with it again).
class DirEntrySink {
public:
    virtual bool emit(const DirEntry& entry) = 0;

protected:
    ~DirEntrySink() = default;
};

class Inode : public RefCounted<Inode> {
public:
    virtual ~Inode();
    // Inodes in memory, of every filesystem: what the fuzzers check comes back to its start.
    static usize live_count();

    // Hides RefCounted's: the last reference takes the inode out of its superblock's cache before any
    // destructor runs (Linux's iput_final), so that a lookup never finds an inode that is being destroyed.
    void unref() const;

    Superblock& superblock() const { return *m_superblock; }
    InodeAttributes& attributes() { return m_attributes; }
    const InodeAttributes& attributes() const { return m_attributes; }
    u64 ino() const { return m_attributes.ino; }
    u32 mode() const { return m_attributes.mode; }
    u32 type() const { return m_attributes.mode & kIfMt; }
    bool is_directory() const { return fs::is_dir(m_attributes.mode); }
    bool is_symlink() const { return fs::is_lnk(m_attributes.mode); }
    bool is_regular() const { return fs::is_reg(m_attributes.mode); }

    // How many mounts sit on this directory: path walks look for a mount only when it is not 0, and rmdir and
    // rename of a mount point give EBUSY.
    u32 mount_count() const { return m_mount_count; }
    void add_mount() { ++m_mount_count; }
    void remove_mount() { --m_mount_count; }

    // --- state Linux keeps on struct inode, here for every filesystem ---

    // Whether the inode is in its superblock's cache (Superblock::find_inode can find it), and whether it is
    // there but still being filled from storage (I_NEW): lookups of its number wait until it is not.
    bool is_cached() const { return cache_node.is_linked(); }
    bool is_new() const { return m_new; }
    // The record locks on this file (i_flctx): made by the first lock (file_locks.hpp), freed with the inode.
    FileLockContext* lock_context() const { return m_lock_context; }
    // The context, made now if there is none yet; ENOMEM.
    Result<FileLockContext*> ensure_lock_context();
    // The pipe behind a FIFO or an anonymous pipe (i_pipe): a FIFO's is made by its first open and cleared
    // when its last reader and writer close; the open ends hold the references (pipe.cpp).
    Pipe* pipe() const { return m_pipe; }
    void set_pipe(Pipe* pipe) { m_pipe = pipe; }

    // i_writecount: how many open files may write the file (positive), or how many running programs forbid
    // that (negative): a running executable cannot be opened for writing, nor a file open for writing run
    // (ETXTBSY both ways).
    bool is_write_denied() const { return m_write_count < 0; }
    Result<void> get_write_access()
    {
        if (m_write_count < 0)
            return Errno::TXTBSY;
        ++m_write_count;
        return {};
    }
    void put_write_access() { --m_write_count; }
    Result<void> deny_write_access()
    {
        if (m_write_count > 0)
            return Errno::TXTBSY;
        --m_write_count;
        return {};
    }
    void allow_write_access() { ++m_write_count; }

    // Fills every field of a Stat from the attributes.
    void stat(Stat& out) const;
    // Sets ctime (and mtime when `modified`) to the current wall-clock time.
    void touch_ctime();
    void touch_mtime();

    // --- directory operations: `name` is one component, never "." or "..", at most kNameMax bytes ---

    // The inode named `name` in this directory: ENOENT, or ENOTDIR when this is not a directory.
    virtual Result<RefPtr<Inode>> lookup(StringView name);
    // The directory's parent (what ".." names); a filesystem's root is its own parent. ENOENT once removed.
    virtual Result<RefPtr<Inode>> parent();
    // A new non-directory, non-symlink inode (regular, FIFO, device, socket: mode carries the type). The caller
    // has checked that `name` is absent and applied umask. EEXIST, ENOSPC, ENOMEM.
    virtual Result<RefPtr<Inode>> create(StringView name, u32 mode, u32 uid, u32 gid, u32 rdev);
    virtual Result<RefPtr<Inode>> mkdir(StringView name, u32 mode, u32 uid, u32 gid);
    virtual Result<RefPtr<Inode>> symlink(StringView name, StringView target, u32 uid, u32 gid);
    // A new name for `target` (not a directory, on this filesystem). EMLINK at the link limit.
    virtual Result<void> link(StringView name, Inode& target);
    // Removes the name of a non-directory.
    virtual Result<void> unlink(StringView name);
    // Removes the name of an empty directory; ENOTEMPTY otherwise.
    virtual Result<void> rmdir(StringView name);
    // Moves `old_name` here to `new_name` in `new_dir` (same filesystem). The VFS has checked types,
    // permissions and loops; the filesystem replaces an existing target (an empty directory only: ENOTEMPTY),
    // or with kRenameExchange swaps the two, and fixes link counts.
    virtual Result<void> rename(StringView old_name, Inode& new_dir, StringView new_name, u32 flags);
    // Calls `sink` for entries from cookie `offset` on ("." is 0, ".." is 1), advancing `offset` past each
    // one it accepts. Cookies stay valid while entries come and go.
    virtual Result<void> iterate(u64& offset, DirEntrySink& sink);
    // Whether the directory has no entries but "." and "..".
    virtual bool is_empty_directory();

    // --- symlinks ---
    // Copies up to `size` bytes of the target (not NUL-terminated); returns how many. EINVAL if not a symlink.
    virtual Result<usize> readlink(char* buffer, usize size);
    // A link that leads to a place rather than a path (Linux's magic links: procfs's fd/N and exe when no
    // name reaches the file, a pipe or a removed file): the walk goes there without reading the text. EINVAL
    // for every other inode, which the walk follows by its text.
    virtual Result<void> jump_target(Path& out);

    // --- data and attributes ---
    // Sets the size, discarding or zero-extending data. EINVAL by default (no data to cut).
    virtual Result<void> truncate(u64 size);
    // Applies the attribute changes the VFS has already authorised; a size change goes through truncate().
    virtual Result<void> setattr(const SetAttr& change);
    // Regular-file data at `offset`, as much as `to` has room for (`from` holds). Reads past the end give 0
    // bytes; writes extend the file. A fault in the buffer ends the transfer short (mm/io_buffer.hpp).
    virtual Result<usize> read(u64 offset, mm::OutBuffer& to);
    virtual Result<usize> write(u64 offset, mm::InBuffer& from);
    // The same to and from kernel memory (exec, the initramfs).
    Result<usize> read(u64 offset, void* buffer, usize count);
    Result<usize> write(u64 offset, const void* buffer, usize count);

    // The file's pages as mmap maps them (its page cache and the areas mapping it), or nullptr when the
    // filesystem offers none (mmap fails with ENODEV).
    virtual mm::FileMapping* file_mapping() { return nullptr; }

    // lseek's SEEK_DATA (`hole` false) and SEEK_HOLE: by default the whole file is data, with the one hole at
    // its end. ENXIO at or past the end.
    virtual Result<u64> seek_data(u64 offset, bool hole);

    // The operations an open file of this inode uses. Device nodes and FIFOs get theirs from the VFS's device
    // hook instead (see file_operations.hpp).
    virtual FileOperations& file_operations();

    // On the superblock's inode cache, keyed by ino() (which must not change while cached).
    RbTreeNode cache_node;

protected:
    Inode(Superblock& superblock, u64 ino, u32 mode);

private:
    friend class Superblock; // sets m_new

    RefPtr<Superblock> m_superblock;
    InodeAttributes m_attributes;
    u32 m_mount_count { 0 };
    i32 m_write_count { 0 };
    bool m_new { false };
    FileLockContext* m_lock_context { nullptr };
    Pipe* m_pipe { nullptr };
};

} // namespace fs
