// Unpacking newc archives. Each entry: a 110-byte header ("070701" and thirteen 8-digit hex fields), the
// NUL-terminated name padded to a multiple of 4 from the start of the header, then the data padded the same
// way. The data of hard-linked files comes with the last of their names (as GNU cpio writes it), so a later
// name of a known (ino, device) becomes a link and its data, if any, is written through it (as Linux's
// init/initramfs.c does).
#include "fs/cpio.hpp"

#include "fs/namei.hpp"
#include "fs/vfs.hpp"
#include "kernel/log.hpp"
#include "lib/intrusive_list.hpp"
#include "lib/own_ptr.hpp"
#include "lib/string.hpp"
#include "mm/string.hpp"

namespace fs {

namespace {

constexpr usize kHeaderSize = 110;
constexpr usize kFieldCount = 13;

enum Field : usize {
    kIno,
    kMode,
    kUid,
    kGid,
    kNlink,
    kMtime,
    kFileSize,
    kDevMajor,
    kDevMinor,
    kRdevMajor,
    kRdevMinor,
    kNameSize,
    kCheck,
};

constexpr usize pad4(usize value) { return (value + 3) & ~usize { 3 }; }

bool parse_hex(const u8* text, u32& out)
{
    u32 value = 0;
    for (usize i = 0; i < 8; ++i) {
        u8 c = text[i];
        u32 digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            return false;
        value = (value << 4) | digit;
    }
    out = value;
    return true;
}

// A remembered name of a multiply-linked file, and a directory whose mtime is set once its contents are in.
struct LinkRecord {
    IntrusiveListNode node;
    u32 ino, dev_major, dev_minor;
    mm::String name;
};
struct DirTime {
    IntrusiveListNode node;
    RefPtr<Inode> inode;
    i64 mtime_ns;
};

class Unpacker {
public:
    Unpacker(FsContext& context, FdTable& fds)
        : m_context(context)
        , m_fds(fds)
    {
        m_credentials = Credentials {}; // root, in the root group
    }
    ~Unpacker()
    {
        while (LinkRecord* record = m_links.pop_front())
            OwnPtr<LinkRecord> owner(record);
        while (DirTime* entry = m_dir_times.pop_front())
            OwnPtr<DirTime> owner(entry);
    }

    Result<CpioSummary> run(const u8* data, usize size);

private:
    Caller caller() { return Caller { m_context, m_fds, m_credentials, FdTable::kDefaultLimit }; }
    void skip(const char* why, StringView name)
    {
        log_warning("cpio: entry \"%.*s\" skipped: %s", static_cast<int>(name.length() > 64 ? 64 : name.length()),
            name.characters(), why);
        ++m_summary.skipped;
    }
    Result<void> unpack_entry(const u32 (&field)[kFieldCount], StringView name, const u8* body, bool checked);
    Result<bool> make_regular(const u32 (&field)[kFieldCount], StringView name, const u8* body);
    Result<void> write_body(StringView name, const u8* body, u32 length, bool truncate);
    void apply_attributes(StringView name, const u32 (&field)[kFieldCount], bool set_mode, bool set_time);
    void remove_existing(StringView name, u32 new_type);
    void set_dir_times();

