// mount(2), umount(2) and umount2(2): the strings copied in, the VFS attaches and detaches.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

// Before Linux 2.4 the flags' top half had to carry this magic; it is still accepted and dropped.
constexpr u32 kMsMgcMask = 0xffff0000, kMsMgcVal = 0xC0ED0000;

// An optional string argument: a null pointer is the empty string.
Result<StringView> optional_string(UserPath& buffer, mm::UserIn<char> address)
{
    if (address.is_null())
        return StringView();
    return buffer.copy(address, true);
}

} // namespace

Result<void> sys_mount(
    mm::UserIn<char> source, mm::UserIn<char> target, mm::UserIn<char> fs_type, u32 flags, mm::UserIn<char> data)
{
    if ((flags & kMsMgcMask) == kMsMgcVal)
        flags &= ~kMsMgcMask;
    UserPath source_name, target_name, type_name, options;
    StringView source_text = TRY(optional_string(source_name, source));
    StringView target_text = TRY(target_name.copy(target));
    StringView type_text = TRY(optional_string(type_name, fs_type));
    StringView data_text = TRY(optional_string(options, data));
    auto caller = file_caller();
    return fs::mount(caller, source_text, target_text, type_text, flags, data_text);
}

Result<void> sys_umount2(mm::UserIn<char> target, u32 flags)
{
    UserPath name;
    StringView text = TRY(name.copy(target));
    auto caller = file_caller();
    return fs::umount(caller, text, flags);
}

Result<void> sys_umount(mm::UserIn<char> target) { return sys_umount2(target, 0); }

} // namespace sys
