// The inode cache (Superblock::get_inode and friends): one in-memory inode per (superblock, number), for tmpfs
// and for a disk-style filesystem that fills its inodes from storage; eviction with the last reference; a
// lookup that waits while another task fills (I_NEW); and the per-inode state that hangs off it: a FIFO's
// pipe shared by every open of the inode, under any of its names.
#include <catch2/catch_test_macros.hpp>
#include <vector>

#include "../proc/process_machine.hpp"
#include "fs/file_locks.hpp"
#include "fs/pipe.hpp"
#include "fs/vfs.hpp"
#include "fs_machine.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace {

constexpr u32 kSysFork = sys::nr("fork"), kSysRead = sys::nr("read"), kSysClose = sys::nr("close"),
              kSysWait4 = sys::nr("wait4"), kSysSchedYield = sys::nr("sched_yield");

i32 wait_child(i32 pid, u32 box) { return proc_test::call(kSysWait4, static_cast<u32>(pid), box, 0, 0); }

// A filesystem whose inodes come from "storage": fill() sets what a disk read would, and counts.
fs::FileSystemType g_disk_type("icache-test", true,
    [](const fs::FileSystemType&, StringView, StringView) -> Result<fs::MountSource> { return Errno::NODEV; });

struct DiskSuperblock final : fs::Superblock {
    DiskSuperblock()
        : Superblock(g_disk_type, fs::allocate_anonymous_dev())
    {
    }
};

struct DiskInode final : fs::Inode {
    DiskInode(fs::Superblock& superblock, u64 ino)
        : Inode(superblock, ino, 0)
    {
    }
};

struct Disk {
    RefPtr<DiskSuperblock> superblock = make_ref<DiskSuperblock>().release_value();
    int fills = 0;
    Errno fail_with {}; // a fill error to give, when set
    bool fail_make = false;

    Result<RefPtr<DiskInode>> get(u64 ino)
    {
        auto make = [&](u64 number) -> Result<RefPtr<DiskInode>> {
            if (fail_make)
                return Errno::NOMEM;
            return make_ref<DiskInode>(*superblock, number);
        };
        auto fill = [&](DiskInode& inode) -> Result<void> {
            ++fills;
            CHECK(inode.is_new());
            CHECK(inode.is_cached());
            if (fail_with != Errno {})
                return fail_with;
            inode.attributes().mode = fs::kIfReg | 0644;
            inode.attributes().size = inode.ino() * 100;
            inode.attributes().nlink = 1;
            return {};
        };
        return superblock->get_inode<DiskInode>(ino, make, fill);
    }
};

} // namespace

TEST_CASE("inode cache: one tmpfs inode per number, under every name; another superblock has its own", "[fs][icache]")
{
    using namespace fs_test;
    FsMachine m;
    usize live_at_start = Inode::live_count();
    m.write_file("/a", "data");
    REQUIRE(m.link("/a", "/b") == 0);
    RefPtr<Inode> root = m.root_mount->root_path().inode;
    Superblock& superblock = root->superblock();
    RefPtr<Inode> a = root->lookup("a").release_value();
    RefPtr<Inode> b = root->lookup("b").release_value();
    CHECK(a.get() == b.get());
    CHECK(a->is_cached());
    CHECK_FALSE(a->is_new());
    CHECK(superblock.find_inode(a->ino()).get() == a.get());
    CHECK(superblock.find_inode(root->ino()).get() == root.get());
    CHECK_FALSE(superblock.find_inode(a->ino() + 1000));

    // A second tmpfs numbers its inodes from 1 too: the same number there is another inode.
    auto other = tmpfs::create("").release_value();
    CHECK(other.root->ino() == root->ino());
    CHECK(other.root.get() != root.get());
    CHECK(other.superblock->find_inode(root->ino()).get() == other.root.get());
    CHECK(superblock.find_inode(root->ino()).get() == root.get());
    CHECK(other.superblock->cached_inodes() == 1);

    // tmpfs keeps an inode while it has a name, whatever else lets go; the last reference evicts it.
    u64 ino = a->ino();
    a.reset();
    b.reset();
    CHECK(superblock.find_inode(ino));
    REQUIRE(m.unlink("/a") == 0);
    CHECK(superblock.find_inode(ino));
    REQUIRE(m.unlink("/b") == 0);
    CHECK_FALSE(superblock.find_inode(ino));
    other = MountSource {};
    CHECK(Inode::live_count() == live_at_start);
}

