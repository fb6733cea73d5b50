// devtmpfs on /dev and the memory devices: the nodes and links mount_on_dev() makes, /dev/console still
// working under it, and what null, zero, full, random, urandom and tty do, through the system calls.
#include <catch2/catch_test_macros.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "../proc/process_machine.hpp"
#include "drivers/memory_devices.hpp"
#include "fs/devfs/devfs.hpp"
#include "fs/namei.hpp"
#include "fs/devices.hpp"
#include "kernel/boot_state.hpp"
#include "fs/vfs.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysRead = sys::nr("read"), kSysClose = sys::nr("close");

i32 open_path(const char* path, u32 flags)
{
    fs::Caller caller = sys::file_caller();
    auto fd = fs::openat(caller, fs::kAtFdCwd, path, flags, 0);
    REQUIRE_FALSE(fd.is_error());
    return fd.value();
}

fs::Stat stat_path(const char* path, u32 flags = fs::kAtSymlinkNoFollow)
{
    fs::Caller caller = sys::file_caller();
    fs::Stat st {};
    REQUIRE_FALSE(fs::fstatat(caller, fs::kAtFdCwd, path, st, flags).is_error());
    return st;
}

std::string link_of(const char* path)
{
    fs::Caller caller = sys::file_caller();
    char buffer[64];
    auto length = fs::readlinkat(caller, fs::kAtFdCwd, path, buffer, sizeof(buffer));
    REQUIRE_FALSE(length.is_error());
    return std::string(buffer, length.value());
}

void set_up_dev()
{
    REQUIRE_FALSE(drivers::register_memory_devices().is_error());
    REQUIRE_FALSE(drivers::register_memory_devices().is_error()); // twice is harmless
    REQUIRE_FALSE(fs::devfs::mount_on_dev().is_error());
}

// Runs `body` with devfs on /dev, unmounted afterwards: the machine's leak check counts every page, and
// devfs (unlike the root) is not there from the start.
template<typename Body> void with_dev(ProcessMachine& m, Body body)
{
    run_program(m, [&] {
        set_up_dev();
        body();
        fs::Caller caller = sys::file_caller();
        CHECK_FALSE(fs::umount(caller, "/dev", 0).is_error());
    });
}

} // namespace

TEST_CASE("devfs: mount_on_dev makes the standard nodes, links and directories", "[devfs]")
{
    ProcessMachine m;
    with_dev(m, [&] {
        struct Expected {
            const char* path;
            u32 mode;
            u32 major, minor;
        };
        for (Expected e : { Expected { "/dev/console", 0020600, 5, 1 }, Expected { "/dev/tty", 0020666, 5, 0 },
                 Expected { "/dev/null", 0020666, 1, 3 }, Expected { "/dev/zero", 0020666, 1, 5 },
                 Expected { "/dev/full", 0020666, 1, 7 }, Expected { "/dev/random", 0020666, 1, 8 },
                 Expected { "/dev/urandom", 0020666, 1, 9 } }) {
            INFO(e.path);
            fs::Stat st = stat_path(e.path);
            CHECK(st.mode == e.mode);
            CHECK(st.rdev == fs::make_dev(e.major, e.minor));
        }
        CHECK(link_of("/dev/fd") == "/proc/self/fd");
        CHECK(link_of("/dev/stdin") == "/proc/self/fd/0");
        CHECK(link_of("/dev/stdout") == "/proc/self/fd/1");
        CHECK(link_of("/dev/stderr") == "/proc/self/fd/2");
        CHECK(fs::is_dir(stat_path("/dev/shm").mode));
        CHECK((stat_path("/dev/shm").mode & 07777) == 01777);
        CHECK(fs::is_dir(stat_path("/dev/pts").mode));
        // A tmpfs underneath: new nodes can be made there.
        fs::Caller caller = sys::file_caller();
        CHECK_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/dev/myfifo", fs::kIfIfo | 0600, 0).is_error());
        // The type is registered for mount(2) too.
        CHECK_FALSE(fs::mkdirat(caller, fs::kAtFdCwd, "/mnt", 0755).is_error());
        CHECK_FALSE(fs::mount(caller, "none", "/mnt", "devtmpfs", 0, "").is_error());
        CHECK(stat_path("/mnt/null").rdev == fs::make_dev(1, 3));
        // It names itself devtmpfs, as /proc/mounts and mount(8) show it on Linux, though it is a tmpfs inside.
        fs::Path mounted = fs::resolve_path(caller.fs.root(), caller.fs.cwd(), "/mnt", true, caller.credentials).release_value();
        CHECK(StringView(mounted.mount->superblock().type().name()) == "devtmpfs");
        mounted = {};
        CHECK_FALSE(fs::umount(caller, "/mnt", 0).is_error());
    });
}

