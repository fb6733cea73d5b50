// Extended attributes through the system-call table: no filesystem keeps any, so get, set and remove are
// EOPNOTSUPP and a list is empty, after the file (ENOENT, EBADF, a dangling link followed or not), the flags
// (EINVAL), the name (ERANGE, EFAULT), the size (E2BIG) and a read-only mount (EROFS) are checked. Debian's
// ls -l asks every file for its SELinux label and ACL this way and takes EOPNOTSUPP as "none".
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "../proc/process_machine.hpp"
#include "syscall/handlers.hpp"

using namespace proc_test;

namespace {

constexpr u32 kOpen = sys::nr("open"), kClose = sys::nr("close"), kMkdir = sys::nr("mkdir"),
              kMount = sys::nr("mount"), kUmount = sys::nr("umount"), kSymlink = sys::nr("symlink"),
              kGetxattr = sys::nr("getxattr"), kLgetxattr = sys::nr("lgetxattr"), kFgetxattr = sys::nr("fgetxattr"),
              kSetxattr = sys::nr("setxattr"), kLsetxattr = sys::nr("lsetxattr"), kFsetxattr = sys::nr("fsetxattr"),
              kListxattr = sys::nr("listxattr"), kLlistxattr = sys::nr("llistxattr"),
              kFlistxattr = sys::nr("flistxattr"), kRemovexattr = sys::nr("removexattr"),
              kLremovexattr = sys::nr("lremovexattr"), kFremovexattr = sys::nr("fremovexattr");
constexpr u32 kOCreat = 0100, kORdWr = 2, kMsRdOnly = 1, kXattrCreate = 1, kXattrReplace = 2;
constexpr u32 kBadAddress = 0xC0000000;

} // namespace

TEST_CASE("xattr calls: nothing is stored, and the errors come in Linux's order", "[syscall][file]")
{
    ProcessMachine m;
    run_and_remove(m, { "/x/f", "/x/dangling", "/x/ro", "/x" }, [&] {
        u32 base = scratch(8 * kPage);
        u32 out = base + 6 * kPage;
        Strings s { base };
        REQUIRE(call(kMkdir, s("/x"), 0755) == 0);
        i32 fd = call(kOpen, s("/x/f"), kOCreat | kORdWr, 0644);
        REQUIRE(fd >= 0);
        u32 file = s("/x/f"), label = s("security.selinux"), acl = s("system.posix_acl_access");
        u32 ufd = static_cast<u32>(fd);

        // What ls -l asks: not supported, so no label and no ACL.
        CHECK(call(kLgetxattr, file, label, out, 255) == err(Errno::OPNOTSUPP));
        CHECK(call(kGetxattr, file, acl, out, 132) == err(Errno::OPNOTSUPP));
        CHECK(call(kFgetxattr, ufd, acl, 0, 0) == err(Errno::OPNOTSUPP));
        CHECK(call(kListxattr, file, out, 256) == 0);
        CHECK(call(kLlistxattr, file, 0, 0) == 0);
        CHECK(call(kFlistxattr, ufd, out, 0x7fffffff) == 0); // a huge size is cut to XATTR_SIZE_MAX, not refused
        CHECK(call(kSetxattr, file, s("user.a"), s("v"), 1, 0) == err(Errno::OPNOTSUPP));
        CHECK(call(kFsetxattr, ufd, s("user.a"), s("v"), 1, kXattrCreate) == err(Errno::OPNOTSUPP));
        CHECK(call(kRemovexattr, file, s("user.a")) == err(Errno::OPNOTSUPP));
        CHECK(call(kFremovexattr, ufd, s("user.a")) == err(Errno::OPNOTSUPP));

        // The file comes first: a missing one, a bad descriptor, AT_FDCWD is no descriptor.
        CHECK(call(kGetxattr, s("/x/none"), kBadAddress, out, 4) == err(Errno::NOENT));
        CHECK(call(kFgetxattr, 99, label, out, 4) == err(Errno::BADF));
        CHECK(call(kFlistxattr, static_cast<u32>(-100), out, 4) == err(Errno::BADF));
        CHECK(call(kGetxattr, kBadAddress, label, out, 4) == err(Errno::FAULT));
        // A dangling symlink: followed it is ENOENT, not followed the link itself answers.
        REQUIRE(call(kSymlink, s("/x/nowhere"), s("/x/dangling")) == 0);
        CHECK(call(kGetxattr, s("/x/dangling"), label, out, 4) == err(Errno::NOENT));
        CHECK(call(kLgetxattr, s("/x/dangling"), label, out, 4) == err(Errno::OPNOTSUPP));
        CHECK(call(kLremovexattr, s("/x/dangling"), label) == err(Errno::OPNOTSUPP));
        CHECK(call(kLsetxattr, s("/x/dangling"), label, s("v"), 1, 0) == err(Errno::OPNOTSUPP));

        // Then the flags, the name and the size.
        CHECK(call(kSetxattr, file, s("user.a"), s("v"), 1, 4) == err(Errno::INVAL));
        CHECK(call(kSetxattr, file, kBadAddress, s("v"), 1, 4) == err(Errno::INVAL));
        CHECK(call(kSetxattr, file, s("user.a"), s("v"), 1, kXattrCreate | kXattrReplace) == err(Errno::OPNOTSUPP));
        CHECK(call(kGetxattr, file, s(""), out, 4) == err(Errno::RANGE));
        CHECK(call(kGetxattr, file, s("user." + std::string(251, 'n')), out, 4) == err(Errno::RANGE)); // 256 bytes
        CHECK(call(kGetxattr, file, s("user." + std::string(250, 'n')), out, 4) == err(Errno::OPNOTSUPP)); // 255
        CHECK(call(kRemovexattr, file, kBadAddress) == err(Errno::FAULT));
        CHECK(call(kSetxattr, file, s("user.a"), out, 65537, 0) == err(Errno::TOOBIG));
        CHECK(call(kSetxattr, file, s("user.a"), kBadAddress, 16, 0) == err(Errno::FAULT));

        // A change under a read-only mount is EROFS; reading there is still only unsupported.
        REQUIRE(call(kMkdir, s("/x/ro"), 0755) == 0);
        REQUIRE(call(kMount, s("none"), s("/x/ro"), s("tmpfs"), kMsRdOnly, 0) == 0);
        CHECK(call(kSetxattr, s("/x/ro"), s("user.a"), s("v"), 1, 0) == err(Errno::ROFS));
        CHECK(call(kRemovexattr, s("/x/ro"), s("user.a")) == err(Errno::ROFS));
        CHECK(call(kGetxattr, s("/x/ro"), s("user.a"), out, 4) == err(Errno::OPNOTSUPP));
        CHECK(call(kUmount, s("/x/ro")) == 0);
        CHECK(call(kClose, ufd) == 0);
    });
}