TEST_CASE(
    "inode cache: a filesystem's fill runs once per inode in memory; the last reference evicts it", "[fs][icache]")
{
    SimRam ram(8);
    usize live_at_start = fs::Inode::live_count();
    {
        Disk disk;
        auto first = disk.get(7).release_value();
        auto again = disk.get(7).release_value();
        CHECK(first.get() == again.get());
        CHECK(disk.fills == 1);
        CHECK_FALSE(first->is_new());
        CHECK(first->attributes().size == 700);
        auto other = disk.get(8).release_value();
        CHECK(other.get() != first.get());
        CHECK(disk.fills == 2);
        CHECK(disk.superblock->cached_inodes() == 2);

        // A second "disk" with the same numbers has inodes of its own.
        Disk second;
        auto elsewhere = second.get(7).release_value();
        CHECK(elsewhere.get() != first.get());
        CHECK(&elsewhere->superblock() == second.superblock.get());

        first.reset();
        CHECK(disk.superblock->cached_inodes() == 2); // `again` still holds it
        again.reset();
        CHECK(disk.superblock->cached_inodes() == 1);
        CHECK_FALSE(disk.superblock->find_inode(7));
        CHECK(fs::Inode::live_count() == live_at_start + 2);
        // Read back from storage after eviction: a new object, filled again.
        auto back = disk.get(7).release_value();
        CHECK(disk.fills == 3);
        CHECK(back->attributes().size == 700);
    }
    CHECK(fs::Inode::live_count() == live_at_start);
}

TEST_CASE("inode cache: a failed fill or make leaves nothing cached and nothing alive", "[fs][icache]")
{
    SimRam ram(8);
    usize live_at_start = fs::Inode::live_count();
    Disk disk;
    disk.fail_with = Errno::IO;
    auto failed = disk.get(3);
    REQUIRE(failed.is_error());
    CHECK(failed.error() == Errno::IO);
    CHECK(disk.superblock->cached_inodes() == 0);
    CHECK(fs::Inode::live_count() == live_at_start);
    disk.fail_with = Errno {};
    disk.fail_make = true;
    CHECK(disk.get(3).error() == Errno::NOMEM);
    CHECK(disk.fills == 1);
    disk.fail_make = false;
    auto good = disk.get(3);
    REQUIRE_FALSE(good.is_error());
    CHECK(good.value()->attributes().size == 300);
    CHECK(disk.fills == 2);
}

namespace {

// A child fills inode 5 of a Disk, its "read" asleep until a second child opens the gate, while the parent
// looks the inode up; the fill succeeds or fails with EIO.
void lookup_during_fill(bool fill_fails)
{
    using namespace proc_test;
    ProcessMachine m;
    Children children;
    Disk local; // outside the program: its exit does not unwind
    proc::WaitQueue gate;
    bool open = false, fill_started = false, parent_done = false, parent_was_waiting = false;
    fs::Inode* filled_by_child = nullptr;
    children.programs.push_back([&] {
        auto make = [&](u64 number) { return make_ref<DiskInode>(*local.superblock, number); };
        auto fill = [&](DiskInode& inode) -> Result<void> {
            ++local.fills;
            fill_started = true;
            CHECK(gate.wait_until([&] { return open; }, proc::kNoDeadline, proc::Interruptible::No)
                == proc::WaitOutcome::Ready);
            if (fill_fails)
                return Errno::IO;
            inode.attributes().size = 4242;
            return {};
        };
        auto inode = local.superblock->get_inode<DiskInode>(5, make, fill);
        CHECK(inode.is_error() == fill_fails);
        filled_by_child = inode.is_error() ? nullptr : inode.value().get();
        exit_group(0);
    });
    // The disk: completes the read once the parent has had time to look the inode up.
    children.programs.push_back([&] {
        yield_until([&] { return fill_started; });
        for (int i = 0; i < 3; ++i)
            call(kSysSchedYield);
        parent_was_waiting = !parent_done;
        open = true;
        gate.wake_all();
        exit_group(0);
    });
    children.install();
    run_program(m, [&] {
        u32 box = scratch();
        i32 filler = call(kSysFork);
        i32 waker = call(kSysFork);
        yield_until([&] { return fill_started; });
        RefPtr<fs::Inode> seen = local.superblock->find_inode(5); // cached, but new: waits
        parent_done = true;
        CHECK(parent_was_waiting);
        CHECK(wait_child(filler, box) == filler);
        CHECK(wait_child(waker, box) == waker);
        CHECK(local.fills == 1);
        if (fill_fails) {
            CHECK_FALSE(seen); // taken out again, and nothing else has it
            CHECK(local.superblock->cached_inodes() == 0);
            auto again = local.get(5); // the next lookup reads it afresh
            REQUIRE_FALSE(again.is_error());
            CHECK(again.value()->attributes().size == 500);
            CHECK(local.fills == 2);
            return;
        }
        REQUIRE(seen);
        CHECK_FALSE(seen->is_new());
        CHECK(seen->attributes().size == 4242);
        CHECK(seen.get() == filled_by_child);
        seen.reset();
        CHECK(local.superblock->cached_inodes() == 0);
    });
}

} // namespace