    FsContext& m_context;
    FdTable& m_fds;
    Credentials m_credentials;
    CpioSummary m_summary;
    IntrusiveList<LinkRecord, &LinkRecord::node> m_links;
    IntrusiveList<DirTime, &DirTime::node> m_dir_times;
};

Result<CpioSummary> Unpacker::run(const u8* data, usize size)
{
    usize position = 0;
    for (;;) {
        // Zero padding may sit between concatenated archives (initramfs's rule), in 4-byte steps.
        while (position + 4 <= size && data[position] == 0 && data[position + 1] == 0 && data[position + 2] == 0
            && data[position + 3] == 0)
            position += 4;
        if (position >= size || (size - position < 4 && data[position] == 0))
            break;
        if (size - position < kHeaderSize) {
            log_warning("cpio: archive cut short in a header at byte %zu", position);
            m_summary.truncated = true;
            break;
        }
        const u8* header = data + position;
        bool checked;
        if (compare_bytes(header, "070701", 6) == 0) {
            checked = false;
        } else if (compare_bytes(header, "070702", 6) == 0) {
            checked = true;
        } else {
            log_warning("cpio: no newc header at byte %zu; stopping", position);
            m_summary.truncated = true;
            break;
        }
        u32 field[kFieldCount];
        bool fields_ok = true;
        for (usize i = 0; i < kFieldCount; ++i)
            fields_ok &= parse_hex(header + 6 + i * 8, field[i]);
        if (!fields_ok) {
            // Without trustworthy sizes there is no next entry to find.
            log_warning("cpio: bad hex digits in the header at byte %zu; stopping", position);
            m_summary.truncated = true;
            break;
        }
        usize name_size = field[kNameSize];
        usize file_size = field[kFileSize];
        usize remaining = size - position;
        if (name_size == 0 || name_size > remaining - kHeaderSize) {
            log_warning("cpio: name of %zu bytes at byte %zu does not fit; stopping", name_size, position);
            m_summary.truncated = true;
            break;
        }
        usize data_start = pad4(kHeaderSize + name_size);
        if (data_start > remaining || file_size > remaining - data_start) {
            log_warning("cpio: %zu bytes of data at byte %zu run past the end; stopping", file_size, position);
            m_summary.truncated = true;
            break;
        }
        const char* name_bytes = reinterpret_cast<const char*>(header + kHeaderSize);
        const u8* body = header + data_start;
        usize next = data_start + file_size;
        position += pad4(next) > remaining ? remaining : pad4(next); // the last padding may be missing

        // The name must end with its only NUL.
        StringView raw_name(name_bytes, name_size - 1);
        if (name_bytes[name_size - 1] != '\0' || find_byte(name_bytes, 0, name_size - 1)) {
            skip("name is not a NUL-terminated string", raw_name);
            continue;
        }
        if (raw_name == "TRAILER!!!") {
            ++m_summary.archives;
            continue;
        }
        TRY(unpack_entry(field, raw_name, body, checked));
    }
    set_dir_times();
    return m_summary;
}

Result<void> Unpacker::unpack_entry(const u32 (&field)[kFieldCount], StringView name, const u8* body, bool checked)
{
    StringView original = name;
    while (!name.is_empty() && name[0] == '/')
        name = name.substring(1);
    while (name.starts_with("./"))
        name = name.substring(2);
    while (!name.is_empty() && name[0] == '/')
        name = name.substring(1);
    if (name.is_empty())
        name = ".";
    if (name.length() >= kPathMax) {
        skip("name too long", original);
        return {};
    }
    // No component may be "..": the archive must stay inside the target.
    for (usize start = 0; start <= name.length();) {
        usize slash = name.find('/', start);
        if (slash == StringView::kNotFound)
            slash = name.length();
        if (name.substring(start, slash - start) == "..") {
            skip("name climbs out with \"..\"", original);
            return {};
        }
        start = slash + 1;
    }
    if (checked) {
        u32 sum = 0;
        for (u32 i = 0; i < field[kFileSize]; ++i)
            sum += body[i];
        if (sum != field[kCheck]) {
            skip("checksum mismatch", original);
            return {};
        }
    }

    u32 mode = field[kMode];
    u32 type = mode & kIfMt;
    u32 permissions = mode & kPermissionBits;
    auto c = caller();
    Result<void> made;
    bool set_time = true;
    switch (type) {
    case kIfDir: {
        made = mkdirat(c, kAtFdCwd, name, permissions);
        if (made.is_error() && made.error() == Errno::EXIST) {
            Stat existing {};
            if (!fstatat(c, kAtFdCwd, name, existing, kAtSymlinkNoFollow).is_error() && is_dir(existing.mode))
                made = Result<void>();
            else {
                remove_existing(name, type);
                made = mkdirat(c, kAtFdCwd, name, permissions);
            }
        }
        set_time = false; // later: creating its contents would move it
        break;
    }
    case kIfReg: {
        auto regular = make_regular(field, name, body);
        if (regular.is_error()) {
            if (regular.error() == Errno::NOMEM)
                return Errno::NOMEM;
            made = regular.error();
        }
        break;
    }
    case kIfLnk: {
        if (field[kFileSize] == 0 || field[kFileSize] >= kPathMax || find_byte(body, 0, field[kFileSize])) {
            skip("bad symlink target", original);
            return {};
        }
        remove_existing(name, type);
        made = symlinkat(c, StringView(reinterpret_cast<const char*>(body), field[kFileSize]), kAtFdCwd, name);
        break;
    }
    case kIfChr:
    case kIfBlk:
    case kIfIfo:
    case kIfSock: {
        remove_existing(name, type);
        u32 dev = (type == kIfChr || type == kIfBlk) ? make_dev(field[kRdevMajor], field[kRdevMinor]) : 0;
        made = mknodat(c, kAtFdCwd, name, type | permissions, dev);
        break;
    }
    default:
        skip("unknown file type", original);
        return {};
    }
    if (made.is_error()) {
        if (made.error() == Errno::NOMEM)
            return Errno::NOMEM;
        skip(errno_name(made.error()), original);
        return {};
    }
    apply_attributes(name, field, type != kIfLnk, set_time);
    if (type == kIfDir) {
        auto dir = resolve_path(m_context.root(), m_context.cwd(), name, false, m_credentials);
        if (!dir.is_error()) {
            auto entry = TRY(make_own<DirTime>());
            entry->inode = dir.value().inode;
            entry->mtime_ns = static_cast<i64>(field[kMtime]) * 1000000000;
            m_dir_times.push_back(*entry.leak());
        }
    }
    ++m_summary.unpacked;
    return {};
}

// A regular file, or a further name of one already unpacked. True when it was made as a link.
Result<bool> Unpacker::make_regular(const u32 (&field)[kFieldCount], StringView name, const u8* body)
{
    auto c = caller();
    remove_existing(name, kIfReg);
    if (field[kNlink] > 1) {
        for (auto& record : m_links) {
            if (record.ino != field[kIno] || record.dev_major != field[kDevMajor]
                || record.dev_minor != field[kDevMinor])
                continue;
            TRY(linkat(c, kAtFdCwd, record.name.view(), kAtFdCwd, name, 0));
            if (field[kFileSize] > 0)
                TRY(write_body(name, body, field[kFileSize], true));
            return true;
        }
    }
    TRY(write_body(name, body, field[kFileSize], true));
    if (field[kNlink] > 1) {
        auto record = TRY(make_own<LinkRecord>());
        record->name = TRY(mm::String::copy(name));
        record->ino = field[kIno];
        record->dev_major = field[kDevMajor];
        record->dev_minor = field[kDevMinor];
        m_links.push_back(*record.leak());
    }
    return false;
}

Result<void> Unpacker::write_body(StringView name, const u8* body, u32 length, bool truncate)
{
    auto c = caller();
    // O_NONBLOCK: a name that is a FIFO by now (a hard link to a name a later entry replaced) fails with ENXIO
    // instead of waiting, outside any task, for a reader.
    auto file = TRY(open_file(
        c, kAtFdCwd, name, kOWrOnly | kOCreat | kONoFollow | kONonBlock | (truncate ? kOTrunc : 0), 0600));
    usize done = 0;
    while (done < length) {
        usize wrote = TRY(file->write(body + done, length - done));
        if (wrote == 0)
            return Errno::NOSPC;
        done += wrote;
    }
    return {};
}

void Unpacker::remove_existing(StringView name, u32 new_type)
{
    auto c = caller();
    Stat existing {};
    if (fstatat(c, kAtFdCwd, name, existing, kAtSymlinkNoFollow).is_error())
        return;
    // A regular file over a regular file is rewritten in place (hard links keep pointing at it).
    if (new_type == kIfReg && is_reg(existing.mode))
        return;
    (void)unlinkat(c, kAtFdCwd, name, is_dir(existing.mode) ? kAtRemoveDir : 0);
}

void Unpacker::apply_attributes(StringView name, const u32 (&field)[kFieldCount], bool set_mode, bool set_time)
{
    auto c = caller();
    // chown first: it clears set-user-ID, which the chmod after it puts back.
    (void)fchownat(c, kAtFdCwd, name, field[kUid], field[kGid], kAtSymlinkNoFollow);
    if (set_mode)
        (void)fchmodat(c, kAtFdCwd, name, field[kMode] & kPermissionBits, 0);
    if (set_time) {
        TimeSpec times[2] = { { static_cast<i64>(field[kMtime]), 0 }, { static_cast<i64>(field[kMtime]), 0 } };
        (void)utimensat(c, kAtFdCwd, name, times, kAtSymlinkNoFollow);
    }
}

void Unpacker::set_dir_times()
{
    while (DirTime* entry = m_dir_times.pop_front()) {
        entry->inode->attributes().atime_ns = entry->mtime_ns;
        entry->inode->attributes().mtime_ns = entry->mtime_ns;
        OwnPtr<DirTime> owner(entry);
    }
}

} // namespace

Result<CpioSummary> unpack_cpio(const Path& target, const u8* data, usize size)
{
    if (!target.is_valid() || !target.inode->is_directory())
        return Errno::NOTDIR;
    auto context = TRY(FsContext::create(target));
    context->exchange_umask(0);
    auto fds = TRY(FdTable::create());
    auto unpacker = TRY(make_own<Unpacker>(*context, *fds));
    return unpacker->run(data, size);
}

} // namespace fs
