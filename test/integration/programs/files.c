/* The file system calls through musl's ordinary API (and syscall() for the old or narrow forms musl no longer
 * uses): opening and I/O, descriptors, stat and statx and statfs, attributes, and fcntl record locks with a
 * forked child. Runs as init on a tmpfs root that holds only /dev/console; makes its own files under /t. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "check.h"

/* struct statx (linux/stat.h), which musl 1.2.3 does not declare. */
struct kstatx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct kstatx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct kstatx_timestamp atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
/* The old struct stat of i386 (asm/stat.h). */
struct old_stat {
    unsigned long dev, ino;
    unsigned short mode, nlink, uid, gid;
    unsigned long rdev, size, blksize, blocks, atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec, unused[2];
};
/* struct flock with i386's 32-bit off_t (asm-generic/fcntl.h), for plain fcntl. */
struct flock32 {
    short type, whence;
    int32_t start, len;
    int32_t pid;
};

static int make_file(const char* path, const char* text)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd >= 0 && text)
        write(fd, text, strlen(text));
    return fd;
}

static void open_and_io(void)
{
    char buffer[64] = { 0 };
    int fd = open("/t/a", O_CREAT | O_EXCL | O_RDWR, 0640);
    CHECK("open_creates", fd >= 0);
    CHECK("write_file", write(fd, "hello, files", 12) == 12);
    CHECK("lseek_set", lseek(fd, 7, SEEK_SET) == 7);
    CHECK("read_file", read(fd, buffer, sizeof buffer) == 5 && memcmp(buffer, "files", 5) == 0);
    CHECK_ERRNO("open_excl_eexist", open("/t/a", O_CREAT | O_EXCL | O_RDWR, 0640), EEXIST);
    CHECK_ERRNO("open_missing_enoent", open("/t/none", O_RDONLY), ENOENT);
    CHECK_ERRNO("open_empty_enoent", open("", O_RDONLY), ENOENT);
    CHECK_ERRNO("open_bad_pointer_efault", syscall(SYS_open, (char*)0xC0000000, O_RDONLY), EFAULT);
    char* long_path = malloc(5000);
    memset(long_path, 'a', 4999);
    long_path[4999] = 0;
    CHECK_ERRNO("open_long_path_enametoolong", open(long_path, O_RDONLY), ENAMETOOLONG);
    free(long_path);
    CHECK_ERRNO("open_dir_for_write_eisdir", open("/t", O_WRONLY), EISDIR);
    int dir = open("/t", O_RDONLY | O_DIRECTORY);
    int at = openat(dir, "a", O_RDONLY);
    CHECK("openat_relative", at >= 0 && read(at, buffer, 5) == 5 && memcmp(buffer, "hello", 5) == 0);
    close(at);
    int created = syscall(SYS_creat, "/t/creat", 0600);
    CHECK("creat_write_only", created >= 0 && read(created, buffer, 1) == -1 && errno == EBADF);
    close(created);

    /* lseek with musl's 64-bit off_t goes through _llseek; the plain call cannot report past 2 GiB. */
    int large = open("/t/a", O_RDWR | O_LARGEFILE);
    CHECK("llseek_past_4g", lseek(large, 0x100000000LL, SEEK_SET) == 0x100000000LL);
    CHECK("lseek_end", lseek(large, -2, SEEK_END) == 10);
    CHECK_ERRNO("lseek_overflow", syscall(SYS_lseek, large, 0x7fffffff, SEEK_CUR), EOVERFLOW);
    CHECK_ERRNO("lseek_bad_whence", lseek(large, 0, 9), EINVAL);
    CHECK_ERRNO("lseek_console_espipe", lseek(1, 0, SEEK_SET), ESPIPE);

    /* pread/pwrite at offsets, the position untouched; past 4 GiB the high word counts. */
    lseek(fd, 3, SEEK_SET);
    CHECK("pwrite_at", pwrite(fd, "XY", 2, 100) == 2);
    CHECK("pread_at", pread(fd, buffer, 2, 100) == 2 && memcmp(buffer, "XY", 2) == 0);
    CHECK("pread_keeps_position", lseek(fd, 0, SEEK_CUR) == 3);
    CHECK("pwrite_high_word", pwrite(large, "Z", 1, 0x100000001LL) == 1);
    struct stat st;
    CHECK("size_past_4g", fstat(large, &st) == 0 && st.st_size == 0x100000002LL);
    CHECK_ERRNO("pread_negative_einval", pread(fd, buffer, 1, -1), EINVAL);
    CHECK_ERRNO("pread_console_espipe", pread(1, buffer, 1, 0), ESPIPE);
    close(large);
    ftruncate(fd, 12);

    /* readv/writev, preadv/pwritev. */
    struct iovec v[2] = { { "abc", 3 }, { "defg", 4 } };
    CHECK("pwritev_at", pwritev(fd, v, 2, 20) == 7);
    char one[4] = { 0 }, two[8] = { 0 };
    struct iovec r[2] = { { one, 3 }, { two, 4 } };
    CHECK("preadv_at", preadv(fd, r, 2, 20) == 7 && memcmp(one, "abc", 3) == 0 && memcmp(two, "defg", 4) == 0);
    lseek(fd, 20, SEEK_SET);
    memset(one, 0, sizeof one);
    CHECK("readv_file", readv(fd, r, 2) == 7 && memcmp(one, "abc", 3) == 0);
    lseek(fd, 0, SEEK_END);
    CHECK("writev_file", writev(fd, v, 2) == 7 && lseek(fd, 0, SEEK_CUR) == 34);

    /* sendfile: file to file (with and without an offset), and to the console. */
    int in = make_file("/t/in", "0123456789");
    int out = make_file("/t/out", NULL);
    off_t offset = 2;
    CHECK("sendfile_with_offset", sendfile(out, in, &offset, 4) == 4 && offset == 6 && lseek(in, 0, SEEK_CUR) == 10);
    lseek(in, 8, SEEK_SET);
    CHECK("sendfile_from_position", sendfile(out, in, NULL, 10) == 2 && lseek(in, 0, SEEK_CUR) == 10);
    CHECK("sendfile_result", pread(out, buffer, 10, 0) == 6 && memcmp(buffer, "234589", 6) == 0);
    int32_t narrow = 0;
    printf("sendfile says: ");
    fflush(stdout);
    long sent = syscall(SYS_sendfile, 1, in, &narrow, 3);
    printf("\n");
    CHECK("sendfile_to_console", sent == 3 && narrow == 3);
    int read_only = open("/t/in", O_RDONLY);
    CHECK_ERRNO("sendfile_unwritable_ebadf", sendfile(read_only, in, NULL, 1), EBADF);
    close(read_only);
    close(in);
    close(out);

    /* posix_fallocate: mode 0 extends. */
    int falloc = make_file("/t/falloc", NULL);
    CHECK("posix_fallocate_extends", posix_fallocate(falloc, 0, 10000) == 0 && fstat(falloc, &st) == 0 && st.st_size == 10000);
    CHECK("fallocate_mode_eopnotsupp", fallocate(falloc, FALLOC_FL_KEEP_SIZE, 0, 10) == -1 && errno == EOPNOTSUPP);
    CHECK("fsync_file", fsync(falloc) == 0 && fdatasync(falloc) == 0);
    CHECK_ERRNO("fsync_console_einval", fsync(1), EINVAL);
    CHECK_ERRNO("fsync_bad_ebadf", fsync(77), EBADF);
    sync();
    CHECK("syncfs_ok", syncfs(falloc) == 0);
    close(falloc);
    close(fd);
    close(dir);
}

