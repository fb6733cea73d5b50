// A simulated machine with a tmpfs root, a process's FsContext and FdTable, and helpers that drive the VFS
// calls the way the syscall layer will: for the tests of src/fs.
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <initializer_list>
#include <string>

#include "../mm/sim_ram.hpp"
#include "fs/namei.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "fs/vfs.hpp"
#include "kernel/clock.hpp"

namespace fs_test {

using namespace fs;

inline bool is_error(const auto& result, Errno expected) { return result.is_error() && result.error() == expected; }

// Errno of a Result, or 0 on success: for CHECK(err(...) == ...) lines that print well.
template<typename T> inline int err(const Result<T>& result)
{
    return result.is_error() ? static_cast<int>(result.error()) : 0;
}
inline int e(Errno errno_value) { return static_cast<int>(errno_value); }

struct FsMachine {
    SimRam ram;
    RefPtr<Mount> root_mount;
    RefPtr<FsContext> fs;
    RefPtr<FdTable> fds;
    Credentials credentials {};

    explicit FsMachine(StringView options = "", usize megabytes = 48)
        : ram(megabytes)
    {
        auto source = tmpfs::create(options);
        REQUIRE_FALSE(source.is_error());
        auto mount = Mount::create_root(source.release_value());
        REQUIRE_FALSE(mount.is_error());
        root_mount = mount.release_value();
        fs = FsContext::create(root_mount->root_path()).release_value();
        fds = FdTable::create().release_value();
        REQUIRE_FALSE(register_filesystem(tmpfs::filesystem_type()).is_error()); // the registry starts empty
        be_root();
    }
    ~FsMachine()
    {
        fds->close_all();
        fds.reset();
        fs.reset();
        root_mount->detach_all_children();
        root_mount.reset();
    }

    Caller caller() { return Caller { *fs, *fds, credentials, FdTable::kDefaultLimit }; }

    void be_root() { be(0, 0, {}); }
    void be(u32 uid, u32 gid, std::initializer_list<u32> groups)
    {
        credentials = Credentials {};
        credentials.uid = credentials.euid = credentials.suid = credentials.fsuid = uid;
        credentials.gid = credentials.egid = credentials.sgid = credentials.fsgid = gid;
        for (u32 group : groups)
            credentials.groups[credentials.group_count++] = group;
    }

    // --- shorthands for the VFS calls, relative to the cwd ---
    int mkdir(StringView path, u32 mode = 0755)
    {
        auto c = caller();
        return err(mkdirat(c, kAtFdCwd, path, mode));
    }
    int open(StringView path, u32 flags, u32 mode = 0644)
    {
        auto c = caller();
        auto fd = openat(c, kAtFdCwd, path, flags, mode);
        return fd.is_error() ? -static_cast<int>(fd.error()) : fd.value();
    }
    int close(int fd) { return err(fds->close(fd)); }
    int unlink(StringView path)
    {
        auto c = caller();
        return err(unlinkat(c, kAtFdCwd, path, 0));
    }
    int rmdir(StringView path)
    {
        auto c = caller();
        return err(unlinkat(c, kAtFdCwd, path, kAtRemoveDir));
    }
    int rename(StringView from, StringView to, u32 flags = 0)
    {
        auto c = caller();
        return err(renameat2(c, kAtFdCwd, from, kAtFdCwd, to, flags));
    }
    int link(StringView from, StringView to, u32 flags = 0)
    {
        auto c = caller();
        return err(linkat(c, kAtFdCwd, from, kAtFdCwd, to, flags));
    }
    int symlink(StringView target, StringView path)
    {
        auto c = caller();
        return err(symlinkat(c, target, kAtFdCwd, path));
    }
    int chdir(StringView path)
    {
        auto c = caller();
        return err(fs::chdir(c, path));
    }
    int chmod(StringView path, u32 mode)
    {
        auto c = caller();
        return err(fchmodat(c, kAtFdCwd, path, mode, 0));
    }
    int chown(StringView path, u32 uid, u32 gid)
    {
        auto c = caller();
        return err(fchownat(c, kAtFdCwd, path, uid, gid, 0));
    }
    int access(StringView path, u32 mode, u32 flags = 0)
    {
        auto c = caller();
        return err(faccessat(c, kAtFdCwd, path, mode, flags));
    }
    // stat, or lstat with follow=false; errno (0 on success).
    int stat(StringView path, Stat& out, bool follow = true)
    {
        auto c = caller();
        return err(fstatat(c, kAtFdCwd, path, out, follow ? 0 : kAtSymlinkNoFollow));
    }
    Stat stat(StringView path, bool follow = true)
    {
        Stat out {};
        int result = stat(path, out, follow);
        INFO("stat " << std::string(path.characters(), path.length()));
        REQUIRE(result == 0);
        return out;
    }
    bool exists(StringView path)
    {
        Stat out {};
        return stat(path, out, false) == 0;
    }
    // Creates (or truncates) a file holding `content`.
    void write_file(StringView path, const std::string& content, u32 mode = 0644)
    {
        int fd = open(path, kOWrOnly | kOCreat | kOTrunc, mode);
        INFO("open " << std::string(path.characters(), path.length()));
        REQUIRE(fd >= 0);
        auto file = fds->get(fd).release_value();
        auto written = file->write(content.data(), content.size());
        REQUIRE_FALSE(written.is_error());
        REQUIRE(written.value() == content.size());
        REQUIRE(close(fd) == 0);
    }
    std::string read_file(StringView path)
    {
        int fd = open(path, kORdOnly);
        INFO("open " << std::string(path.characters(), path.length()));
        REQUIRE(fd >= 0);
        auto file = fds->get(fd).release_value();
        std::string content;
        char buffer[1000];
        for (;;) {
            auto got = file->read(buffer, sizeof buffer);
            REQUIRE_FALSE(got.is_error());
            if (got.value() == 0)
                break;
            content.append(buffer, got.value());
        }
        REQUIRE(close(fd) == 0);
        return content;
    }
    std::string cwd()
    {
        char buffer[kPathMax];
        auto c = caller();
        auto length = getcwd(c, buffer, sizeof buffer);
        if (length.is_error())
            return std::string("error ") + errno_name(length.error());
        return std::string(buffer);
    }
    int mount_tmpfs(StringView target, StringView options = "", u32 flags = 0)
    {
        auto c = caller();
        return err(fs::mount(c, "none", target, "tmpfs", flags, options));
    }
    int umount(StringView target, u32 flags = 0)
    {
        auto c = caller();
        return err(fs::umount(c, target, flags));
    }
};

// Collects directory entries (names, and everything else) for getdents tests.
struct EntryList final : DirEntrySink {
    struct Item {
        std::string name;
        u64 ino;
        u64 next_offset;
        u8 type;
    };
    std::vector<Item> items;
    usize room = static_cast<usize>(-1);
    bool emit(const DirEntry& entry) override
    {
        if (items.size() >= room)
            return false;
        items.push_back(Item {
            std::string(entry.name.characters(), entry.name.length()), entry.ino, entry.next_offset, entry.type });
        return true;
    }
    bool has(const std::string& name) const
    {
        for (auto& item : items) {
            if (item.name == name)
                return true;
        }
        return false;
    }
};

} // namespace fs_test
