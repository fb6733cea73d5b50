// FsContext, and the path of a place computed by climbing to the root (getcwd(2), /proc/PID/cwd): each step
// up names the directory by finding its inode number among its parent's entries, as Unix getcwd did before
// dentry caches; mount roots are left through the directory they cover.
#include "fs/fs_context.hpp"

#include "lib/own_ptr.hpp"
#include "fs/open_file.hpp"
#include "lib/string.hpp"
#include "mm/vector.hpp"

namespace fs {

Result<RefPtr<FsContext>> FsContext::create(const Path& root)
{
    if (!root.is_valid())
        return Errno::INVAL;
    return make_ref<FsContext>(root, root, 022u);
}

Result<RefPtr<FsContext>> FsContext::clone() const { return make_ref<FsContext>(m_root, m_cwd, m_umask); }

u32 FsContext::exchange_umask(u32 mask)
{
    u32 old = m_umask;
    m_umask = mask & 0777;
    return old;
}

namespace {

// Finds the entry naming inode `ino` in a directory.
class NameFinder final : public DirEntrySink {
public:
    explicit NameFinder(u64 ino)
        : m_ino(ino)
    {
    }
    bool emit(const DirEntry& entry) override
    {
        if (!m_found && entry.ino == m_ino && !(entry.name == ".") && !(entry.name == "..")) {
            m_length = entry.name.copy_to(m_name, sizeof m_name);
            m_found = true;
        }
        return true;
    }
    bool found() const { return m_found; }
    StringView name() const { return StringView(m_name, m_length); }

private:
    u64 m_ino;
    bool m_found { false };
    char m_name[kNameMax + 1] {};
    usize m_length { 0 };
};

Result<void> prepend(char* buffer, usize& position, StringView text)
{
    if (text.length() > position)
        return Errno::NAMETOOLONG;
    position -= text.length();
    for (usize i = 0; i < text.length(); ++i)
        buffer[position + i] = text[i];
    return {};
}

Result<usize> build_path(const Path& root, const Path& place, char* scratch, char* buffer, usize size)
{
    usize position = kPathMax;
    Path current = place;
    bool reachable = true;
    for (;;) {
        if (current == root)
            break;
        if (current.inode == current.mount->root()) {
            Mount* parent = current.mount->parent();
            if (!parent) {
                reachable = false;
                break;
            }
            current.inode = current.mount->mountpoint();
            current.mount = RefPtr<Mount>(parent);
            continue;
        }
        RefPtr<Inode> up = TRY(current.inode->parent());
        // A name is found by its inode number; the finder lives on the heap (a name is 256 bytes).
        auto finder = TRY(make_own<NameFinder>(current.inode->ino()));
        u64 offset = 0;
        TRY(up->iterate(offset, *finder));
        if (!finder->found())
            return Errno::NOENT;
        TRY(prepend(scratch, position, finder->name()));
        TRY(prepend(scratch, position, "/"));
        current.inode = up;
    }
    if (position == kPathMax)
        TRY(prepend(scratch, position, "/"));
    if (!reachable)
        TRY(prepend(scratch, position, "(unreachable)"));
    usize length = kPathMax - position;
    if (length + 1 > size)
        return Errno::RANGE;
    for (usize i = 0; i < length; ++i)
        buffer[i] = scratch[position + i];
    buffer[length] = '\0';
    return length + 1;
}

} // namespace

Result<usize> path_of(const Path& root, const Path& place, char* buffer, usize size)
{
    mm::Vector<char> scratch; // PATH_MAX is too much for the kernel stack
    TRY(scratch.try_resize_uninitialised(kPathMax));
    return build_path(root, place, scratch.data(), buffer, size);
}

Result<usize> file_path_of(const Path& root, const OpenFile& file, char* buffer, usize size)
{
    if (file.inode().is_directory() || !file.directory().is_valid())
        return file.inode().is_directory() ? path_of(root, file.path(), buffer, size) : Result<usize>(Errno::NOENT);
    usize length = TRY(path_of(root, file.directory(), buffer, size)) - 1;
    bool deleted = file.inode().attributes().nlink == 0;
    StringView name = file.name();
    usize needed = length + (length > 1 ? 1 : 0) + name.length() + (deleted ? 10 : 0) + 1;
    if (needed > size)
        return Errno::RANGE;
    if (length > 1)
        buffer[length++] = '/';
    copy_bytes(buffer + length, name.characters(), name.length());
    length += name.length();
    if (deleted) {
        copy_bytes(buffer + length, " (deleted)", 10);
        length += 10;
    }
    buffer[length] = '\0';
    return length + 1;
}

Result<usize> FsContext::getcwd(char* buffer, usize size) const
{
    // A removed directory has no path (Linux: ENOENT).
    if (m_cwd.inode->attributes().nlink == 0)
        return Errno::NOENT;
    return path_of(m_root, m_cwd, buffer, size);
}

} // namespace fs