TEST_CASE("devfs: /dev/console and /dev/tty write to the console", "[devfs]")
{
    ProcessMachine m;
    with_dev(m, [&] {
        u32 box = scratch();
        poke_string(box, "through devfs\n");
        i32 console = open_path("/dev/console", fs::kOWrOnly);
        CHECK(call(kSysWrite, static_cast<u32>(console), box, 14) == 14);
        i32 tty = open_path("/dev/tty", fs::kORdWr);
        CHECK(call(kSysWrite, static_cast<u32>(tty), box, 14) == 14);
        CHECK(call(kSysIoctl, static_cast<u32>(tty), 0x5413 /* TIOCGWINSZ */, box + 64) == 0);
        CHECK(call(kSysClose, static_cast<u32>(console)) == 0);
        CHECK(call(kSysClose, static_cast<u32>(tty)) == 0);
    });
    CHECK(m.console.text().find("through devfs\nthrough devfs\n") != std::string::npos);
}

TEST_CASE("memory devices: null swallows, zero and full read zeros, full refuses writes, random differs", "[devfs]")
{
    ProcessMachine m;
    with_dev(m, [&] {
        u32 box = scratch(20 * kPage);
        poke<u64>(box, 0x1111111111111111ull);
        i32 null = open_path("/dev/null", fs::kORdWr);
        CHECK(call(kSysRead, static_cast<u32>(null), box, 100) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(null), box, 100) == 100);
        CHECK(peek<u64>(box) == 0x1111111111111111ull);

        i32 zero = open_path("/dev/zero", fs::kORdWr);
        CHECK(call(kSysRead, static_cast<u32>(zero), box, 8) == 8);
        CHECK(peek<u64>(box) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(zero), box, 100) == 100);

        i32 full = open_path("/dev/full", fs::kORdWr);
        poke<u64>(box, ~u64 { 0 });
        CHECK(call(kSysRead, static_cast<u32>(full), box, 8) == 8);
        CHECK(peek<u64>(box) == 0);
        CHECK(call(kSysWrite, static_cast<u32>(full), box, 1) == err(Errno::NOSPC));

        for (const char* path : { "/dev/random", "/dev/urandom" }) {
            i32 fd = open_path(path, fs::kORdWr);
            CHECK(call(kSysRead, static_cast<u32>(fd), box, 16) == 16);
            CHECK(call(kSysRead, static_cast<u32>(fd), box + 16, 16) == 16);
            CHECK(peek<u64>(box) != peek<u64>(box + 16));
            CHECK(call(kSysWrite, static_cast<u32>(fd), box, 16) == 16); // mixed in, not credited
            CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
        }
        // One read of a character device moves at most the syscall layer's 64 KiB chunk.
        CHECK(call(kSysRead, static_cast<u32>(zero), box, 16 * kPage) == static_cast<i32>(16 * kPage));
        for (i32 fd : { null, zero, full })
            CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
    });
}

TEST_CASE("devfs: mount_on_dev needs a system root", "[devfs]")
{
    SimRam ram(8);
    CHECK(fs::devfs::mount_on_dev().error() == Errno::NOENT);
}

