// The path walk. Components come from a stack of frames: the path itself at the bottom, and above it the body
// of each symlink being followed. A component is the last one when no frame has anything after it; it had a
// trailing slash when its own frame, or any frame below (whose last component was the symlink that led here),
// had a slash after it (Linux's LOOKUP_DIRECTORY carried through a link).
#include "fs/namei.hpp"

#include <utility>

namespace fs {

PathWalker::PathWalker(const Path& root, const Path& start, const Credentials& credentials)
    : m_root(root)
    , m_current(start)
    , m_credentials(credentials)
{
}

void PathWalker::pop_frame()
{
    m_frames[--m_depth].body = {}; // freed now: a walk may pass through 40 bodies of PATH_MAX
}

Result<void> PathWalker::begin(StringView path)
{
    if (path.is_empty())
        return Errno::NOENT;
    if (path.length() >= kPathMax)
        return Errno::NAMETOOLONG;
    m_frames[0].rest = path.characters();
    m_frames[0].rest_length = path.length();
    m_frames[0].last_had_slash = false;
    m_depth = 1;
    if (path[0] == '/')
        m_current = m_root;
    return {};
}

static void skip_slashes(const char*& rest, usize& length, bool& skipped)
{
    skipped = false;
    while (length > 0 && *rest == '/') {
        ++rest;
        --length;
        skipped = true;
    }
}

bool PathWalker::next_component(StringView& name, bool& is_last)
{
    while (m_depth > 0) {
        Frame& frame = m_frames[m_depth - 1];
        bool skipped;
        skip_slashes(frame.rest, frame.rest_length, skipped);
        if (frame.rest_length == 0) {
            if (m_depth == 1)
                return false;
            pop_frame();
            continue;
        }
        usize length = 0;
        while (length < frame.rest_length && frame.rest[length] != '/')
            ++length;
        name = StringView(frame.rest, length);
        frame.rest += length;
        frame.rest_length -= length;
        skip_slashes(frame.rest, frame.rest_length, frame.last_had_slash);
        is_last = true;
        for (u32 i = 0; i < m_depth; ++i) {
            if (m_frames[i].rest_length > 0)
                is_last = false;
        }
        return true;
    }
    return false;
}

Result<void> PathWalker::step_up(Path& place) const
{
    for (;;) {
        if (place == m_root)
            return {};
        if (place.inode != place.mount->root())
            break;
        Mount* parent = place.mount->parent();
        if (!parent)
            return {}; // the top of the whole tree
        place.inode = place.mount->mountpoint();
        place.mount = RefPtr<Mount>(parent);
    }
    place.inode = TRY(place.inode->parent());
    cross_mounts_down(place);
    return {};
}

static Result<void> check_search(const Path& dir, const Credentials& credentials)
{
    if (!dir.inode->is_directory())
        return Errno::NOTDIR;
    return check_permission(*dir.inode, kMayExec, credentials);
}

Result<void> PathWalker::step_into(StringView name)
{
    TRY(check_search(m_current, m_credentials));
    if (name == ".")
        return {};
    if (name == "..")
        return step_up(m_current);
    if (name.length() > kNameMax)
        return Errno::NAMETOOLONG;
    // (Not TRY inside the braces: an early return from a half-built aggregate would leak its first member.)
    RefPtr<Inode> child = TRY(m_current.inode->lookup(name));
    Path next { m_current.mount, std::move(child) };
    cross_mounts_down(next);
    if (next.inode->is_symlink())
        return follow_link(*next.inode); // its body is walked from m_current, the directory holding it
    m_current = std::move(next);
    return {};
}

Result<void> PathWalker::walk_to_last()
{
    for (;;) {
        StringView name;
        bool is_last;
        if (!next_component(name, is_last)) {
            m_last = StringView();
            m_last_type = m_jumped ? LastType::Jumped : LastType::Root;
            m_trailing_slash = false;
            return {};
        }
        m_jumped = false;
        if (is_last) {
            m_last = name;
            m_last_type = name == "." ? LastType::Dot : name == ".." ? LastType::DotDot : LastType::Normal;
            m_trailing_slash = false;
            for (u32 i = 0; i < m_depth; ++i)
                m_trailing_slash |= m_frames[i].last_had_slash;
            return {};
        }
        TRY(step_into(name));
    }
}

Result<Path> PathWalker::lookup_last()
{
    switch (m_last_type) {
    case LastType::Root:
    case LastType::Jumped:
        return m_current;
    case LastType::Dot:
        TRY(check_search(m_current, m_credentials));
        return m_current;
    case LastType::DotDot: {
        TRY(check_search(m_current, m_credentials));
        Path up = m_current;
        TRY(step_up(up));
        return up;
    }
    case LastType::Normal:
        break;
    }
    TRY(check_search(m_current, m_credentials));
    if (m_last.length() > kNameMax)
        return Errno::NAMETOOLONG;
    RefPtr<Inode> child = TRY(m_current.inode->lookup(m_last));
    Path found { m_current.mount, std::move(child) };
    cross_mounts_down(found);
    return found;
}

Result<void> PathWalker::follow_link(Inode& link)
{
    if (m_links_followed >= kMaxSymlinks || m_depth > kMaxSymlinks)
        return Errno::LOOP;
    ++m_links_followed;
    Path place;
    if (auto jumped = link.jump_target(place); jumped.is_error() && jumped.error() != Errno::INVAL)
        return jumped.error();
    else if (!jumped.is_error()) {
        m_current = std::move(place);
        m_jumped = true;
        return {};
    }
    Frame& frame = m_frames[m_depth];
    TRY(frame.body.try_resize_uninitialised(kPathMax));
    auto length = link.readlink(frame.body.data(), kPathMax - 1);
    if (length.is_error() || length.value() == 0) {
        frame.body = {};
        return length.is_error() ? length.error() : Errno::NOENT;
    }
    frame.rest = frame.body.data();
    frame.rest_length = length.value();
    frame.last_had_slash = false;
    ++m_depth;
    if (frame.rest[0] == '/')
        m_current = m_root;
    return {};
}

Result<Path> resolve_path(
    const Path& root, const Path& start, StringView path, bool follow, const Credentials& credentials)
{
    PathWalker walker(root, start, credentials);
    TRY(walker.begin(path));
    for (;;) {
        TRY(walker.walk_to_last());
        Path found = TRY(walker.lookup_last());
        bool must_be_dir = walker.trailing_slash();
        if (walker.last_type() == LastType::Normal && found.inode->is_symlink() && (follow || must_be_dir)) {
            TRY(walker.follow_link(*found.inode));
            continue;
        }
        if (must_be_dir && !found.inode->is_directory())
            return Errno::NOTDIR;
        return found;
    }
}

Result<void> resolve_parent(
    const Path& root, const Path& start, StringView path, const Credentials& credentials, ParentAndName& out)
{
    PathWalker walker(root, start, credentials);
    TRY(walker.begin(path));
    TRY(walker.walk_to_last());
    if (walker.last_type() != LastType::Root)
        TRY(check_search(walker.current(), credentials));
    if (walker.last().length() > kNameMax)
        return Errno::NAMETOOLONG;
    out.dir = walker.current();
    out.length = walker.last().copy_to(out.name, sizeof out.name);
    out.type = walker.last_type();
    out.trailing_slash = walker.trailing_slash();
    return {};
}

} // namespace fs
