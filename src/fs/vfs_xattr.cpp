// Extended attributes (fs/xattr.c): finding the file, and the answers of filesystems that keep none.
#include "fs/vfs_lookup.hpp"

namespace fs {

using namespace detail;

Result<RefPtr<Inode>> xattr_file(Caller& caller, i32 dirfd, StringView path, u32 flags, bool change)
{
    Path found = TRY(lookup_at(caller, dirfd, path, !(flags & kAtSymlinkNoFollow), flags & kAtEmptyPath));
    if (change)
        TRY(check_writable_mount(found));
    return found.inode;
}

Result<usize> get_xattr(Inode&, StringView, u8*, usize) { return Errno::OPNOTSUPP; }

Result<void> set_xattr(Inode&, StringView, const u8*, usize, u32) { return Errno::OPNOTSUPP; }

Result<usize> list_xattr(Inode&, char*, usize) { return usize { 0 }; }

Result<void> remove_xattr(Inode&, StringView) { return Errno::OPNOTSUPP; }

} // namespace fs
