// Extended attributes (man 2 getxattr, setxattr, listxattr, removexattr): each by path, by path without
// following a last symlink (l*) and by descriptor (f*), checked in fs/xattr.c's order: the file, then the
// flags, the name (ERANGE when empty or longer than XATTR_NAME_MAX) and the value's size.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr usize kNameMax = 255; // XATTR_NAME_MAX
constexpr u32 kSizeMax = 65536; // XATTR_SIZE_MAX
constexpr u32 kCreate = 1, kReplace = 2; // XATTR_CREATE, XATTR_REPLACE

// Who names the file: a path (followed or not) or a descriptor.
struct Target {
    bool descriptor;
    i32 fd;
    mm::UserIn<char> path;
    bool follow;
};

Target by_path(mm::UserIn<char> path, bool follow) { return Target { false, -1, path, follow }; }
Target by_fd(i32 fd) { return Target { true, fd, mm::UserIn<char>(), false }; }

Result<RefPtr<fs::Inode>> find(const Target& target, bool change)
{
    auto caller = file_caller();
    if (target.descriptor) {
        TRY(caller.fds.get(target.fd)); // EBADF, AT_FDCWD included
        return fs::xattr_file(caller, target.fd, StringView(), fs::kAtEmptyPath, change);
    }
    UserPath name;
    StringView text = TRY(name.copy(target.path));
    return fs::xattr_file(caller, fs::kAtFdCwd, text, target.follow ? 0 : fs::kAtSymlinkNoFollow, change);
}

// The attribute's name into `buffer` (kNameMax + 1 bytes).
Result<StringView> copy_name(mm::UserIn<char> address, char* buffer)
{
    auto length = mm::copy_string_from_user(buffer, address, kNameMax + 1);
    if (length.is_error())
        return length.error() == Errno::NAMETOOLONG ? Errno::RANGE : length.error();
    if (length.value() == 0)
        return Errno::RANGE;
    return StringView(buffer, length.value());
}

Result<u32> get(const Target& target, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size)
{
    auto inode = TRY(find(target, false));
    char buffer[kNameMax + 1];
    StringView text = TRY(copy_name(name, buffer));
    // A size past XATTR_SIZE_MAX is cut there, as Linux does; size 0 asks only for the value's length.
    usize room = size > kSizeMax ? kSizeMax : size;
    mm::Vector<u8> bytes;
    TRY(bytes.try_resize_uninitialised(room));
    usize length = TRY(fs::get_xattr(*inode, text, bytes.data(), room));
    if (room)
        TRY(mm::copy_array_to_user(value, bytes.data(), length));
    return static_cast<u32>(length);
}

Result<void> set(const Target& target, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags)
{
    auto inode = TRY(find(target, true));
    if (flags & ~(kCreate | kReplace))
        return Errno::INVAL;
    char buffer[kNameMax + 1];
    StringView text = TRY(copy_name(name, buffer));
    if (size > kSizeMax)
        return Errno::TOOBIG;
    mm::Vector<u8> bytes;
    if (size) {
        TRY(bytes.try_resize_uninitialised(size));
        TRY(mm::copy_array_from_user(bytes.data(), value, size));
    }
    return fs::set_xattr(*inode, text, bytes.data(), size, flags);
}

Result<u32> list(const Target& target, mm::UserOut<u8> names, u32 size)
{
    auto inode = TRY(find(target, false));
    usize room = size > kSizeMax ? kSizeMax : size;
    mm::Vector<u8> bytes;
    TRY(bytes.try_resize_uninitialised(room));
    usize length = TRY(fs::list_xattr(*inode, reinterpret_cast<char*>(bytes.data()), room));
    if (room)
        TRY(mm::copy_array_to_user(names, bytes.data(), length));
    return static_cast<u32>(length);
}

Result<void> remove(const Target& target, mm::UserIn<char> name)
{
    auto inode = TRY(find(target, true));
    char buffer[kNameMax + 1];
    StringView text = TRY(copy_name(name, buffer));
    return fs::remove_xattr(*inode, text);
}

} // namespace

Result<u32> sys_getxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size)
{
    return get(by_path(path, true), name, value, size);
}
Result<u32> sys_lgetxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size)
{
    return get(by_path(path, false), name, value, size);
}
Result<u32> sys_fgetxattr(i32 fd, mm::UserIn<char> name, mm::UserOut<u8> value, u32 size)
{
    return get(by_fd(fd), name, value, size);
}

Result<void> sys_setxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags)
{
    return set(by_path(path, true), name, value, size, flags);
}
Result<void> sys_lsetxattr(mm::UserIn<char> path, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags)
{
    return set(by_path(path, false), name, value, size, flags);
}
Result<void> sys_fsetxattr(i32 fd, mm::UserIn<char> name, mm::UserIn<u8> value, u32 size, u32 flags)
{
    return set(by_fd(fd), name, value, size, flags);
}

Result<u32> sys_listxattr(mm::UserIn<char> path, mm::UserOut<u8> names, u32 size)
{
    return list(by_path(path, true), names, size);
}
Result<u32> sys_llistxattr(mm::UserIn<char> path, mm::UserOut<u8> names, u32 size)
{
    return list(by_path(path, false), names, size);
}
Result<u32> sys_flistxattr(i32 fd, mm::UserOut<u8> names, u32 size) { return list(by_fd(fd), names, size); }

Result<void> sys_removexattr(mm::UserIn<char> path, mm::UserIn<char> name) { return remove(by_path(path, true), name); }
Result<void> sys_lremovexattr(mm::UserIn<char> path, mm::UserIn<char> name)
{
    return remove(by_path(path, false), name);
}
Result<void> sys_fremovexattr(i32 fd, mm::UserIn<char> name) { return remove(by_fd(fd), name); }

} // namespace sys