namespace {

struct Answer final : fs::FileOperations {
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer& to) override
    {
        return to.put_made(to.remaining(), [](u8* chunk, usize length) {
            for (usize i = 0; i < length; ++i)
                chunk[i] = '*';
        });
    }
    bool seekable() const override { return false; }
};

std::string proc_devices()
{
    char text[2048];
    usize length = fs::format_proc_devices(text, sizeof(text));
    REQUIRE(length < sizeof(text));
    return std::string(text, length);
}

} // namespace

TEST_CASE("device registry: numbers, kinds, EBUSY, EINVAL, and what resolves", "[devfs]")
{
    static Answer answer, other;
    fs::DeviceInfo info { fs::DeviceKind::Char, 240, 1, "answer", 0640, "answer" };
    REQUIRE_FALSE(fs::register_device(info, answer).is_error());
    CHECK(fs::register_device(info, other).error() == Errno::BUSY);
    // The same number as a block device is another device.
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Block, 240, 1, "answerblk", 0660, "answerblk" }, other).is_error());
    CHECK(fs::register_device({ fs::DeviceKind::Char, 0x1000, 0, "x", 0666, "x" }, other).error() == Errno::INVAL);
    CHECK(fs::register_device({ fs::DeviceKind::Char, 1, 0x100000, "x", 0666, "x" }, other).error() == Errno::INVAL);
    CHECK(fs::resolve_special_file(fs::kIfChr, fs::make_dev(240, 1)) == &answer);
    CHECK(fs::resolve_special_file(fs::kIfBlk, fs::make_dev(240, 1)) == &other);
    CHECK(fs::resolve_special_file(fs::kIfChr, fs::make_dev(240, 2)) == nullptr);
    CHECK(fs::resolve_special_file(fs::kIfReg, fs::make_dev(240, 1)) == nullptr);
    // A FIFO needs nobody's registration: it opens as a pipe, /dev or not.
    CHECK(fs::resolve_special_file(fs::kIfIfo, 0) != nullptr);
    REQUIRE(fs::find_device(fs::DeviceKind::Char, 240, 1));
    CHECK(StringView(fs::find_device(fs::DeviceKind::Char, 240, 1)->node) == "answer");
    fs::unregister_device(fs::DeviceKind::Char, 240, 1);
    fs::unregister_device(fs::DeviceKind::Block, 240, 1);
    CHECK(fs::resolve_special_file(fs::kIfChr, fs::make_dev(240, 1)) == nullptr);
    CHECK(fs::find_device(fs::DeviceKind::Block, 240, 1) == nullptr);
}

TEST_CASE("device registry: /proc/devices lists each major and driver once, in order of major", "[devfs]")
{
    static Answer answer;
    kernel::reset_boot_state(); // no machine here to start from a clean registry
    REQUIRE_FALSE(drivers::register_memory_devices().is_error());
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 3, nullptr, 0666, "late" }, answer).is_error());
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 4, 64, "ttyS0", 0660, "ttyS" }, answer).is_error());
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 4, 65, "ttyS1", 0660, "ttyS" }, answer).is_error());
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Block, 8, 0, "sda", 0660, "sd" }, answer).is_error());
    std::string text = proc_devices();
    INFO(text);
    // Linux's layout (fs/proc/devices.c): the two headings, "%3d %s" lines, a blank line between.
    CHECK(text.rfind("Character devices:\n  1 mem\n  4 ttyS\n  5 /dev/tty\n", 0) == 0); // tty is 5,0: before console
    CHECK(text.find("240 late\n") != std::string::npos);
    CHECK(text.find("mem", text.find("mem") + 1) == std::string::npos);
    CHECK(text.find("ttyS", text.find("ttyS") + 1) == std::string::npos);
    CHECK(text.substr(text.find("\nBlock devices:\n")) == "\nBlock devices:\n  8 sd\n");
    for (auto [kind, major, minor] : { std::tuple { fs::DeviceKind::Char, 240u, 3u }, { fs::DeviceKind::Char, 4u, 64u },
             { fs::DeviceKind::Char, 4u, 65u }, { fs::DeviceKind::Block, 8u, 0u } })
        fs::unregister_device(kind, major, minor);
    CHECK(proc_devices().find("ttyS") == std::string::npos);
}

