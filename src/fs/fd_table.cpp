// The descriptor table: an array of slots grown by doubling up to the caller's limit, each holding
// one reference to its open file description.
#include "fs/fd_table.hpp"

#include "fs/file_locks.hpp"

namespace fs {

Result<RefPtr<FdTable>> FdTable::create() { return make_ref<FdTable>(); }

FdTable::~FdTable() { close_all(); }

Result<void> FdTable::grow_to(u32 slots)
{
    if (slots <= capacity())
        return {};
    u32 size = capacity() ? capacity() : 16;
    while (size < slots)
        size *= 2;
    return m_slots.try_resize(size);
}

void FdTable::set(i32 fd, OpenFile* file, bool close_on_exec)
{
    OpenFile* old = m_slots[fd].file;
    if (old)
        release_posix_locks_on_close(*old, this);
    if (file)
        file->ref();
    m_slots[fd] = Slot { file, close_on_exec };
    // Dropped last: its release() may run arbitrary code, which must see the table consistent.
    if (old)
        old->unref();
}

Result<RefPtr<FdTable>> FdTable::clone() const
{
    auto copy = TRY(create());
    TRY(copy->grow_to(capacity()));
    for (u32 fd = 0; fd < capacity(); ++fd) {
        if (m_slots[fd].file)
            copy->set(static_cast<i32>(fd), m_slots[fd].file, m_slots[fd].close_on_exec);
    }
    return copy;
}

Result<RefPtr<OpenFile>> FdTable::get(i32 fd) const
{
    if (!valid(fd))
        return Errno::BADF;
    return RefPtr<OpenFile>(m_slots[fd].file);
}

Result<i32> FdTable::install(RefPtr<OpenFile> file, bool close_on_exec, u32 limit, i32 min_fd)
{
    if (limit > kHardMax)
        limit = kHardMax;
    if (min_fd < 0 || static_cast<u32>(min_fd) >= limit)
        return Errno::INVAL;
    for (u32 fd = static_cast<u32>(min_fd); fd < limit; ++fd) {
        if (fd >= capacity())
            TRY(grow_to(fd + 1));
        if (!m_slots[fd].file) {
            set(static_cast<i32>(fd), file.get(), close_on_exec);
            return static_cast<i32>(fd);
        }
    }
    return Errno::MFILE;
}

Result<i32> FdTable::lowest_free(u32 limit, i32 min_fd) const
{
    if (limit > kHardMax)
        limit = kHardMax;
    if (min_fd < 0 || static_cast<u32>(min_fd) >= limit)
        return Errno::MFILE;
    for (u32 fd = static_cast<u32>(min_fd); fd < limit; ++fd) {
        if (fd >= capacity() || !m_slots[fd].file)
            return static_cast<i32>(fd);
    }
    return Errno::MFILE;
}

Result<void> FdTable::close(i32 fd)
{
    if (!valid(fd))
        return Errno::BADF;
    set(fd, nullptr, false);
    return {};
}

Result<i32> FdTable::dup(i32 fd, u32 limit)
{
    auto file = TRY(get(fd));
    auto result = install(file, false, limit);
    if (result.is_error() && result.error() == Errno::INVAL)
        return Errno::MFILE; // a limit of 0
    return result;
}

Result<i32> FdTable::dup_from(i32 fd, i32 min_fd, bool close_on_exec, u32 limit)
{
    auto file = TRY(get(fd));
    return install(file, close_on_exec, limit, min_fd);
}

Result<i32> FdTable::dup2(i32 old_fd, i32 new_fd, u32 limit)
{
    if (!valid(old_fd))
        return Errno::BADF;
    if (old_fd == new_fd)
        return new_fd;
    return dup3(old_fd, new_fd, 0, limit);
}

Result<i32> FdTable::dup3(i32 old_fd, i32 new_fd, u32 flags, u32 limit)
{
    if (flags & ~kOCloExec)
        return Errno::INVAL;
    if (old_fd == new_fd)
        return Errno::INVAL;
    if (new_fd < 0 || static_cast<u32>(new_fd) >= limit || static_cast<u32>(new_fd) >= kHardMax)
        return Errno::BADF;
    if (!valid(old_fd))
        return Errno::BADF;
    TRY(grow_to(static_cast<u32>(new_fd) + 1));
    set(new_fd, m_slots[old_fd].file, flags & kOCloExec);
    return new_fd;
}

Result<bool> FdTable::close_on_exec(i32 fd) const
{
    if (!valid(fd))
        return Errno::BADF;
    return m_slots[fd].close_on_exec;
}

Result<void> FdTable::set_close_on_exec(i32 fd, bool value)
{
    if (!valid(fd))
        return Errno::BADF;
    m_slots[fd].close_on_exec = value;
    return {};
}

void FdTable::close_on_exec_all()
{
    for (u32 fd = 0; fd < capacity(); ++fd) {
        if (m_slots[fd].file && m_slots[fd].close_on_exec)
            set(static_cast<i32>(fd), nullptr, false);
    }
}

void FdTable::close_all()
{
    for (u32 fd = 0; fd < capacity(); ++fd) {
        if (m_slots[fd].file)
            set(static_cast<i32>(fd), nullptr, false);
    }
}

u32 FdTable::open_count() const
{
    u32 count = 0;
    for (u32 fd = 0; fd < capacity(); ++fd)
        count += m_slots[fd].file ? 1 : 0;
    return count;
}

} // namespace fs
