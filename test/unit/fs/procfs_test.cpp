// procfs on the simulated machine, read through the system calls as programs read it: the per-process files
// (stat, status, cmdline, environ, maps, fd/, links), the system files, and directory listings.
#include <catch2/catch_test_macros.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../proc/process_machine.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysRead = sys::nr("read"), kSysOpen = sys::nr("open"), kSysClose = sys::nr("close"),
              kSysReadlink = sys::nr("readlink"), kSysGetdents64 = sys::nr("getdents64");
constexpr u32 kSysFork = sys::nr("fork"), kSysWait4 = sys::nr("wait4");

// The whole of a /proc file, read in small pieces as a program may.
std::string read_file(u32 box, const std::string& path)
{
    poke_string(box, path);
    i32 fd = call(kSysOpen, box, 0 /* O_RDONLY */);
    REQUIRE(fd >= 0);
    std::string text;
    for (;;) {
        i32 got = call(kSysRead, static_cast<u32>(fd), box + 0x1000, 100);
        REQUIRE(got >= 0);
        if (got == 0)
            break;
        for (i32 i = 0; i < got; ++i)
            text.push_back(static_cast<char>(peek<u8>(box + 0x1000 + static_cast<u32>(i))));
    }
    call(kSysClose, static_cast<u32>(fd));
    return text;
}

std::string read_link(u32 box, const std::string& path)
{
    poke_string(box, path);
    i32 length = call(kSysReadlink, box, box + 0x1000, 256);
    if (length < 0)
        return "errno " + std::to_string(-length);
    std::string text;
    for (i32 i = 0; i < length; ++i)
        text.push_back(static_cast<char>(peek<u8>(box + 0x1000 + static_cast<u32>(i))));
    return text;
}

std::set<std::string> list(u32 box, const std::string& path)
{
    poke_string(box, path);
    i32 fd = call(kSysOpen, box, 0200000 /* O_DIRECTORY */);
    REQUIRE(fd >= 0);
    std::set<std::string> names;
    for (;;) {
        i32 got = call(kSysGetdents64, static_cast<u32>(fd), box + 0x1000, 200); // small: several calls
        REQUIRE(got >= 0);
        if (got == 0)
            break;
        for (u32 at = 0; at < static_cast<u32>(got);) {
            u16 record = peek<u16>(box + 0x1000 + at + 16);
            names.insert(peek_string(box + 0x1000 + at + 19));
            at += record;
        }
    }
    call(kSysClose, static_cast<u32>(fd));
    return names;
}

std::vector<std::string> fields(const std::string& line)
{
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string word; in >> word;)
        out.push_back(word);
    return out;
}

} // namespace

TEST_CASE("procfs: a process's stat, status, cmdline, environ, comm and maps", "[fs][procfs]")
{
    ProcessMachine m;
    std::string stat, status, cmdline, environ, comm, maps;
    REQUIRE_FALSE(m.run([&](uptr, uptr) {
        u32 box = scratch(4 * kPage);
        stat = read_file(box, "/proc/self/stat");
        status = read_file(box, "/proc/1/status");
        cmdline = read_file(box, "/proc/self/cmdline");
        environ = read_file(box, "/proc/self/environ");
        comm = read_file(box, "/proc/self/comm");
        maps = read_file(box, "/proc/self/maps");
        exit_group(0);
    }, { "/sbin/init", "first", "second arg" }, { "HOME=/", "TERM=linux" }).is_error());

    auto s = fields(stat);
    REQUIRE(s.size() >= 52);
    CHECK(s[0] == "1");
    CHECK(s[1] == "(init)");
    CHECK(s[2] == "R");
    CHECK(s[3] == "0"); // no parent
    CHECK(s[19] == "1"); // threads
    CHECK(std::stoull(s[22]) > 0); // vsize
    CHECK(status.find("Name:\tinit\n") != std::string::npos);
    CHECK(status.find("State:\tR (running)\n") != std::string::npos);
    CHECK(status.find("Pid:\t1\nPPid:\t0\n") != std::string::npos);
    CHECK(status.find("Uid:\t0\t0\t0\t0\n") != std::string::npos);
    CHECK(status.find("Threads:\t1\n") != std::string::npos);
    CHECK(cmdline == std::string("/sbin/init\0first\0second arg\0", 28));
    CHECK(environ == std::string("HOME=/\0TERM=linux\0", 18));
    CHECK(comm == "init\n");
    CHECK(maps.find("r-xp 00000000 00:00 0") != std::string::npos); // the text segment
    CHECK(maps.find("[stack]\n") != std::string::npos);
    CHECK(maps.substr(0, 9) == "08048000-");
}