TEST_CASE("inode cache: a lookup of an inode being filled waits for the fill, then shares it", "[fs][icache]")
{
    lookup_during_fill(false);
}

TEST_CASE(
    "inode cache: a lookup waiting on a fill that fails finds nothing; the next lookup reads again", "[fs][icache]")
{
    lookup_during_fill(true);
}

TEST_CASE(
    "FIFO: every open of the inode, by any name, shares one pipe, which goes with the last close", "[fs][icache][fifo]")
{
    using namespace proc_test;
    ProcessMachine m;
    run_and_remove(m, { "/fifo", "/alias" }, [&] {
        u32 box = scratch();
        fs::Caller caller = sys::file_caller();
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/fifo", fs::kIfIfo | 0644, 0).is_error());
        REQUIRE_FALSE(fs::linkat(caller, fs::kAtFdCwd, "/fifo", fs::kAtFdCwd, "/alias", 0).is_error());
        i32 both = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kORdWr, 0).value();
        i32 writer = fs::openat(caller, fs::kAtFdCwd, "/alias", fs::kOWrOnly | fs::kONonBlock, 0).value();
        i32 reader = fs::openat(caller, fs::kAtFdCwd, "/fifo", fs::kORdOnly | fs::kONonBlock, 0).value();
        auto file_of = [&](i32 fd) { return caller.fds.get(fd).value(); };
        RefPtr<fs::Inode> inode(&file_of(both)->inode());
        CHECK(&file_of(writer)->inode() == inode.get());
        fs::Pipe* pipe = fs::pipe_of(*file_of(both));
        REQUIRE(pipe);
        CHECK(inode->pipe() == pipe);
        CHECK(fs::pipe_of(*file_of(writer)) == pipe);
        CHECK(fs::pipe_of(*file_of(reader)) == pipe);
        CHECK(pipe->readers() == 2);
        CHECK(pipe->writers() == 2);
        // In through the link's name, out through the other's.
        poke_string(box, "through");
        CHECK(call(kSysWrite, static_cast<u32>(writer), box, 7) == 7);
        CHECK(call(kSysRead, static_cast<u32>(reader), box + 64, 16) == 7);
        CHECK(peek_string(box + 64).substr(0, 7) == "through");
        // Left in the pipe when the last end closes: gone with it.
        CHECK(call(kSysWrite, static_cast<u32>(both), box, 3) == 3);
        CHECK(call(kSysClose, static_cast<u32>(writer)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(reader)) == 0);
        CHECK(inode->pipe() == pipe); // `both` still has it open
        CHECK(call(kSysClose, static_cast<u32>(both)) == 0);
        CHECK(inode->pipe() == nullptr);
        i32 again = fs::openat(caller, fs::kAtFdCwd, "/alias", fs::kORdWr | fs::kONonBlock, 0).value();
        CHECK(inode->pipe() != nullptr);
        CHECK(call(kSysRead, static_cast<u32>(again), box + 64, 16) == err(Errno::AGAIN));
        CHECK(call(kSysClose, static_cast<u32>(again)) == 0);
        CHECK(inode->pipe() == nullptr);
    });
}

