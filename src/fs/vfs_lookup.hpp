// Helpers shared by the vfs_*.cpp files: where a *at call starts, and the lookups they all make.
#pragma once

#include "fs/namei.hpp"
#include "fs/vfs.hpp"

namespace fs::detail {

// The directory a relative `path` starts from: the cwd for kAtFdCwd, else the descriptor's place (ENOTDIR
// unless a directory, EBADF). An absolute path ignores dirfd entirely.
Result<Path> start_for(Caller& caller, i32 dirfd, StringView path);
// Resolves (dirfd, path); an empty path with kAtEmptyPath names dirfd's own file (any type).
Result<Path> lookup_at(Caller& caller, i32 dirfd, StringView path, bool follow, bool empty_path_ok);
Result<void> parent_at(Caller& caller, i32 dirfd, StringView path, ParentAndName& out);
// EROFS when writing under a read-only mount.
Result<void> check_writable_mount(const Path& path);

} // namespace fs::detail