TEST_CASE("procfs: /proc lists processes, fd/ lists descriptors, the links point where they should", "[fs][procfs]")
{
    ProcessMachine m;
    std::set<std::string> root, fds, self_dir;
    std::string self, exe, cwd, fd0, mounts_link;
    i32 missing = 0;
    std::string child_state;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        sim::set_fork_child_program([](u32) { exit_group(3); });
        i32 child = call(kSysFork);
        call(sys::nr("sched_yield")); // the child exits: a zombie until reaped
        root = list(box, "/proc");
        child_state = fields(read_file(box, "/proc/" + std::to_string(child) + "/stat")).at(2);
        REQUIRE(call(kSysWait4, static_cast<u32>(child), 0, 0, 0) == child);
        poke_string(box, "/proc/" + std::to_string(child) + "/stat");
        missing = call(kSysOpen, box, 0);
        fds = list(box, "/proc/self/fd");
        self_dir = list(box, "/proc/self");
        self = read_link(box, "/proc/self");
        exe = read_link(box, "/proc/self/exe");
        cwd = read_link(box, "/proc/self/cwd");
        fd0 = read_link(box, "/proc/self/fd/0");
        mounts_link = read_link(box, "/proc/mounts");
    });
    CHECK(root.count("1"));
    CHECK(root.count("2"));
    CHECK(root.count("self"));
    CHECK(root.count("meminfo"));
    CHECK(root.count("."));
    CHECK(child_state == "Z");
    CHECK(missing == err(Errno::NOENT));
    CHECK(fds.count("0"));
    CHECK(fds.count("2"));
    CHECK(fds.count("3")); // the directory being listed
    CHECK(self_dir.count("status"));
    CHECK(self_dir.count("fd"));
    CHECK(self == "1");
    CHECK(exe == "/sbin/init");
    CHECK(cwd == "/");
    CHECK(fd0 == "/dev/console");
    CHECK(mounts_link == "self/mounts");
}

TEST_CASE("procfs: the system files read as Linux's do", "[fs][procfs]")
{
    ProcessMachine m;
    std::string meminfo, uptime, loadavg, stat, mounts, version, filesystems, ostype, mountinfo;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        meminfo = read_file(box, "/proc/meminfo");
        uptime = read_file(box, "/proc/uptime");
        loadavg = read_file(box, "/proc/loadavg");
        stat = read_file(box, "/proc/stat");
        mounts = read_file(box, "/proc/mounts");
        mountinfo = read_file(box, "/proc/self/mountinfo");
        version = read_file(box, "/proc/version");
        filesystems = read_file(box, "/proc/filesystems");
        ostype = read_file(box, "/proc/sys/kernel/ostype");
        poke_string(box, "/proc/meminfo");
        i32 fd = call(kSysOpen, box, 1 /* O_WRONLY: root may open it */);
        REQUIRE(fd >= 0);
        CHECK(call(sys::nr("write"), static_cast<u32>(fd), box, 1) < 0); // but nothing can be written
        call(kSysClose, static_cast<u32>(fd));
    });
    CHECK(meminfo.substr(0, 9) == "MemTotal:");
    CHECK(meminfo.find("MemAvailable:") != std::string::npos);
    CHECK(meminfo.find(" kB\n") != std::string::npos);
    CHECK(fields(uptime).size() == 2);
    auto load = fields(loadavg);
    REQUIRE(load.size() == 5);
    CHECK(load[0] == "0.00");
    CHECK(load[3].find('/') != std::string::npos);
    CHECK(stat.substr(0, 5) == "cpu  ");
    CHECK(stat.find("\nprocesses ") != std::string::npos);
    CHECK(mounts.find("rootfs / tmpfs rw 0 0\n") != std::string::npos);
    CHECK(mounts.find(" /proc proc rw 0 0\n") != std::string::npos);
    // mountinfo: ID, parent ID, major:minor, root, mount point, options, "-", type, source, options.
    std::istringstream lines(mountinfo);
    std::vector<std::vector<std::string>> info;
    for (std::string line; std::getline(lines, line);)
        info.push_back(fields(line));
    REQUIRE(info.size() >= 2);
    CHECK(info[0] == std::vector<std::string> { "1", "0", info[0][2], "/", "/", "rw", "-", "tmpfs", "rootfs", "rw" });
    CHECK(info[0][2].find(':') != std::string::npos);
    bool proc_under_root = false;
    for (auto& line : info)
        proc_under_root |= line.size() == 10 && line[4] == "/proc" && line[1] == "1" && line[7] == "proc";
    CHECK(proc_under_root);
    CHECK(version.substr(0, 14) == "Linux version ");
    CHECK(filesystems.find("nodev\tproc\n") != std::string::npos);
    CHECK(ostype == "Linux\n");
}

