// OpenFile: an open file description (man 2 open, "open file description"): the place it was opened at, the
// file position and status flags that every descriptor dup'd from it, or inherited over fork, shares.
#pragma once

#include "fs/file_operations.hpp"
#include "fs/mount.hpp"
#include "mm/string.hpp"

namespace fs {

class OpenFile : public RefCounted<OpenFile> {
public:
    // Opens `path` with open(2) `flags` (access mode and status flags; creation flags are dropped) through
    // `operations`, whose open() hook may refuse.
    static Result<RefPtr<OpenFile>> create(Path path, u32 flags, FileOperations& operations);
    ~OpenFile();
    // Open file descriptions in existence, for the fuzzers' leak check.
    static usize live_count();

    const Path& path() const { return m_path; }
    Inode& inode() const { return *m_path.inode; }
    FileOperations& operations() const { return m_operations; }
    u32 flags() const { return m_flags; }
    bool is_path_only() const { return m_flags & kOPath; }
    bool readable() const
    {
        return !is_path_only() && ((m_flags & kOAccMode) == kORdOnly || (m_flags & kOAccMode) == kORdWr);
    }
    bool writable() const
    {
        return !is_path_only() && ((m_flags & kOAccMode) == kOWrOnly || (m_flags & kOAccMode) == kORdWr);
    }
    // Forbids opening the inode for writing while this open file lives (a running program's executable);
    // ETXTBSY when it is open for writing now.
    Result<void> deny_write();
    // F_SETFL: only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME change (man 2 fcntl).
    void set_status_flags(u32 flags);

    u64 offset() const { return m_offset; }

    // read(2)/write(2) at the file position, which advances: into `to` as much as it has room for, from
    // `from` all it holds. EBADF when not open for it (or O_PATH), EISDIR for a directory, EFAULT when the
    // buffer faulted before anything moved (after, a short count). O_APPEND writes go to the end of file. A
    // write at the size limit (kMaxFileSize, or kMaxNonLfsSize without O_LARGEFILE) gives EFBIG; one that
    // crosses it is cut short there.
    Result<usize> read(mm::OutBuffer& to);
    Result<usize> write(mm::InBuffer& from);
    // pread(2)/pwrite(2): at `offset`, leaving the position alone. EINVAL for a negative offset, ESPIPE when
    // the file cannot seek.
    Result<usize> pread(mm::OutBuffer& to, i64 offset);
    Result<usize> pwrite(mm::InBuffer& from, i64 offset);
    // The same with kernel memory.
    Result<usize> read(void* buffer, usize count);
    Result<usize> write(const void* buffer, usize count);
    Result<usize> pread(void* buffer, usize count, i64 offset);
    Result<usize> pwrite(const void* buffer, usize count, i64 offset);
    // lseek(2): SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE. EINVAL for a bad whence or a negative or
    // too-large result, ENXIO for DATA/HOLE at or past the end, ESPIPE for a pipe. Directories take SET and CUR
    // only (their offset is an iteration cookie).
    Result<u64> seek(i64 offset, u32 whence);
    // getdents(2): entries from the file position (a cookie) on, into `sink`; the position follows. ENOTDIR.
    Result<void> iterate(DirEntrySink& sink);

    // For whatever the operations keep per open file (a pipe end, a terminal).
    void* private_data { nullptr };

    // Where a file that is not a directory was opened: the directory and the name in it (an inode alone cannot
    // say, having maybe several names or none). /proc/<pid>/fd and exe show it. Without memory, no name.
    void set_name(const Path& directory, StringView name);
    const Path& directory() const { return m_directory; }
    StringView name() const { return m_name.view(); }

    // Public only for make_ref.
    OpenFile(Path path, u32 flags, FileOperations& operations);

private:
    // Where writes stop: MAX_LFS_FILESIZE, or 2 GiB - 1 without O_LARGEFILE (generic_write_check_limits).
    u64 size_limit() const { return (m_flags & kOLargeFile) ? kMaxFileSize : kMaxNonLfsSize; }
    // A regular file's write at `at`: EFBIG at the limit, cut short at it when it would cross.
    Result<void> fit_to_size_limit(mm::InBuffer& from, u64 at) const;

    Path m_path;
    u32 m_flags;
    FileOperations& m_operations;
    u64 m_offset { 0 };
    bool m_opened { false };
    bool m_write_access { false }; // holds one of the inode's write accesses
    bool m_denies_write { false }; // a running program's: the inode cannot be opened for writing
    Path m_directory;
    mm::String m_name;
};

} // namespace fs
