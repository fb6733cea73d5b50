// Path resolution (man 7 path_resolution): from the root or a starting directory, one component at a time,
// with search permission checked on every directory, "." and "..", ".." held at the process root and carried
// across mount points, symlinks followed (40 at most, ELOOP beyond), and trailing slashes that demand a
// directory. The walk keeps the symlink bodies it is inside on a small explicit stack, never recursing.
#pragma once

#include "fs/fs_context.hpp"
#include "fs/permission.hpp"
#include "mm/vector.hpp"

namespace fs {

// How the last component of a path reads.
enum class LastType : u8 {
    Normal, // a name
    Dot, // "."
    DotDot, // ".."
    Root, // no component at all: "/" or a symlink to "/"; the walk ends where it stands
    Jumped, // the last was a link that leads to a place (Inode::jump_target): the walk ends there, a file
};

class PathWalker {
public:
    // `root` bounds ".." and starts absolute paths (and absolute symlinks); `start` starts relative ones.
    PathWalker(const Path& root, const Path& start, const Credentials& credentials);
    PathWalker(const PathWalker&) = delete;
    PathWalker& operator=(const PathWalker&) = delete;

    // Takes the path to walk (it must outlive the walker): ENOENT when empty, ENAMETOOLONG at kPathMax or more.
    Result<void> begin(StringView path);
    // Walks every component but the last, following symlinks. Afterwards current() is the directory the last
    // component is looked up in, and last(), last_type() and trailing_slash() describe it.
    Result<void> walk_to_last();
    // Looks the last component up in current() (search permission, name length, mounts crossed). Does not
    // follow a symlink it finds: the caller decides, with follow_link().
    Result<Path> lookup_last();
    // Continues into the body of the symlink `link` found as the last component; walk_to_last() then walks it.
    // ELOOP past kMaxSymlinks.
    Result<void> follow_link(Inode& link);

    const Path& current() const { return m_current; }
    StringView last() const { return m_last; }
    LastType last_type() const { return m_last_type; }
    // The path ends with "/" after its last component, or a symlink that led there did.
    bool trailing_slash() const { return m_trailing_slash; }
    const Credentials& credentials() const { return m_credentials; }

    // One step of "..": stays at the root, climbs out of mounted filesystems, then asks the filesystem.
    Result<void> step_up(Path& place) const;

private:
    struct Frame {
        mm::Vector<char> body; // a symlink's, or empty for the path given to begin()
        const char* rest { nullptr };
        usize rest_length { 0 };
        bool last_had_slash { false };
    };

    bool next_component(StringView& name, bool& is_last);
    Result<void> step_into(StringView name);
    void pop_frame();

    Path m_root;
    Path m_current;
    const Credentials& m_credentials;
    Frame m_frames[kMaxSymlinks + 1];
    u32 m_depth { 0 };
    u32 m_links_followed { 0 };
    StringView m_last;
    LastType m_last_type { LastType::Root };
    bool m_trailing_slash { false };
    bool m_jumped { false }; // the last step went through a link's jump target
};

// Resolves `path` to a place: the final symlink followed when `follow` (or when a trailing slash demands a
// directory). ENOTDIR for a trailing slash on a non-directory.
Result<Path> resolve_path(
    const Path& root, const Path& start, StringView path, bool follow, const Credentials& credentials);

// The directory that holds the last component of `path` and that component, for the calls that create or
// remove a name (mkdir, unlink, rename...). The last component is not looked up.
struct ParentAndName {
    Path dir;
    char name[kNameMax + 1];
    usize length;
    LastType type;
    bool trailing_slash;

    StringView name_view() const { return StringView(name, length); }
};
Result<void> resolve_parent(
    const Path& root, const Path& start, StringView path, const Credentials& credentials, ParentAndName& out);

} // namespace fs