// What bash's <(...) and /dev/stdin in a pipeline need: fd/N of a file no name reaches (a pipe, a removed
// file) opens that file itself, and O_CREAT (bash's `> /dev/stdout`) does not turn it into a new file.
TEST_CASE("procfs: fd/N of a pipe or a removed file reopens that file", "[fs][procfs]")
{
    ProcessMachine m;
    std::string through_pipe, through_removed, link_text, name_after;
    i32 created_on_pipe = -1, excl = 0, mkdir_under = 0;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        PipeEnds ends = open_pipe(box + 0x3000);
        poke_string(box + 0x2000, "piped");
        REQUIRE(call(sys::nr("write"), static_cast<u32>(ends.write), box + 0x2000, 5) == 5);
        std::string read_end = "/proc/self/fd/" + std::to_string(ends.read);
        link_text = read_link(box, read_end);
        poke_string(box, read_end);
        i32 again = call(kSysOpen, box, 04000 /* O_RDONLY|O_NONBLOCK */); // the same pipe, not a new FIFO
        REQUIRE(again >= 0);
        i32 got = call(kSysRead, static_cast<u32>(again), box + 0x1000, 16);
        for (i32 i = 0; i < got; ++i)
            through_pipe.push_back(static_cast<char>(peek<u8>(box + 0x1000 + static_cast<u32>(i))));
        call(kSysClose, static_cast<u32>(again));
        poke_string(box, "/proc/self/fd/" + std::to_string(ends.write));
        created_on_pipe = call(kSysOpen, box, 01101 /* O_WRONLY|O_CREAT|O_TRUNC */, 0644);
        CHECK(created_on_pipe >= 0);
        if (created_on_pipe >= 0)
            call(kSysClose, static_cast<u32>(created_on_pipe));
        excl = call(kSysOpen, box, 0301 /* O_WRONLY|O_CREAT|O_EXCL */, 0644);
        poke_string(box, "/proc/self/fd/" + std::to_string(ends.read) + "/x");
        mkdir_under = call(sys::nr("mkdir"), box, 0755);
        close_pipe(ends);

        poke_string(box, "/removed");
        i32 fd = call(kSysOpen, box, 0102 /* O_RDWR|O_CREAT */, 0644);
        REQUIRE(fd >= 0);
        poke_string(box + 0x2000, "kept");
        REQUIRE(call(sys::nr("write"), static_cast<u32>(fd), box + 0x2000, 4) == 4);
        REQUIRE(call(sys::nr("unlink"), box) == 0);
        through_removed = read_file(box, "/proc/self/fd/" + std::to_string(fd));
        name_after = read_link(box, "/proc/self/fd/" + std::to_string(fd));
        call(kSysClose, static_cast<u32>(fd));
    });
    CHECK(link_text.rfind("pipe:[", 0) == 0);
    CHECK(through_pipe == "piped");
    CHECK(excl == err(Errno::EXIST));
    CHECK(mkdir_under == err(Errno::NOTDIR));
    CHECK(through_removed == "kept");
    CHECK(name_after == "/removed (deleted)");
}

TEST_CASE("procfs: only a process's owner reopens its removed executable through exe, as Linux's ptrace check",
    "[fs][procfs]")
{
    ProcessMachine m;
    i32 own = -1, child_status = -1;
    std::string through_exe;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        poke_string(box, "/program");
        i32 fd = call(kSysOpen, box, 0102 /* O_RDWR|O_CREAT */, 0755);
        REQUIRE(fd >= 0);
        poke_string(box + 0x2000, "\x7f" "ELF");
        REQUIRE(call(sys::nr("write"), static_cast<u32>(fd), box + 0x2000, 4) == 4);
        REQUIRE(call(sys::nr("unlink"), box) == 0);
        proc::current()->process().executable = proc::current()->files->get(fd).value();
        through_exe = read_file(box, "/proc/self/exe");
        poke_string(box, "/proc/self/exe");
        own = call(kSysOpen, box, 0);
        // Another user may look the link up but not open the file behind it.
        poke_string(box, "/proc/" + std::to_string(call(kSysGetpid)) + "/exe");
        sim::set_fork_child_program([box](u32) {
            REQUIRE(call(sys::nr("setresuid32"), 1000, 1000, 1000) == 0);
            exit_group(call(kSysOpen, box, 0) == err(Errno::ACCES) ? 0 : 1);
        });
        i32 child = call(kSysFork);
        REQUIRE(child > 0);
        u32 status_box = box + 0x3000;
        REQUIRE(call(kSysWait4, static_cast<u32>(child), status_box, 0, 0) == child);
        child_status = static_cast<i32>(peek<u32>(status_box));
        call(sys::nr("close"), static_cast<u32>(own));
        call(sys::nr("close"), static_cast<u32>(fd));
        proc::current()->process().executable = nullptr;
    });
    CHECK(through_exe == "\x7f" "ELF");
    CHECK(own >= 0);
    CHECK(child_status == 0); // exited with 0: its open was EACCES
}
