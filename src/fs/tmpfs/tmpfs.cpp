// tmpfs's superblock, mount options, and the non-directory side of its inodes: file data, symlink bodies.
#include "fs/tmpfs/tmpfs.hpp"

#include "mm/physical_memory.hpp"

namespace fs::tmpfs {

TmpfsSuperblock::TmpfsSuperblock(const FileSystemType& type, u64 max_pages, u64 max_inodes)
    : Superblock(type, allocate_anonymous_dev())
    , m_budget(max_pages)
    , m_max_inodes(max_inodes)
{
}

void TmpfsSuperblock::statfs(StatFs& out) const
{
    Superblock::statfs(out);
    out.type = 0x01021994; // TMPFS_MAGIC
    out.blocks = m_budget.max_pages();
    out.blocks_free = m_budget.max_pages() ? m_budget.max_pages() - m_budget.used_pages() : 0;
    out.files = m_max_inodes;
    out.files_free = m_max_inodes ? m_max_inodes - m_inodes : 0;
}

Result<RefPtr<TmpfsInode>> TmpfsSuperblock::new_inode(u32 mode, u32 uid, u32 gid, u32 rdev)
{
    if (m_max_inodes != 0 && m_inodes >= m_max_inodes)
        return Errno::NOSPC;
    auto inode = TRY(make_ref<TmpfsInode>(*this, m_next_ino, mode));
    ++m_next_ino;
    ++m_inodes;
    // Cached for as long as its names (or open files) hold it: numbers are never reused, so this cannot fail.
    bool cached = insert_inode(*inode);
    (void)cached;
    auto& a = inode->attributes();
    a.uid = uid;
    a.gid = gid;
    a.rdev = rdev;
    a.nlink = is_dir(mode) ? 2 : 1;
    a.size = 0;
    return inode;
}

TmpfsInode::TmpfsInode(TmpfsSuperblock& superblock, u64 ino, u32 mode)
    : Inode(superblock, ino, mode)
    , m_pages(superblock.budget())
{
    if (is_dir(mode))
        m_parent = this;
}

TmpfsInode::~TmpfsInode()
{
    // Entries hold their inodes, so dropping them may free whole subtrees. A directory that dies with its
    // entry first hands its own entries over to this loop: a deep tree is freed iteratively, never by a
    // recursion as deep as the tree on the 16 KiB kernel stack. Only the cookie tree matters from here on.
    while (DirectoryEntry* entry = m_by_cookie.first()) {
        TmpfsInode& child = *entry->inode;
        if (child.ref_count() == 1 && child.is_directory()) {
            while (DirectoryEntry* grandchild = child.m_by_cookie.first()) {
                child.m_by_cookie.remove(*grandchild);
                child.m_by_name.remove(*grandchild);
                grandchild->cookie = m_next_cookie++;
                bool inserted = m_by_cookie.insert(*grandchild);
                (void)inserted; // cookies only grow
            }
        }
        remove_entry(*entry);
    }
    tmpfs().inode_gone();
}

void TmpfsInode::update_blocks() { attributes().blocks = m_pages.page_count() * (mm::kPageSize / 512); }

Result<void> TmpfsInode::set_link_target(StringView target)
{
    if (target.is_empty() || target.length() >= kPathMax)
        return target.is_empty() ? Errno::NOENT : Errno::NAMETOOLONG;
    m_link_target = TRY(mm::String::copy(target));
    attributes().size = target.length();
    return {};
}

Result<usize> TmpfsInode::readlink(char* buffer, usize size)
{
    if (!is_symlink() || m_link_target.is_empty())
        return Errno::INVAL;
    usize length = static_cast<usize>(attributes().size);
    if (length > size)
        length = size;
    copy_bytes(buffer, m_link_target.view().characters(), length);
    return length;
}

Result<void> TmpfsInode::truncate(u64 size)
{
    if (is_directory())
        return Errno::ISDIR;
    if (!is_regular())
        return Errno::INVAL;
    if (size > kMaxFileSize)
        return Errno::FBIG;
    if (size < attributes().size) {
        // Pages past the new end leave every mapping first (a later access there is SIGBUS).
        m_mapping.remove_pages((size + mm::kPageSize - 1) / mm::kPageSize);
        m_pages.truncate(size);
    }
    attributes().size = size;
    update_blocks();
    touch_mtime();
    return {};
}

Result<usize> TmpfsInode::read(u64 offset, mm::OutBuffer& to)
{
    if (!is_regular())
        return Inode::read(offset, to);
    u64 size = attributes().size;
    usize count = to.remaining();
    if (offset >= size || count == 0)
        return usize { 0 };
    if (count > size - offset)
        count = static_cast<usize>(size - offset);
    return m_pages.read(offset, to, count);
}

Result<usize> TmpfsInode::write(u64 offset, mm::InBuffer& from)
{
    if (!is_regular())
        return Inode::write(offset, from);
    usize count = from.remaining();
    if (count == 0)
        return usize { 0 };
    if (offset >= kMaxFileSize)
        return Errno::FBIG;
    if (count > kMaxFileSize - offset)
        count = static_cast<usize>(kMaxFileSize - offset);
    usize written = TRY(m_pages.write(offset, from, count));
    if (offset + written > attributes().size)
        attributes().size = offset + written;
    update_blocks();
    touch_mtime();
    return written;
}

Result<void> TmpfsInode::punch_hole(u64 first, u64 count)
{
    m_mapping.remove_pages(first, count, mm::MappedPages::Copies::Keep);
    update_blocks();
    return {};
}

Result<u64> TmpfsInode::seek_data(u64 offset, bool hole)
{
    u64 size = attributes().size;
    if (offset >= size)
        return Errno::NXIO;
    if (hole) {
        u64 at = m_pages.next_hole(offset);
        return at < size ? at : size;
    }
    u64 at = m_pages.next_data(offset);
    if (at == FilePages::kNone || at >= size)
        return Errno::NXIO;
    return at;
}

namespace {

// size=: bytes with an optional k/m/g suffix, or a percentage of RAM; rounded up to whole pages.
Result<u64> parse_size(StringView text)
{
    if (text.is_empty())
        return Errno::INVAL;
    char suffix = text[text.length() - 1];
    u64 multiplier = 1;
    bool percent = false;
    switch (suffix) {
    case 'k':
    case 'K':
        multiplier = u64 { 1 } << 10;
        break;
    case 'm':
    case 'M':
        multiplier = u64 { 1 } << 20;
        break;
    case 'g':
    case 'G':
        multiplier = u64 { 1 } << 30;
        break;
    case '%':
        percent = true;
        break;
    default:
        multiplier = 0;
    }
    StringView digits = multiplier == 0 ? text : text.substring(0, text.length() - 1);
    if (multiplier == 0)
        multiplier = 1;
    u64 value = TRY(digits.to_u64(10));
    if (percent) {
        if (value > 100)
            return Errno::INVAL;
        return mm::page_allocator().managed_pages() * value / 100;
    }
    if (value > (~u64 { 0 } >> 1) / multiplier)
        return Errno::INVAL;
    return (value * multiplier + mm::kPageSize - 1) >> mm::kPageShift;
}

struct Options {
    u64 max_pages { 0 };
    u64 max_inodes { 0 };
    u32 mode { 01777 };
    u32 uid { 0 };
    u32 gid { 0 };
};

Result<void> parse_options(StringView options, Options& out)
{
    usize start = 0;
    while (start <= options.length()) {
        usize comma = options.find(',', start);
        if (comma == StringView::kNotFound)
            comma = options.length();
        StringView option = options.substring(start, comma - start);
        start = comma + 1;
        if (option.is_empty())
            continue;
        usize equals = option.find('=');
        if (equals == StringView::kNotFound)
            return Errno::INVAL;
        StringView key = option.substring(0, equals);
        StringView value = option.substring(equals + 1);
        if (key == "size") {
            out.max_pages = TRY(parse_size(value));
        } else if (key == "nr_inodes") {
            out.max_inodes = TRY(value.to_u64(10));
        } else if (key == "mode") {
            out.mode = TRY(value.to_u32(8)) & kPermissionBits;
        } else if (key == "uid") {
            out.uid = TRY(value.to_u32(10));
        } else if (key == "gid") {
            out.gid = TRY(value.to_u32(10));
        } else {
            return Errno::INVAL;
        }
    }
    return {};
}

Result<MountSource> mount_tmpfs(const FileSystemType&, StringView, StringView options) { return create(options); }

} // namespace

FileSystemType& filesystem_type()
{
    static FileSystemType type("tmpfs", false, mount_tmpfs);
    return type;
}

Result<MountSource> create(StringView options) { return create(options, filesystem_type()); }

Result<MountSource> create(StringView options, const FileSystemType& type)
{
    // Linux's defaults: half of RAM for the data, and as many inodes as half of RAM has pages.
    u64 half = mm::page_allocator().managed_pages() / 2;
    Options parsed;
    parsed.max_pages = half;
    parsed.max_inodes = half;
    TRY(parse_options(options, parsed));
    auto superblock = TRY(make_ref<TmpfsSuperblock>(type, parsed.max_pages, parsed.max_inodes));
    auto root = TRY(superblock->new_inode(kIfDir | parsed.mode, parsed.uid, parsed.gid, 0));
    return MountSource { RefPtr<Superblock>(superblock), RefPtr<Inode>(root) };
}

} // namespace fs::tmpfs
