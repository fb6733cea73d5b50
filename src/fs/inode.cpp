// The parts of Inode every filesystem shares: attributes, stat, setattr, and the answers for operations a
// filesystem does not provide (ENOTDIR on a non-directory, EPERM for a directory that cannot hold that kind).
#include "fs/inode.hpp"

#include "fs/file_locks.hpp"
#include "fs/file_operations.hpp"
#include "fs/superblock.hpp"
#include "kernel/clock.hpp"

namespace fs {

namespace {
usize g_live_inodes;
}

Inode::Inode(Superblock& superblock, u64 ino, u32 mode)
    : m_superblock(&superblock)
{
    ++g_live_inodes;
    m_attributes.ino = ino;
    m_attributes.mode = mode;
    i64 now = realtime_ns();
    m_attributes.atime_ns = m_attributes.mtime_ns = m_attributes.ctime_ns = now;
}

Inode::~Inode()
{
    destroy_lock_context(m_lock_context);
    --g_live_inodes;
}

void Inode::unref() const
{
    if (ref_count() == 1)
        m_superblock->evict_inode(const_cast<Inode&>(*this));
    RefCounted<Inode>::unref();
}

usize Inode::live_count() { return g_live_inodes; }

void Inode::stat(Stat& out) const
{
    out.dev = m_superblock->dev();
    out.ino = m_attributes.ino;
    out.mode = m_attributes.mode;
    out.nlink = m_attributes.nlink;
    out.uid = m_attributes.uid;
    out.gid = m_attributes.gid;
    out.rdev = m_attributes.rdev;
    out.size = m_attributes.size;
    out.blksize = 4096;
    out.blocks = m_attributes.blocks;
    out.atime_ns = m_attributes.atime_ns;
    out.mtime_ns = m_attributes.mtime_ns;
    out.ctime_ns = m_attributes.ctime_ns;
}

void Inode::touch_ctime() { m_attributes.ctime_ns = realtime_ns(); }

void Inode::touch_mtime() { m_attributes.mtime_ns = m_attributes.ctime_ns = realtime_ns(); }

Result<RefPtr<Inode>> Inode::lookup(StringView) { return is_directory() ? Errno::NOENT : Errno::NOTDIR; }
Result<RefPtr<Inode>> Inode::parent() { return is_directory() ? Errno::NOENT : Errno::NOTDIR; }
Result<RefPtr<Inode>> Inode::create(StringView, u32, u32, u32, u32)
{
    return is_directory() ? Errno::PERM : Errno::NOTDIR;
}
Result<RefPtr<Inode>> Inode::mkdir(StringView, u32, u32, u32) { return is_directory() ? Errno::PERM : Errno::NOTDIR; }
Result<RefPtr<Inode>> Inode::symlink(StringView, StringView, u32, u32)
{
    return is_directory() ? Errno::PERM : Errno::NOTDIR;
}
Result<void> Inode::link(StringView, Inode&) { return is_directory() ? Errno::PERM : Errno::NOTDIR; }
Result<void> Inode::unlink(StringView) { return is_directory() ? Errno::PERM : Errno::NOTDIR; }
Result<void> Inode::rmdir(StringView) { return is_directory() ? Errno::PERM : Errno::NOTDIR; }
Result<void> Inode::rename(StringView, Inode&, StringView, u32) { return is_directory() ? Errno::PERM : Errno::NOTDIR; }
Result<void> Inode::iterate(u64&, DirEntrySink&) { return Errno::NOTDIR; }
bool Inode::is_empty_directory() { return false; }
Result<usize> Inode::readlink(char*, usize) { return Errno::INVAL; }

Result<void> Inode::jump_target(Path&) { return Errno::INVAL; }
Result<void> Inode::truncate(u64) { return Errno::INVAL; }
Result<usize> Inode::read(u64, mm::OutBuffer&) { return is_directory() ? Errno::ISDIR : Errno::INVAL; }
Result<usize> Inode::write(u64, mm::InBuffer&) { return is_directory() ? Errno::ISDIR : Errno::INVAL; }

Result<usize> Inode::read(u64 offset, void* buffer, usize count)
{
    auto to = mm::OutBuffer::kernel(buffer, count);
    return read(offset, to);
}

Result<usize> Inode::write(u64 offset, const void* buffer, usize count)
{
    auto from = mm::InBuffer::kernel(buffer, count);
    return write(offset, from);
}
Result<u64> Inode::seek_data(u64 offset, bool hole)
{
    if (offset >= m_attributes.size)
        return Errno::NXIO;
    return hole ? m_attributes.size : offset;
}

FileOperations& Inode::file_operations() { return inode_file_operations(); }

Result<void> Inode::setattr(const SetAttr& change)
{
    if (change.valid & SetAttr::kSize)
        TRY(truncate(change.size));
    auto& a = m_attributes;
    if (change.valid & SetAttr::kMode)
        a.mode = (a.mode & kIfMt) | (change.mode & kPermissionBits);
    if (change.valid & SetAttr::kUid)
        a.uid = change.uid;
    if (change.valid & SetAttr::kGid)
        a.gid = change.gid;
    if (change.valid & SetAttr::kAtime)
        a.atime_ns = change.atime_ns;
    if (change.valid & SetAttr::kMtime)
        a.mtime_ns = change.mtime_ns;
    if (change.valid & SetAttr::kCtime)
        a.ctime_ns = change.ctime_ns;
    return {};
}

} // namespace fs