static void descriptors(void)
{
    int fd = make_file("/t/d", "abcdef");
    int copy = dup(fd);
    CHECK("dup_lowest", copy == fd + 1);
    CHECK("dup_shares_offset", lseek(fd, 2, SEEK_SET) == 2 && lseek(copy, 0, SEEK_CUR) == 2);
    CHECK("dup2_target", dup2(fd, 20) == 20);
    CHECK("dup2_same", dup2(fd, fd) == fd);
    CHECK_ERRNO("dup2_bad_ebadf", dup2(99, 21), EBADF);
    CHECK("dup3_cloexec", dup3(fd, 21, O_CLOEXEC) == 21 && fcntl(21, F_GETFD) == FD_CLOEXEC);
    CHECK_ERRNO("dup3_same_einval", dup3(fd, fd, 0), EINVAL);
    CHECK("f_dupfd_min", fcntl(fd, F_DUPFD, 30) == 30);
    CHECK("f_dupfd_cloexec", fcntl(fd, F_DUPFD_CLOEXEC, 30) == 31 && fcntl(31, F_GETFD) == FD_CLOEXEC);
    CHECK("f_setfd", fcntl(30, F_SETFD, FD_CLOEXEC) == 0 && fcntl(30, F_GETFD) == FD_CLOEXEC);
    CHECK("f_getfl", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    CHECK("f_setfl_append", fcntl(copy, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND));
    CHECK("append_after_setfl", lseek(fd, 0, SEEK_SET) == 0 && write(fd, "g", 1) == 1 && lseek(fd, 0, SEEK_CUR) == 7);
    CHECK_ERRNO("fcntl_bad_cmd_einval", fcntl(fd, 9999), EINVAL);
    CHECK_ERRNO("fcntl_bad_fd_ebadf", fcntl(88, F_GETFD), EBADF);
    close(copy);
    close(20);
    close(21);
    close(30);
    close(31);
    close(fd);
}

static void stats(void)
{
    struct stat st;
    int fd = make_file("/t/s", "12345");
    CHECK("stat_regular", stat("/t/s", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5 && st.st_nlink == 1
        && (st.st_mode & 0777) == 0644 && st.st_blksize == 4096);
    ino_t ino = st.st_ino;
    CHECK("fstat_same", fstat(fd, &st) == 0 && st.st_ino == ino);
    symlink("/t/s", "/t/s-link");
    CHECK("lstat_symlink", lstat("/t/s-link", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 4);
    CHECK("stat_follows", stat("/t/s-link", &st) == 0 && st.st_ino == ino);
    int dir = open("/t", O_RDONLY | O_DIRECTORY);
    CHECK("fstatat_relative", fstatat(dir, "s-link", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
    CHECK("fstatat_empty_path", fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_ino == ino);
    CHECK_ERRNO("stat_missing_enoent", stat("/t/missing", &st), ENOENT);
    CHECK_ERRNO("stat_notdir", stat("/t/s/x", &st), ENOTDIR);
    /* musl copies statx's answer into *st itself: the kernel's EFAULT shows with the raw call. */
    CHECK_ERRNO("stat_efault", syscall(SYS_stat64, "/t/s", (void*)0xC0000000), EFAULT);
    CHECK_ERRNO("statx_efault", syscall(SYS_statx, AT_FDCWD, "/t/s", 0, 0x7ff, (void*)0xC0000000), EFAULT);
    /* The calls musl no longer makes: stat64 and fstatat64 directly, and the old struct stat. */
    struct stat wide;
    CHECK("sys_stat64", syscall(SYS_stat64, "/t/s", &wide) == 0 && wide.st_ino == ino && wide.st_size == 5);
    CHECK("sys_lstat64", syscall(SYS_lstat64, "/t/s-link", &wide) == 0 && S_ISLNK(wide.st_mode));
    CHECK("sys_fstat64", syscall(SYS_fstat64, fd, &wide) == 0 && wide.st_ino == ino);
    CHECK("sys_fstatat64", syscall(SYS_fstatat64, dir, "s", &wide, 0) == 0 && wide.st_ino == ino);
    struct old_stat old;
    CHECK("old_stat", syscall(SYS_stat, "/t/s", &old) == 0 && old.ino == (unsigned long)ino && old.size == 5);
    CHECK("old_lstat", syscall(SYS_lstat, "/t/s-link", &old) == 0 && (old.mode & S_IFMT) == S_IFLNK);
    ftruncate(fd, 0x80000000LL);
    CHECK_ERRNO("old_fstat_eoverflow", syscall(SYS_fstat, fd, &old), EOVERFLOW);
    ftruncate(fd, 5);
    /* statx. */
    struct kstatx x;
    CHECK("statx_fields", syscall(SYS_statx, AT_FDCWD, "/t/s", 0, 0x7ff, &x) == 0 && (x.mask & 0x7ff) == 0x7ff
        && x.ino == ino && x.size == 5 && (x.mode & S_IFMT) == S_IFREG);
    CHECK("statx_sync_flags", syscall(SYS_statx, AT_FDCWD, "/t/s", 0x4000, 0x7ff, &x) == 0);
    CHECK_ERRNO("statx_both_sync_einval", syscall(SYS_statx, AT_FDCWD, "/t/s", 0x6000, 0x7ff, &x), EINVAL);
    /* statfs. */
    struct statfs fs;
    CHECK("statfs_tmpfs_magic", statfs("/", &fs) == 0 && fs.f_type == 0x01021994 && fs.f_bsize == 4096
        && fs.f_namelen == 255);
    CHECK("fstatfs_tmpfs_magic", fstatfs(fd, &fs) == 0 && fs.f_type == 0x01021994);
    uint32_t narrow[16];
    CHECK("old_statfs", syscall(SYS_statfs, "/", narrow) == 0 && narrow[0] == 0x01021994);
    CHECK_ERRNO("statfs_missing_enoent", statfs("/t/missing", &fs), ENOENT);
    close(dir);
    close(fd);
}

static void attributes(void)
{
    struct stat st;
    int fd = make_file("/t/attr", "0123456789");
    CHECK("chmod_mode", chmod("/t/attr", 0600) == 0 && stat("/t/attr", &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK("fchmod_mode", fchmod(fd, 0751) == 0 && stat("/t/attr", &st) == 0 && (st.st_mode & 07777) == 0751);
    CHECK("fchmodat_mode", fchmodat(AT_FDCWD, "/t/attr", 0640, 0) == 0 && stat("/t/attr", &st) == 0
        && (st.st_mode & 07777) == 0640);
    CHECK("chown_ids", chown("/t/attr", 100, 200) == 0 && stat("/t/attr", &st) == 0 && st.st_uid == 100 && st.st_gid == 200);
    CHECK("chown_minus_one", chown("/t/attr", -1, 300) == 0 && stat("/t/attr", &st) == 0 && st.st_uid == 100
        && st.st_gid == 300);
    CHECK("fchown_ids", fchown(fd, 7, -1) == 0 && fstat(fd, &st) == 0 && st.st_uid == 7 && st.st_gid == 300);
    symlink("/t/attr", "/t/attr-link");
    CHECK("lchown_link", lchown("/t/attr-link", 8, 9) == 0 && lstat("/t/attr-link", &st) == 0 && st.st_uid == 8
        && stat("/t/attr", &st) == 0 && st.st_uid == 7);
    CHECK("fchownat_ids", fchownat(AT_FDCWD, "/t/attr", 11, 12, 0) == 0 && stat("/t/attr", &st) == 0 && st.st_uid == 11);
    CHECK("chown16", syscall(SYS_chown, "/t/attr", 0xffff, 13) == 0 && stat("/t/attr", &st) == 0 && st.st_uid == 11
        && st.st_gid == 13);
    CHECK("lchown16", syscall(SYS_lchown, "/t/attr-link", 14, 0xffff) == 0 && lstat("/t/attr-link", &st) == 0
        && st.st_uid == 14);
    CHECK("fchown16", syscall(SYS_fchown, fd, 0, 0) == 0 && fstat(fd, &st) == 0 && st.st_uid == 0 && st.st_gid == 0);
    /* Times. */
    struct timespec ts[2] = { { 1000, 1 }, { 2000, 2 } };
    CHECK("utimensat_times", utimensat(AT_FDCWD, "/t/attr", ts, 0) == 0 && stat("/t/attr", &st) == 0
        && st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 2);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = 3000;
    CHECK("futimens_omit", futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000
        && st.st_mtim.tv_sec == 3000);
    ts[1].tv_nsec = 1000000000;
    CHECK_ERRNO("utimensat_bad_nsec", utimensat(AT_FDCWD, "/t/attr", ts, 0), EINVAL);
    int32_t old_ts[4] = { 4000, 0, 5000, 0 };
    CHECK("utimensat_32bit", syscall(SYS_utimensat, AT_FDCWD, "/t/attr", old_ts, 0) == 0 && stat("/t/attr", &st) == 0
        && st.st_mtim.tv_sec == 5000);
    int32_t ub[2] = { 6000, 7000 };
    CHECK("utime_call", syscall(SYS_utime, "/t/attr", ub) == 0 && stat("/t/attr", &st) == 0 && st.st_mtim.tv_sec == 7000);
    int32_t tv[4] = { 8000, 5, 9000, 6 };
    CHECK("utimes_call", syscall(SYS_utimes, "/t/attr", tv) == 0 && stat("/t/attr", &st) == 0
        && st.st_mtim.tv_sec == 9000 && st.st_mtim.tv_nsec == 6000);
    tv[2] = 9500;
    CHECK("futimesat_call", syscall(SYS_futimesat, AT_FDCWD, "/t/attr", tv) == 0 && stat("/t/attr", &st) == 0
        && st.st_mtim.tv_sec == 9500);
    CHECK("utime_now", utime("/t/attr", NULL) == 0 && stat("/t/attr", &st) == 0 && st.st_mtim.tv_sec != 9500);
    /* access. */
    CHECK("access_rw", access("/t/attr", R_OK | W_OK) == 0);
    CHECK_ERRNO("access_missing", access("/t/missing", F_OK), ENOENT);
    CHECK_ERRNO("access_bad_mode", access("/t/attr", 8), EINVAL);
    CHECK("faccessat_plain", faccessat(AT_FDCWD, "/t/attr", R_OK, 0) == 0);
    CHECK("faccessat2_eaccess", faccessat(AT_FDCWD, "/t/attr", R_OK, AT_EACCESS) == 0);
    /* Sizes. */
    CHECK("truncate_grows", truncate("/t/attr", 100) == 0 && stat("/t/attr", &st) == 0 && st.st_size == 100);
    CHECK("ftruncate_shrinks", ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3);
    CHECK("truncate32", syscall(SYS_truncate, "/t/attr", 50) == 0 && stat("/t/attr", &st) == 0 && st.st_size == 50);
    CHECK("ftruncate32", syscall(SYS_ftruncate, fd, 40) == 0 && fstat(fd, &st) == 0 && st.st_size == 40);
    CHECK("truncate_past_4g", truncate("/t/attr", 0x100000000LL) == 0 && stat("/t/attr", &st) == 0
        && st.st_size == 0x100000000LL);
    CHECK_ERRNO("truncate_negative", truncate("/t/attr", -1), EINVAL);
    CHECK_ERRNO("truncate_dir_eisdir", truncate("/t", 0), EISDIR);
    int reader = open("/t/attr", O_RDONLY);
    CHECK_ERRNO("ftruncate_readonly_einval", ftruncate(reader, 0), EINVAL);
    close(reader);
    close(fd);
}

static void on_alarm(int signal) { (void)signal; }

/* A child waiting in F_SETLKW for the parent's lock: a handled signal without SA_RESTART ends the wait with
 * EINTR. */
static void lock_wait_interrupted(int fd)
{
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    fcntl(fd, F_SETLK, &l);
    pid_t child = fork();
    if (child == 0) {
        struct sigaction action = { .sa_handler = on_alarm };
        sigaction(SIGALRM, &action, NULL);
        struct itimerval timer = { .it_value = { 0, 50000 } };
        setitimer(ITIMER_REAL, &timer, NULL);
        int mine = open("/t/lock", O_RDWR);
        struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
        int result = fcntl(mine, F_SETLKW, &q);
        _exit(result == -1 && errno == EINTR ? 0 : 1);
    }
    int status = -1;
    CHECK("setlkw_interrupted_eintr", waitpid(child, &status, 0) == child && WIFEXITED(status)
        && WEXITSTATUS(status) == 0);
    l.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &l);
}

static void locks(void)
{
    int fd = make_file("/t/lock", "0123456789012345678901234567890123456789");
    struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    CHECK("setlk_write", fcntl(fd, F_SETLK, &l) == 0);
    l = (struct flock) { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 10 };
    CHECK("setlk_read", fcntl(fd, F_SETLK, &l) == 0);
    l = (struct flock) { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 4, .l_len = 2 };
    CHECK("unlock_splits", fcntl(fd, F_SETLK, &l) == 0);
    pid_t child = fork();
    if (child == 0) {
        int mine = open("/t/lock", O_RDWR);
        int bad = 0;
        struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
        bad += fcntl(mine, F_GETLK, &q) != 0 || q.l_type != F_UNLCK; /* inside the hole */
        q = (struct flock) { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 8, .l_len = 1 };
        bad += fcntl(mine, F_GETLK, &q) != 0 || q.l_type != F_WRLCK || q.l_start != 6 || q.l_len != 4 || q.l_pid != getppid();
        q = (struct flock) { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 5 };
        bad += fcntl(mine, F_SETLK, &q) != 0; /* readers share */
        q = (struct flock) { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
        bad += !(fcntl(mine, F_SETLK, &q) == -1 && (errno == EAGAIN || errno == EACCES));
        struct flock32 narrow = { F_WRLCK, SEEK_SET, 8, 1, 0 };
        bad += syscall(SYS_fcntl, mine, 5 /* F_GETLK with struct flock */, &narrow) != 0 || narrow.type != F_WRLCK
            || narrow.start != 6;
        /* Tell the parent, then wait for its lock. */
        close(open("/t/ready", O_CREAT | O_RDWR, 0600));
        q = (struct flock) { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 4 };
        bad += fcntl(mine, F_SETLKW, &q) != 0;
        _exit(bad);
    }
    struct timespec pause = { 0, 2000000 };
    for (int i = 0; i < 1000 && access("/t/ready", F_OK) != 0; i++)
        nanosleep(&pause, NULL);
    pause.tv_nsec = 20000000;
    nanosleep(&pause, NULL); /* the child is asleep in F_SETLKW by now */
    l = (struct flock) { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 1 };
    CHECK("getlk_sees_child", fcntl(fd, F_GETLK, &l) == 0 && l.l_type == F_RDLCK && l.l_pid == child);
    l = (struct flock) { .l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK("unlock_all_wakes", fcntl(fd, F_SETLK, &l) == 0);
    int status = -1;
    CHECK("setlkw_child_ok", waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    l = (struct flock) { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK("locks_gone_with_child", fcntl(fd, F_GETLK, &l) == 0 && l.l_type == F_UNLCK);
    l = (struct flock) { .l_type = 9, .l_whence = SEEK_SET };
    CHECK_ERRNO("setlk_bad_type", fcntl(fd, F_SETLK, &l), EINVAL);
    lock_wait_interrupted(fd);
    close(fd);
}

int main(void)
{
    CHECK("mkdir_t", mkdir("/t", 0755) == 0);
    open_and_io();
    descriptors();
    stats();
    attributes();
    locks();
    return check_summary();
}