TEST_CASE("record locks: the context is made by the first lock and hangs off the inode", "[fs][icache][locks]")
{
    using namespace proc_test;
    ProcessMachine m;
    run_and_remove(m, { "/f" }, [&] {
        fs::Caller caller = sys::file_caller();
        i32 fd = fs::openat(caller, fs::kAtFdCwd, "/f", fs::kORdWr | fs::kOCreat, 0644).value();
        RefPtr<fs::Inode> inode(&caller.fds.get(fd).value()->inode());
        CHECK(inode->lock_context() == nullptr);
        fs::LockOwner owner = &caller.fds;
        fs::LockOwner stranger = reinterpret_cast<fs::LockOwner>(&m);
        auto set = [&](fs::LockOwner who, i16 type, i64 start, i64 end) {
            return fs::set_posix_lock(*inode, who, 1, fs::LockRange { type, start, end }, false);
        };
        fs::LockRange held {};
        i32 pid = 0;
        auto conflicts = [&](i16 type, i64 start, i64 end) {
            return fs::find_conflicting_lock(*inode, stranger, fs::LockRange { type, start, end }, held, pid);
        };
        // Unlocking nothing makes nothing.
        REQUIRE_FALSE(set(owner, fs::kLockUnlock, 0, 9).is_error());
        CHECK(inode->lock_context() == nullptr);
        REQUIRE_FALSE(set(owner, fs::kLockWrite, 0, 4).is_error());
        CHECK(inode->lock_context() != nullptr);
        CHECK(conflicts(fs::kLockRead, 3, 3));
        CHECK(held.start == 0);
        CHECK(held.end == 4);
        CHECK(pid == 1);
        CHECK(set(stranger, fs::kLockRead, 4, 8).error() == Errno::AGAIN);
        CHECK_FALSE(fs::find_conflicting_lock(*inode, owner, fs::LockRange { fs::kLockWrite, 0, 9 }, held, pid));
        // An O_PATH descriptor never held locks: its close keeps them; any other close of the file drops them.
        i32 path_only = fs::openat(caller, fs::kAtFdCwd, "/f", fs::kOPath, 0).value();
        CHECK(call(kSysClose, static_cast<u32>(path_only)) == 0);
        CHECK(conflicts(fs::kLockRead, 3, 3));
        i32 second = fs::openat(caller, fs::kAtFdCwd, "/f", fs::kORdOnly, 0).value();
        CHECK(call(kSysClose, static_cast<u32>(second)) == 0);
        CHECK_FALSE(conflicts(fs::kLockRead, 3, 3));
        CHECK(inode->lock_context() != nullptr); // kept until the inode goes
        CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
    });
}

TEST_CASE("record locks: a close through another name of the inode drops the owner's locks, another process's "
          "close does not",
    "[fs][icache][locks]")
{
    using namespace proc_test;
    constexpr u32 kFcntl64 = sys::nr("fcntl64"), kOpen = sys::nr("open"), kLink = sys::nr("link");
    constexpr u32 kFGetLk64 = 12, kFSetLk64 = 13;
    auto lock64 = [](u32 at, i32 fd, u32 command, i16 type, i64 start, i64 len) {
        poke(at, sys::Flock64 { type, 0, start, len, 0 });
        return call(kFcntl64, static_cast<u32>(fd), command, at);
    };
    ProcessMachine m;
    Children children;
    u32 area = 0;
    std::vector<i16> seen; // what each child's F_GETLK64 of byte 0 reports
    auto open_named = [&](const char* name, u32 flags) {
        poke_string(area + 512, name);
        return call(kOpen, area + 512, flags, 0644);
    };
    for (int i = 0; i < 2; ++i) {
        children.programs.push_back([&] {
            i32 fd = open_named("/alias", fs::kORdWr);
            REQUIRE(lock64(area, fd, kFGetLk64, fs::kLockWrite, 0, 1) == 0);
            seen.push_back(peek<sys::Flock64>(area).type);
            CHECK(call(kSysClose, static_cast<u32>(fd)) == 0); // not the owner: the lock stays
            exit_group(0);
        });
    }
    children.install();
    run_and_remove(m, { "/locked", "/alias" }, [&] {
        area = scratch();
        u32 box = area + 2 * kPage;
        i32 fd = open_named("/locked", fs::kORdWr | fs::kOCreat);
        poke_string(area + 1024, "/alias");
        REQUIRE(call(kLink, area + 512, area + 1024) == 0);
        REQUIRE(lock64(area, fd, kFSetLk64, fs::kLockWrite, 0, 10) == 0);
        i32 child = call(kSysFork);
        CHECK(wait_child(child, box) == child);
        // The child's own close left the lock; ours through the other name takes it away.
        i32 other = open_named("/alias", fs::kORdOnly);
        CHECK(lock64(area, fd, kFGetLk64, fs::kLockWrite, 0, 1) == 0);
        CHECK(call(kSysClose, static_cast<u32>(other)) == 0);
        child = call(kSysFork);
        CHECK(wait_child(child, box) == child);
        REQUIRE(seen.size() == 2);
        CHECK(seen[0] == fs::kLockWrite);
        CHECK(seen[1] == fs::kLockUnlock);
        CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
    });
}
