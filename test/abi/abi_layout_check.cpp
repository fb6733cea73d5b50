// ABI layout check (GUIDE §4): every structure the kernel exchanges with i386 programs or reads from their
// files has the size and field offsets of Linux's own declaration, as the i686 cross toolchain's UAPI headers
// (Debian's linux-libc-dev for i386) and its C library's <elf.h> give them. Compile-only: nothing runs.
//   i686-linux-gnu-g++ -std=gnu++20 -Ui386 -I src -fsyntax-only test/abi/abi_layout_check.cpp
// (-Ui386: GNU mode predefines `i386` as 1 on this target, which would eat the i386:: namespace.)
// Our headers come first, so that the macros Linux's headers define (TIOCGWINSZ, PT_LOAD, AT_NULL...) cannot
// rewrite them.
#include "proc/elf.hpp"
#include "syscall/handlers.hpp"

#include <asm/ldt.h>
#include <asm/signal.h>
#include <asm/termios.h> // struct winsize (asm-generic/termios.h)
#include <elf.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <stddef.h>

#if !defined(__i386__)
#error "build this check with the i686 cross compiler: the layouts compared are the i386 ones"
#endif

#define SAME_SIZE(ours, linux) static_assert(sizeof(ours) == sizeof(linux), #ours " and " #linux " differ in size")
#define SAME_FIELD(ours, our_field, linux, linux_field)                                                            \
    static_assert(offsetof(ours, our_field) == offsetof(linux, linux_field)                                        \
            && sizeof(ours::our_field) == sizeof(linux::linux_field),                                              \
        #ours "::" #our_field " is not where " #linux "::" #linux_field " is")

// --- set_thread_area / get_thread_area: struct user_desc (asm/ldt.h) ---
SAME_SIZE(sys::UserDesc, user_desc);
SAME_FIELD(sys::UserDesc, entry_number, user_desc, entry_number);
SAME_FIELD(sys::UserDesc, base_addr, user_desc, base_addr);
SAME_FIELD(sys::UserDesc, limit, user_desc, limit);
// Linux's remaining fields are bit-fields in the fourth word, which `flags` carries whole: each bit the handlers
// decode (syscall/process.cpp: seg_32bit 1, contents 2 bits at 1, read_exec_only 8, limit_in_pages 16,
// seg_not_present 32, useable 64) must be the one Linux's bit-field sits on. (Cast from ours, whose bytes are
// all initialized: Linux's struct has padding bits a constant expression may not read.)
static_assert(offsetof(sys::UserDesc, flags) == 3 * sizeof(unsigned int) && sizeof(sys::UserDesc::flags) == 4);
namespace user_desc_bits {
constexpr user_desc linux_view(u32 flags) { return __builtin_bit_cast(user_desc, sys::UserDesc { 0, 0, 0, flags }); }
constexpr bool only(const user_desc& d, unsigned seg_32bit, unsigned contents, unsigned read_exec_only,
    unsigned limit_in_pages, unsigned seg_not_present, unsigned useable)
{
    return d.seg_32bit == seg_32bit && d.contents == contents && d.read_exec_only == read_exec_only
        && d.limit_in_pages == limit_in_pages && d.seg_not_present == seg_not_present && d.useable == useable;
}
static_assert(only(linux_view(1), 1, 0, 0, 0, 0, 0));
static_assert(only(linux_view(1u << 1), 0, 1, 0, 0, 0, 0));
static_assert(only(linux_view(3u << 1), 0, 3, 0, 0, 0, 0));
static_assert(only(linux_view(8), 0, 0, 1, 0, 0, 0));
static_assert(only(linux_view(16), 0, 0, 0, 1, 0, 0));
static_assert(only(linux_view(32), 0, 0, 0, 0, 1, 0));
static_assert(only(linux_view(64), 0, 0, 0, 0, 0, 1));
static_assert(only(linux_view(0x51), 1, 0, 0, 1, 0, 1)); // what musl's __set_thread_area passes
static_assert(only(linux_view(8 | 32), 0, 0, 1, 0, 1, 0)); // LDT_empty(): the descriptor that clears an entry
} // namespace user_desc_bits

// --- uname: struct new_utsname (linux/utsname.h) ---
SAME_SIZE(sys::NewUtsname, new_utsname);
SAME_FIELD(sys::NewUtsname, sysname, new_utsname, sysname);
SAME_FIELD(sys::NewUtsname, nodename, new_utsname, nodename);
SAME_FIELD(sys::NewUtsname, release, new_utsname, release);
SAME_FIELD(sys::NewUtsname, version, new_utsname, version);
SAME_FIELD(sys::NewUtsname, machine, new_utsname, machine);
SAME_FIELD(sys::NewUtsname, domainname, new_utsname, domainname);

// --- ioctl(TIOCGWINSZ): struct winsize (asm-generic/termios.h) ---
SAME_SIZE(sys::WindowSize, winsize);
SAME_FIELD(sys::WindowSize, rows, winsize, ws_row);
SAME_FIELD(sys::WindowSize, columns, winsize, ws_col);
SAME_FIELD(sys::WindowSize, x_pixels, winsize, ws_xpixel);
SAME_FIELD(sys::WindowSize, y_pixels, winsize, ws_ypixel);
static_assert(TIOCGWINSZ == 0x5413, "the request number syscall/console.cpp answers");

// --- readv / writev: struct iovec (linux/uio.h) ---
SAME_SIZE(sys::IoVec, iovec);
SAME_FIELD(sys::IoVec, base, iovec, iov_base);
SAME_FIELD(sys::IoVec, length, iovec, iov_len);
static_assert(UIO_MAXIOV == 1024, "writev's count limit in syscall/console.cpp");

// --- old mmap (90): struct mmap_arg_struct. Not a UAPI header: Linux declares it in mm/mmap.c as six unsigned
// longs, which is what the i386 C libraries pass; mirrored here with the target's unsigned long. ---
struct linux_mmap_arg_struct {
    unsigned long addr, len, prot, flags, fd, offset;
};
SAME_SIZE(sys::MmapArgs, linux_mmap_arg_struct);
SAME_FIELD(sys::MmapArgs, address, linux_mmap_arg_struct, addr);
SAME_FIELD(sys::MmapArgs, length, linux_mmap_arg_struct, len);
SAME_FIELD(sys::MmapArgs, prot, linux_mmap_arg_struct, prot);
SAME_FIELD(sys::MmapArgs, flags, linux_mmap_arg_struct, flags);
SAME_FIELD(sys::MmapArgs, fd, linux_mmap_arg_struct, fd);
SAME_FIELD(sys::MmapArgs, offset, linux_mmap_arg_struct, offset);

// --- executables: Elf32_Ehdr and Elf32_Phdr (elf.h), read straight from the file ---
SAME_SIZE(proc::Elf32Header, Elf32_Ehdr);
SAME_FIELD(proc::Elf32Header, ident, Elf32_Ehdr, e_ident);
SAME_FIELD(proc::Elf32Header, type, Elf32_Ehdr, e_type);
SAME_FIELD(proc::Elf32Header, machine, Elf32_Ehdr, e_machine);
SAME_FIELD(proc::Elf32Header, version, Elf32_Ehdr, e_version);
SAME_FIELD(proc::Elf32Header, entry, Elf32_Ehdr, e_entry);
SAME_FIELD(proc::Elf32Header, phoff, Elf32_Ehdr, e_phoff);
SAME_FIELD(proc::Elf32Header, shoff, Elf32_Ehdr, e_shoff);
SAME_FIELD(proc::Elf32Header, flags, Elf32_Ehdr, e_flags);
SAME_FIELD(proc::Elf32Header, ehsize, Elf32_Ehdr, e_ehsize);
SAME_FIELD(proc::Elf32Header, phentsize, Elf32_Ehdr, e_phentsize);
SAME_FIELD(proc::Elf32Header, phnum, Elf32_Ehdr, e_phnum);
SAME_FIELD(proc::Elf32Header, shentsize, Elf32_Ehdr, e_shentsize);
SAME_FIELD(proc::Elf32Header, shnum, Elf32_Ehdr, e_shnum);
SAME_FIELD(proc::Elf32Header, shstrndx, Elf32_Ehdr, e_shstrndx);

SAME_SIZE(proc::Elf32ProgramHeader, Elf32_Phdr);
SAME_FIELD(proc::Elf32ProgramHeader, type, Elf32_Phdr, p_type);
SAME_FIELD(proc::Elf32ProgramHeader, offset, Elf32_Phdr, p_offset);
SAME_FIELD(proc::Elf32ProgramHeader, vaddr, Elf32_Phdr, p_vaddr);
SAME_FIELD(proc::Elf32ProgramHeader, paddr, Elf32_Phdr, p_paddr);
SAME_FIELD(proc::Elf32ProgramHeader, filesz, Elf32_Phdr, p_filesz);
SAME_FIELD(proc::Elf32ProgramHeader, memsz, Elf32_Phdr, p_memsz);
SAME_FIELD(proc::Elf32ProgramHeader, flags, Elf32_Phdr, p_flags);
SAME_FIELD(proc::Elf32ProgramHeader, align, Elf32_Phdr, p_align);

// The constants the loader takes from the ELF specification.
static_assert(proc::kPtLoad == PT_LOAD && proc::kPtInterp == PT_INTERP && proc::kPtPhdr == PT_PHDR
    && proc::kPtGnuStack == PT_GNU_STACK);
static_assert(proc::kPfExecute == PF_X && proc::kPfWrite == PF_W && proc::kPfRead == PF_R);
static_assert(proc::kEtExec == ET_EXEC && proc::kEtDyn == ET_DYN);
static_assert(sizeof(Elf32_Ehdr::e_ident) == EI_NIDENT);

// --- sigaction (the pre-rt call) and sigaltstack: struct sigaction and stack_t (asm/signal.h, i386 branch) ---
using LinuxOldSigaction = struct sigaction;
SAME_SIZE(sys::OldSigaction, LinuxOldSigaction);
SAME_FIELD(sys::OldSigaction, handler, LinuxOldSigaction, _u);
SAME_FIELD(sys::OldSigaction, mask, LinuxOldSigaction, sa_mask);
SAME_FIELD(sys::OldSigaction, flags, LinuxOldSigaction, sa_flags);
SAME_FIELD(sys::OldSigaction, restorer, LinuxOldSigaction, sa_restorer);
SAME_SIZE(sys::StackT, stack_t);
SAME_FIELD(sys::StackT, base, stack_t, ss_sp);
SAME_FIELD(sys::StackT, flags, stack_t, ss_flags);
SAME_FIELD(sys::StackT, size, stack_t, ss_size);

// --- the file system calls (syscall/file_handlers.hpp): struct stat and stat64 (asm/stat.h, i386 branch),
// statx (linux/stat.h), statfs and statfs64 (asm-generic/statfs.h), flock and flock64 (asm-generic/fcntl.h),
// utimbuf (linux/utime.h) ---
#include <asm/fcntl.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/stat.h>
#include <linux/utime.h>

using LinuxStat = struct stat;
using LinuxStat64 = struct stat64;
using LinuxStatx = struct statx;
using LinuxStatxTimestamp = struct statx_timestamp;
using LinuxStatfs = struct statfs;
using LinuxStatfs64 = struct statfs64;
using LinuxFlock = struct flock;
using LinuxFlock64 = struct flock64;
using LinuxUtimbuf = struct utimbuf;

SAME_SIZE(sys::OldStat, LinuxStat);
SAME_FIELD(sys::OldStat, dev, LinuxStat, st_dev);
SAME_FIELD(sys::OldStat, ino, LinuxStat, st_ino);
SAME_FIELD(sys::OldStat, mode, LinuxStat, st_mode);
SAME_FIELD(sys::OldStat, nlink, LinuxStat, st_nlink);
SAME_FIELD(sys::OldStat, uid, LinuxStat, st_uid);
SAME_FIELD(sys::OldStat, gid, LinuxStat, st_gid);
SAME_FIELD(sys::OldStat, rdev, LinuxStat, st_rdev);
SAME_FIELD(sys::OldStat, size, LinuxStat, st_size);
SAME_FIELD(sys::OldStat, blksize, LinuxStat, st_blksize);
SAME_FIELD(sys::OldStat, blocks, LinuxStat, st_blocks);
SAME_FIELD(sys::OldStat, atime, LinuxStat, st_atime);
SAME_FIELD(sys::OldStat, atime_nsec, LinuxStat, st_atime_nsec);
SAME_FIELD(sys::OldStat, mtime, LinuxStat, st_mtime);
SAME_FIELD(sys::OldStat, mtime_nsec, LinuxStat, st_mtime_nsec);
SAME_FIELD(sys::OldStat, ctime, LinuxStat, st_ctime);
SAME_FIELD(sys::OldStat, ctime_nsec, LinuxStat, st_ctime_nsec);

SAME_SIZE(sys::Stat64, LinuxStat64);
SAME_FIELD(sys::Stat64, dev, LinuxStat64, st_dev);
SAME_FIELD(sys::Stat64, short_ino, LinuxStat64, __st_ino);
SAME_FIELD(sys::Stat64, mode, LinuxStat64, st_mode);
SAME_FIELD(sys::Stat64, nlink, LinuxStat64, st_nlink);
SAME_FIELD(sys::Stat64, uid, LinuxStat64, st_uid);
SAME_FIELD(sys::Stat64, gid, LinuxStat64, st_gid);
SAME_FIELD(sys::Stat64, rdev, LinuxStat64, st_rdev);
SAME_FIELD(sys::Stat64, size, LinuxStat64, st_size);
SAME_FIELD(sys::Stat64, blksize, LinuxStat64, st_blksize);
SAME_FIELD(sys::Stat64, blocks, LinuxStat64, st_blocks);
SAME_FIELD(sys::Stat64, atime, LinuxStat64, st_atime);
SAME_FIELD(sys::Stat64, atime_nsec, LinuxStat64, st_atime_nsec);
SAME_FIELD(sys::Stat64, mtime, LinuxStat64, st_mtime);
SAME_FIELD(sys::Stat64, mtime_nsec, LinuxStat64, st_mtime_nsec);
SAME_FIELD(sys::Stat64, ctime, LinuxStat64, st_ctime);
SAME_FIELD(sys::Stat64, ctime_nsec, LinuxStat64, st_ctime_nsec);
SAME_FIELD(sys::Stat64, ino, LinuxStat64, st_ino);

SAME_SIZE(sys::StatxTimestamp, LinuxStatxTimestamp);
SAME_FIELD(sys::StatxTimestamp, seconds, LinuxStatxTimestamp, tv_sec);
SAME_FIELD(sys::StatxTimestamp, nanoseconds, LinuxStatxTimestamp, tv_nsec);
SAME_SIZE(sys::Statx, LinuxStatx);
SAME_FIELD(sys::Statx, mask, LinuxStatx, stx_mask);
SAME_FIELD(sys::Statx, blksize, LinuxStatx, stx_blksize);
SAME_FIELD(sys::Statx, attributes, LinuxStatx, stx_attributes);
SAME_FIELD(sys::Statx, nlink, LinuxStatx, stx_nlink);
SAME_FIELD(sys::Statx, uid, LinuxStatx, stx_uid);
SAME_FIELD(sys::Statx, gid, LinuxStatx, stx_gid);
SAME_FIELD(sys::Statx, mode, LinuxStatx, stx_mode);
SAME_FIELD(sys::Statx, ino, LinuxStatx, stx_ino);
SAME_FIELD(sys::Statx, size, LinuxStatx, stx_size);
SAME_FIELD(sys::Statx, blocks, LinuxStatx, stx_blocks);
SAME_FIELD(sys::Statx, attributes_mask, LinuxStatx, stx_attributes_mask);
SAME_FIELD(sys::Statx, atime, LinuxStatx, stx_atime);
SAME_FIELD(sys::Statx, btime, LinuxStatx, stx_btime);
SAME_FIELD(sys::Statx, ctime, LinuxStatx, stx_ctime);
SAME_FIELD(sys::Statx, mtime, LinuxStatx, stx_mtime);
SAME_FIELD(sys::Statx, rdev_major, LinuxStatx, stx_rdev_major);
SAME_FIELD(sys::Statx, rdev_minor, LinuxStatx, stx_rdev_minor);
SAME_FIELD(sys::Statx, dev_major, LinuxStatx, stx_dev_major);
SAME_FIELD(sys::Statx, dev_minor, LinuxStatx, stx_dev_minor);
SAME_FIELD(sys::Statx, mnt_id, LinuxStatx, stx_mnt_id);
static_assert(STATX_BASIC_STATS == 0x7ff && STATX_MNT_ID == 0x1000);

SAME_SIZE(sys::StatFs32, LinuxStatfs);
SAME_FIELD(sys::StatFs32, type, LinuxStatfs, f_type);
SAME_FIELD(sys::StatFs32, bsize, LinuxStatfs, f_bsize);
SAME_FIELD(sys::StatFs32, blocks, LinuxStatfs, f_blocks);
SAME_FIELD(sys::StatFs32, bfree, LinuxStatfs, f_bfree);
SAME_FIELD(sys::StatFs32, bavail, LinuxStatfs, f_bavail);
SAME_FIELD(sys::StatFs32, files, LinuxStatfs, f_files);
SAME_FIELD(sys::StatFs32, ffree, LinuxStatfs, f_ffree);
SAME_FIELD(sys::StatFs32, fsid, LinuxStatfs, f_fsid);
SAME_FIELD(sys::StatFs32, namelen, LinuxStatfs, f_namelen);
SAME_FIELD(sys::StatFs32, frsize, LinuxStatfs, f_frsize);
SAME_FIELD(sys::StatFs32, flags, LinuxStatfs, f_flags);
SAME_FIELD(sys::StatFs32, spare, LinuxStatfs, f_spare);
SAME_SIZE(sys::StatFs64, LinuxStatfs64);
SAME_FIELD(sys::StatFs64, type, LinuxStatfs64, f_type);
SAME_FIELD(sys::StatFs64, bsize, LinuxStatfs64, f_bsize);
SAME_FIELD(sys::StatFs64, blocks, LinuxStatfs64, f_blocks);
SAME_FIELD(sys::StatFs64, bfree, LinuxStatfs64, f_bfree);
SAME_FIELD(sys::StatFs64, bavail, LinuxStatfs64, f_bavail);
SAME_FIELD(sys::StatFs64, files, LinuxStatfs64, f_files);
SAME_FIELD(sys::StatFs64, ffree, LinuxStatfs64, f_ffree);
SAME_FIELD(sys::StatFs64, fsid, LinuxStatfs64, f_fsid);
SAME_FIELD(sys::StatFs64, namelen, LinuxStatfs64, f_namelen);
SAME_FIELD(sys::StatFs64, frsize, LinuxStatfs64, f_frsize);
SAME_FIELD(sys::StatFs64, flags, LinuxStatfs64, f_flags);
SAME_FIELD(sys::StatFs64, spare, LinuxStatfs64, f_spare);

SAME_SIZE(sys::Flock32, LinuxFlock);
SAME_FIELD(sys::Flock32, type, LinuxFlock, l_type);
SAME_FIELD(sys::Flock32, whence, LinuxFlock, l_whence);
SAME_FIELD(sys::Flock32, start, LinuxFlock, l_start);
SAME_FIELD(sys::Flock32, len, LinuxFlock, l_len);
SAME_FIELD(sys::Flock32, pid, LinuxFlock, l_pid);
SAME_SIZE(sys::Flock64, LinuxFlock64);
SAME_FIELD(sys::Flock64, type, LinuxFlock64, l_type);
SAME_FIELD(sys::Flock64, whence, LinuxFlock64, l_whence);
SAME_FIELD(sys::Flock64, start, LinuxFlock64, l_start);
SAME_FIELD(sys::Flock64, len, LinuxFlock64, l_len);
SAME_FIELD(sys::Flock64, pid, LinuxFlock64, l_pid);
static_assert(F_GETLK == 5 && F_SETLK == 6 && F_SETLKW == 7 && F_GETLK64 == 12 && F_SETLK64 == 13
    && F_SETLKW64 == 14 && F_RDLCK == 0 && F_WRLCK == 1 && F_UNLCK == 2);

SAME_SIZE(sys::Utimbuf32, LinuxUtimbuf);
SAME_FIELD(sys::Utimbuf32, actime, LinuxUtimbuf, actime);
SAME_FIELD(sys::Utimbuf32, modtime, LinuxUtimbuf, modtime);

// linux_dirent64 (include/linux/dirent.h, not exported): d_ino 0, d_off 8, d_reclen 16, d_type 18, d_name 19.
static_assert(offsetof(sys::Dirent64Head, ino) == 0 && offsetof(sys::Dirent64Head, off) == 8
    && offsetof(sys::Dirent64Head, reclen) == 16 && offsetof(sys::Dirent64Head, type) == 18);
// linux_dirent (fs/readdir.c): d_ino 0, d_off 4, d_reclen 8, d_name 10.
static_assert(offsetof(sys::DirentHead, ino) == 0 && offsetof(sys::DirentHead, off) == 4
    && offsetof(sys::DirentHead, reclen) == 8);
// --- poll, ppoll, select, pselect6: struct pollfd and its bits (asm-generic/poll.h), fd_set
// (linux/posix_types.h). The old select's sel_arg_struct and pselect6's sigset pair are not in the UAPI
// headers: five and two 32-bit words, checked by size in pipe_handlers.hpp. ---
#include "fs/types.hpp"

#include <asm/poll.h>
#include <linux/posix_types.h>

SAME_SIZE(sys::PollFd, pollfd);
SAME_FIELD(sys::PollFd, fd, pollfd, fd);
SAME_FIELD(sys::PollFd, events, pollfd, events);
SAME_FIELD(sys::PollFd, revents, pollfd, revents);
static_assert(fs::kPollIn == POLLIN && fs::kPollPri == POLLPRI && fs::kPollOut == POLLOUT && fs::kPollErr == POLLERR
    && fs::kPollHup == POLLHUP && fs::kPollRdNorm == POLLRDNORM && fs::kPollWrNorm == POLLWRNORM);
static_assert(sizeof(__kernel_fd_set) == sys::kFdSetBytes && __FD_SETSIZE == sys::kFdSetSize);
