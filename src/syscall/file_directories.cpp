// Directories as places (man 2 chdir, fchdir, getcwd, chroot) and as lists (man 2 getdents: the old struct
// linux_dirent and struct linux_dirent64), read through a kernel buffer then copied out whole.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr usize kDirentBufferMax = 64 * 1024;

constexpr usize align_up(usize value, usize alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// Packs entries into a kernel buffer as one of the two record formats; remembers whether an entry was turned
// away for lack of room (EINVAL when that was the first) or for an inode number the old format cannot hold.
class DirentBuffer final : public fs::DirEntrySink {
public:
    DirentBuffer(u8* data, usize capacity, bool wide)
        : m_data(data)
        , m_capacity(capacity)
        , m_wide(wide)
    {
    }

    bool emit(const fs::DirEntry& entry) override
    {
        usize length = entry.name.length();
        if (m_wide) {
            // linux_dirent64: the head, the name and its NUL, padded to 8 bytes.
            usize reclen = align_up(19 + length + 1, 8);
            if (!room_for(reclen))
                return false;
            Dirent64Head head { entry.ino, static_cast<i64>(entry.next_offset), static_cast<u16>(reclen), entry.type };
            put(head, reclen, 19, entry.name);
        } else {
            // linux_dirent: the name at offset 10, then its NUL, padding, and d_type in the last byte.
            if (entry.ino > 0xffffffff) {
                m_overflow = true;
                return false;
            }
            usize reclen = align_up(10 + length + 2, 4);
            if (!room_for(reclen))
                return false;
            DirentHead head { static_cast<u32>(entry.ino), static_cast<u32>(entry.next_offset),
                static_cast<u16>(reclen) };
            put(head, reclen, 10, entry.name);
            m_data[m_used - 1] = entry.type;
        }
        return true;
    }

    usize used() const { return m_used; }
    bool refused() const { return m_refused; }
    bool overflow() const { return m_overflow; }

private:
    bool room_for(usize reclen)
    {
        if (m_used + reclen <= m_capacity)
            return true;
        m_refused = true;
        return false;
    }

    template<typename Head> void put(const Head& head, usize reclen, usize name_at, StringView name)
    {
        u8* record = m_data + m_used;
        fill_bytes(record, 0, reclen);
        copy_bytes(record, &head, name_at < sizeof(Head) ? name_at : sizeof(Head));
        copy_bytes(record + name_at, name.characters(), name.length());
        m_used += reclen;
    }

    u8* m_data;
    usize m_capacity;
    usize m_used { 0 };
    bool m_wide;
    bool m_refused { false };
    bool m_overflow { false };
};

Result<u32> read_entries(i32 fd, mm::UserOut<u8> buffer, u32 count, bool wide)
{
    auto caller = file_caller();
    TRY(caller.fds.get(fd)); // EBADF before the buffer is looked at
    if (!mm::is_user_range(buffer.address(), count))
        return Errno::FAULT;
    usize capacity = count < kDirentBufferMax ? count : kDirentBufferMax;
    mm::Vector<u8> buffer_memory;
    TRY(buffer_memory.try_resize_uninitialised(capacity));
    u8* data = buffer_memory.data();
    DirentBuffer entries(data, capacity, wide);
    auto listed = fs::getdents(caller, fd, entries);
    if (entries.used() == 0) {
        if (listed.is_error())
            return listed.error();
        if (entries.overflow())
            return Errno::OVERFLOW;
        if (entries.refused())
            return Errno::INVAL; // the buffer cannot hold even one entry
        return 0;
    }
    TRY(mm::copy_array_to_user(buffer, data, entries.used()));
    return static_cast<u32>(entries.used());
}

} // namespace

Result<u32> sys_getdents(i32 fd, mm::UserOut<u8> buffer, u32 count) { return read_entries(fd, buffer, count, false); }
Result<u32> sys_getdents64(i32 fd, mm::UserOut<u8> buffer, u32 count) { return read_entries(fd, buffer, count, true); }

Result<void> sys_chdir(mm::UserIn<char> path)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::chdir(caller, text);
}

Result<void> sys_fchdir(i32 fd)
{
    auto caller = file_caller();
    return fs::fchdir(caller, fd);
}

Result<void> sys_chroot(mm::UserIn<char> path)
{
    UserPath name;
    StringView text = TRY(name.copy(path));
    auto caller = file_caller();
    return fs::chroot(caller, text);
}

// getcwd(2): the length with the NUL; ERANGE when `size` cannot hold it (a path longer than PATH_MAX is
// ERANGE too, where Linux says ENAMETOOLONG).
Result<u32> sys_getcwd(mm::UserOut<u8> buffer, u32 size)
{
    usize room = size < fs::kPathMax ? size : fs::kPathMax;
    if (room == 0)
        return Errno::RANGE;
    mm::Vector<char> memory;
    TRY(memory.try_resize_uninitialised(room));
    char* text = memory.data();
    auto caller = file_caller();
    usize length = TRY(fs::getcwd(caller, text, room));
    TRY(mm::copy_array_to_user(buffer.as<char>(), text, length));
    return static_cast<u32>(length);
}

} // namespace sys
