// FsContext: a process's place in the filesystem (struct fs_struct): its root (chroot), its working directory
// and its umask. Threads made with CLONE_FS share one; fork copies it.
#pragma once

#include <utility>

#include "fs/mount.hpp"

namespace fs {

class FsContext : public RefCounted<FsContext> {
public:
    // A context whose root and working directory are both `root`, with umask 022.
    static Result<RefPtr<FsContext>> create(const Path& root);
    // An unshared copy (fork without CLONE_FS, unshare(CLONE_FS)).
    Result<RefPtr<FsContext>> clone() const;

    const Path& root() const { return m_root; }
    const Path& cwd() const { return m_cwd; }
    void set_root(Path root) { m_root = std::move(root); }
    void set_cwd(Path cwd) { m_cwd = std::move(cwd); }
    u32 umask() const { return m_umask; }
    // Sets the umask (only its 0777 bits) and returns the old one, as umask(2).
    u32 exchange_umask(u32 mask);

    // getcwd(2): the working directory's path from the root into `buffer`, NUL-terminated; returns the length
    // with the NUL. ERANGE when it does not fit, ENOENT when the directory was removed. A directory outside
    // the root (after chroot, or reached through a descriptor) reads "(unreachable)/path from the real root"
    // as Linux returns it.
    Result<usize> getcwd(char* buffer, usize size) const;

    // Public only for make_ref.
    FsContext(Path root, Path cwd, u32 umask)
        : m_root(std::move(root))
        , m_cwd(std::move(cwd))
        , m_umask(umask)
    {
    }

private:
    Path m_root;
    Path m_cwd;
    u32 m_umask;
};

// The absolute path of `place` as seen from `root` (d_path), with getcwd's contract; the "(unreachable)" prefix
// when `place` is not under `root`.
Result<usize> path_of(const Path& root, const Path& place, char* buffer, usize size);
class OpenFile;
// The same for an open file: a directory's own path, or the directory it was opened in and its name there,
// with " (deleted)" once it has no name left (d_path). ENOENT for a file with no name (a pipe).
Result<usize> file_path_of(const Path& root, const OpenFile& file, char* buffer, usize size);

} // namespace fs