TEST_CASE("devfs: every device registered before the mount gets its node, with its mode and number", "[devfs]")
{
    static Answer answer;
    ProcessMachine m;
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 9, "answer", 0640, "answer" }, answer).is_error());
    REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 10, nullptr, 0666, "answer" }, answer).is_error());
    with_dev(m, [&] {
        fs::Stat st = stat_path("/dev/answer");
        CHECK(st.mode == (fs::kIfChr | 0640));
        CHECK(st.rdev == fs::make_dev(240, 9));
        i32 fd = open_path("/dev/answer", fs::kORdOnly);
        u32 box = scratch();
        CHECK(call(kSysRead, static_cast<u32>(fd), box, 3) == 3);
        CHECK(peek<char>(box + 2) == '*');
        CHECK(call(kSysClose, static_cast<u32>(fd)) == 0);
    });
    fs::unregister_device(fs::DeviceKind::Char, 240, 9);
    fs::unregister_device(fs::DeviceKind::Char, 240, 10);
}

TEST_CASE("devfs: a device registered after /dev is mounted gets its node, and loses it when it goes",
    "[devfs]")
{
    static Answer answer;
    ProcessMachine m;
    with_dev(m, [&] {
        fs::Caller caller = sys::file_caller();
        fs::Stat st {};
        CHECK(fs::fstatat(caller, fs::kAtFdCwd, "/dev/late", st, 0).error() == Errno::NOENT);
        REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 7, "late", 0640, "late" }, answer).is_error());
        REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Block, 240, 8, "lateblk", 0660, "late" }, answer).is_error());
        REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 9, nullptr, 0666, "late" }, answer).is_error());
        CHECK(stat_path("/dev/late").mode == (fs::kIfChr | 0640));
        CHECK(stat_path("/dev/late").rdev == fs::make_dev(240, 7));
        CHECK(stat_path("/dev/lateblk").mode == (fs::kIfBlk | 0660));
        // Opening it reaches the driver, as for a node made at mount time.
        auto opened = fs::openat(caller, fs::kAtFdCwd, "/dev/late", fs::kORdOnly, 0);
        REQUIRE_FALSE(opened.is_error());
        char star = 0;
        CHECK(caller.fds.get(opened.value()).value()->read(&star, 1).value() == 1);
        CHECK(star == '*');
        CHECK_FALSE(caller.fds.close(opened.value()).is_error());
        fs::unregister_device(fs::DeviceKind::Char, 240, 7);
        fs::unregister_device(fs::DeviceKind::Block, 240, 8);
        fs::unregister_device(fs::DeviceKind::Char, 240, 9);
        CHECK(fs::fstatat(caller, fs::kAtFdCwd, "/dev/late", st, 0).error() == Errno::NOENT);
        CHECK(fs::fstatat(caller, fs::kAtFdCwd, "/dev/lateblk", st, 0).error() == Errno::NOENT);
        // A node the user made under a device's name is not the device's to take away.
        REQUIRE_FALSE(fs::mknodat(caller, fs::kAtFdCwd, "/dev/late", fs::kIfIfo | 0600, 0).is_error());
        REQUIRE_FALSE(fs::register_device({ fs::DeviceKind::Char, 240, 7, "late", 0640, "late" }, answer).is_error());
        fs::unregister_device(fs::DeviceKind::Char, 240, 7);
        CHECK(fs::is_fifo(stat_path("/dev/late").mode));
    });
}
