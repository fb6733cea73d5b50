// Open file descriptions: position, status flags, and the checks read/write/lseek make before reaching the
// file's operations.
#include "fs/open_file.hpp"

#include <utility>

#include "lib/string.hpp"

namespace fs {

namespace {

constexpr u32 kSettableStatusFlags = kOAppend | kONonBlock | kOAsync | kODirect | kONoATime;
constexpr u32 kCreationFlags = kOCreat | kOExcl | kONoCtty | kOTrunc;

} // namespace

namespace {
usize g_live_open_files;
}

OpenFile::OpenFile(Path path, u32 flags, FileOperations& operations)
    : m_path(std::move(path))
    , m_flags(flags & ~kCreationFlags)
    , m_operations(operations)
{
    ++g_live_open_files;
}

usize OpenFile::live_count() { return g_live_open_files; }

Result<RefPtr<OpenFile>> OpenFile::create(Path path, u32 flags, FileOperations& operations)
{
    auto file = TRY(make_ref<OpenFile>(std::move(path), flags, operations));
    if (file->writable() && file->inode().is_regular()) {
        TRY(file->inode().get_write_access());
        file->m_write_access = true;
    }
    if (!file->is_path_only())
        TRY(operations.open(*file));
    file->m_opened = true;
    return file;
}

OpenFile::~OpenFile()
{
    --g_live_open_files;
    if (m_opened && !is_path_only())
        m_operations.release(*this);
    if (m_write_access)
        inode().put_write_access();
    if (m_denies_write)
        inode().allow_write_access();
}

Result<void> OpenFile::deny_write()
{
    if (m_denies_write)
        return {};
    TRY(inode().deny_write_access());
    m_denies_write = true;
    return {};
}

void OpenFile::set_name(const Path& directory, StringView name)
{
    auto copy = mm::String::copy(name);
    if (copy.is_error())
        return;
    m_name = copy.release_value();
    m_directory = directory;
}

void OpenFile::set_status_flags(u32 flags)
{
    m_flags = (m_flags & ~kSettableStatusFlags) | (flags & kSettableStatusFlags);
}

namespace {

// What a transfer returns: EFAULT for a buffer that faulted before anything moved, else what moved.
Result<usize> moved(Result<usize> result, const mm::IoBuffer& buffer)
{
    if (!result.is_error() && result.value() == 0 && buffer.faulted())
        return Errno::FAULT;
    return result;
}

} // namespace

Result<void> OpenFile::fit_to_size_limit(mm::InBuffer& from, u64 at) const
{
    if (from.remaining() > 0 && at >= size_limit())
        return Errno::FBIG;
    if (size_limit() - at < from.remaining())
        from.limit(static_cast<usize>(size_limit() - at)); // a short write up to the limit
    return {};
}

Result<usize> OpenFile::read(mm::OutBuffer& to)
{
    if (!readable())
        return Errno::BADF;
    if (inode().is_directory())
        return Errno::ISDIR;
    usize done = TRY(moved(m_operations.read(*this, m_offset, to), to));
    if (m_operations.seekable())
        m_offset += done;
    return done;
}

Result<usize> OpenFile::write(mm::InBuffer& from)
{
    if (!writable())
        return Errno::BADF;
    if (m_operations.seekable() && (m_flags & kOAppend))
        m_offset = inode().attributes().size;
    if (m_operations.seekable() && inode().is_regular())
        TRY(fit_to_size_limit(from, m_offset));
    usize done = TRY(moved(m_operations.write(*this, m_offset, from), from));
    if (m_operations.seekable())
        m_offset += done;
    return done;
}

Result<usize> OpenFile::pread(mm::OutBuffer& to, i64 offset)
{
    if (!readable())
        return Errno::BADF;
    if (offset < 0)
        return Errno::INVAL;
    if (!m_operations.seekable())
        return Errno::SPIPE;
    if (inode().is_directory())
        return Errno::ISDIR;
    return moved(m_operations.read(*this, static_cast<u64>(offset), to), to);
}

Result<usize> OpenFile::pwrite(mm::InBuffer& from, i64 offset)
{
    if (!writable())
        return Errno::BADF;
    if (offset < 0)
        return Errno::INVAL;
    if (!m_operations.seekable())
        return Errno::SPIPE;
    // Linux quirk kept: with O_APPEND, pwrite appends (man 2 pwrite, BUGS).
    u64 at = (m_flags & kOAppend) ? inode().attributes().size : static_cast<u64>(offset);
    if (inode().is_regular())
        TRY(fit_to_size_limit(from, at));
    return moved(m_operations.write(*this, at, from), from);
}

Result<usize> OpenFile::read(void* buffer, usize count)
{
    auto to = mm::OutBuffer::kernel(buffer, count);
    return read(to);
}

Result<usize> OpenFile::write(const void* buffer, usize count)
{
    auto from = mm::InBuffer::kernel(buffer, count);
    return write(from);
}

Result<usize> OpenFile::pread(void* buffer, usize count, i64 offset)
{
    auto to = mm::OutBuffer::kernel(buffer, count);
    return pread(to, offset);
}

Result<usize> OpenFile::pwrite(const void* buffer, usize count, i64 offset)
{
    auto from = mm::InBuffer::kernel(buffer, count);
    return pwrite(from, offset);
}

Result<u64> OpenFile::seek(i64 offset, u32 whence)
{
    if (is_path_only())
        return Errno::BADF;
    if (!m_operations.seekable())
        return Errno::SPIPE;
    i64 base;
    bool directory = inode().is_directory();
    switch (whence) {
    case kSeekSet:
        base = 0;
        break;
    case kSeekCur:
        base = static_cast<i64>(m_offset);
        break;
    case kSeekEnd:
        if (directory)
            return Errno::INVAL;
        base = static_cast<i64>(inode().attributes().size);
        break;
    case kSeekData:
    case kSeekHole: {
        if (directory || offset < 0)
            return directory ? Errno::INVAL : Errno::NXIO;
        m_offset = TRY(inode().seek_data(static_cast<u64>(offset), whence == kSeekHole));
        return m_offset;
    }
    default:
        return Errno::INVAL;
    }
    i64 target;
    if (__builtin_add_overflow(base, offset, &target) || target < 0)
        return Errno::INVAL;
    if (!directory && inode().is_regular() && static_cast<u64>(target) > kMaxFileSize)
        return Errno::INVAL;
    m_offset = static_cast<u64>(target);
    return m_offset;
}

Result<void> OpenFile::iterate(DirEntrySink& sink)
{
    if (is_path_only())
        return Errno::BADF;
    if (!inode().is_directory())
        return Errno::NOTDIR;
    if (inode().attributes().nlink == 0)
        return Errno::NOENT; // a removed directory lists nothing (Linux: ENOENT)
    return inode().iterate(m_offset, sink);
}

} // namespace fs
