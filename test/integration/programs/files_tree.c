/* The file system calls on names and places through musl's API: mkdir/rmdir/unlink/rename/link/symlink/
 * readlink and their *at forms, mknod, readdir (getdents64) and the old getdents, chdir/fchdir/getcwd,
 * mount("tmpfs")/umount, and chroot last. Runs as init on a tmpfs root holding only /dev/console. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"

static int exists(const char* path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void names(void)
{
    struct stat st;
    CHECK("mkdir_dir", mkdir("/n", 0755) == 0 && stat("/n", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_ERRNO("mkdir_exists", mkdir("/n", 0755), EEXIST);
    CHECK_ERRNO("mkdir_missing_parent", mkdir("/x/y", 0755), ENOENT);
    int dir = open("/n", O_RDONLY | O_DIRECTORY);
    CHECK("mkdirat_mode", mkdirat(dir, "sub", 0700) == 0 && stat("/n/sub", &st) == 0 && (st.st_mode & 0777) == 0700);
    CHECK_ERRNO("rmdir_not_empty", rmdir("/n"), ENOTEMPTY);
    CHECK("rmdir_empty", rmdir("/n/sub") == 0 && !exists("/n/sub"));
    CHECK("mknod_regular", mknod("/n/file", S_IFREG | 0644, 0) == 0 && stat("/n/file", &st) == 0 && S_ISREG(st.st_mode));
    CHECK("mknod_fifo", mkfifo("/n/fifo", 0600) == 0 && lstat("/n/fifo", &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK("mknodat_char", mknodat(dir, "null", S_IFCHR | 0666, makedev(1, 3)) == 0 && lstat("/n/null", &st) == 0
        && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
    CHECK_ERRNO("mknod_dir_eperm", mknod("/n/d", S_IFDIR | 0755, 0), EPERM);
    CHECK("link_count", link("/n/file", "/n/hard") == 0 && stat("/n/file", &st) == 0 && st.st_nlink == 2);
    CHECK_ERRNO("link_exists", link("/n/file", "/n/hard"), EEXIST);
    CHECK_ERRNO("link_dir_eperm", link("/n", "/n2"), EPERM);
    CHECK("linkat_relative", linkat(dir, "file", AT_FDCWD, "/n/hard2", 0) == 0 && exists("/n/hard2"));
    CHECK("unlink_name", unlink("/n/hard2") == 0 && !exists("/n/hard2"));
    CHECK_ERRNO("unlink_missing", unlink("/n/hard2"), ENOENT);
    CHECK_ERRNO("unlink_dir_eisdir", unlink("/n"), EISDIR);
    CHECK("unlinkat_file", unlinkat(dir, "hard", 0) == 0 && stat("/n/file", &st) == 0 && st.st_nlink == 1);
    mkdir("/n/gone", 0755);
    CHECK("unlinkat_removedir", unlinkat(dir, "gone", AT_REMOVEDIR) == 0 && !exists("/n/gone"));
    CHECK("rename_file", rename("/n/file", "/n/moved") == 0 && exists("/n/moved") && !exists("/n/file"));
    CHECK("renameat_file", renameat(dir, "moved", AT_FDCWD, "/n/back") == 0 && exists("/n/back"));
    mknod("/n/other", S_IFREG | 0600, 0);
    CHECK_ERRNO("renameat2_noreplace", syscall(SYS_renameat2, AT_FDCWD, "/n/back", AT_FDCWD, "/n/other", 1), EEXIST);
    CHECK("renameat2_exchange", syscall(SYS_renameat2, AT_FDCWD, "/n/back", AT_FDCWD, "/n/fifo", 2) == 0
        && lstat("/n/back", &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_ERRNO("rename_missing", rename("/n/none", "/n/x"), ENOENT);
    char target[64] = { 0 };
    CHECK("symlink_readlink", symlink("some/target", "/n/sl") == 0 && readlink("/n/sl", target, sizeof target) == 11
        && memcmp(target, "some/target", 11) == 0);
    CHECK("readlink_truncates", readlink("/n/sl", target, 4) == 4);
    CHECK("symlinkat_readlinkat", symlinkat("/n/back", dir, "sl2") == 0
        && readlinkat(dir, "sl2", target, sizeof target) == 7);
    CHECK_ERRNO("readlink_not_link", readlink("/n/back", target, sizeof target), EINVAL);
    CHECK_ERRNO("symlink_empty_target", symlink("", "/n/sl3"), ENOENT);
    close(dir);
}

static void listing(void)
{
    mkdir("/l", 0755);
    mkdir("/l/sub", 0755);
    close(open("/l/file", O_CREAT | O_RDWR, 0644));
    symlink("file", "/l/link");
    DIR* d = opendir("/l");
    int seen = 0, types_right = 1;
    struct dirent* e;
    while (d && (e = readdir(d))) {
        seen++;
        if (!strcmp(e->d_name, "sub"))
            types_right &= e->d_type == DT_DIR;
        if (!strcmp(e->d_name, "file"))
            types_right &= e->d_type == DT_REG;
        if (!strcmp(e->d_name, "link"))
            types_right &= e->d_type == DT_LNK;
    }
    CHECK("readdir_all_entries", seen == 5);
    CHECK("readdir_types", types_right);
    rewinddir(d);
    CHECK("rewinddir_restarts", readdir(d) != NULL);
    closedir(d);
    /* The old getdents: d_type in the record's last byte. */
    int fd = open("/l", O_RDONLY | O_DIRECTORY);
    char buffer[1024];
    long got = syscall(SYS_getdents, fd, buffer, sizeof buffer);
    int records = 0, old_types = 1;
    for (long at = 0; got > 0 && at < got;) {
        unsigned short reclen;
        memcpy(&reclen, buffer + at + 8, 2);
        const char* name = buffer + at + 10;
        unsigned char type = (unsigned char)buffer[at + reclen - 1];
        if (!strcmp(name, "sub"))
            old_types &= type == DT_DIR;
        if (!strcmp(name, "file"))
            old_types &= type == DT_REG;
        records++;
        at += reclen;
    }
    CHECK("old_getdents_records", records == 5 && old_types);
    lseek(fd, 0, SEEK_SET);
    CHECK_ERRNO("getdents64_small_einval", syscall(SYS_getdents64, fd, buffer, 8), EINVAL);
    CHECK_ERRNO("getdents64_not_dir", syscall(SYS_getdents64, 1, buffer, sizeof buffer), ENOTDIR);
    close(fd);
}

static void places(void)
{
    char cwd[256];
    CHECK("getcwd_root", getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/"));
    mkdir("/p", 0755);
    mkdir("/p/q", 0755);
    CHECK("chdir_getcwd", chdir("/p/q") == 0 && getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/p/q"));
    CHECK("getcwd_length", syscall(SYS_getcwd, cwd, sizeof cwd) == 5);
    CHECK("getcwd_erange", getcwd(cwd, 3) == NULL && errno == ERANGE);
    CHECK("chdir_dotdot", chdir("..") == 0 && getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/p"));
    CHECK_ERRNO("chdir_missing", chdir("/nowhere"), ENOENT);
    int q = open("/p/q", O_RDONLY | O_DIRECTORY);
    CHECK("fchdir_dir", chdir("/") == 0 && fchdir(q) == 0 && getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/p/q"));
    close(q);
    CHECK("relative_create", open("here", O_CREAT | O_RDWR, 0644) >= 0 && exists("/p/q/here"));
    chdir("/");
}

static void mounts(void)
{
    struct stat before, after;
    struct statfs fs;
    mkdir("/m", 0755);
    stat("/m", &before);
    CHECK("mount_tmpfs", mount("none", "/m", "tmpfs", 0, "size=1m") == 0);
    CHECK("mounted_new_dev", stat("/m", &after) == 0 && after.st_dev != before.st_dev);
    CHECK("mounted_statfs", statfs("/m", &fs) == 0 && fs.f_type == 0x01021994 && fs.f_blocks == 256);
    int fd = open("/m/inside", O_CREAT | O_RDWR, 0644);
    CHECK_ERRNO("umount_busy", umount("/m"), EBUSY);
    close(fd);
    CHECK("umount_done", umount("/m") == 0 && !exists("/m/inside"));
    CHECK_ERRNO("umount_not_mount", umount("/m"), EINVAL);
    CHECK_ERRNO("mount_unknown_type", mount("none", "/m", "nosuchfs", 0, NULL), ENODEV);
    CHECK("mount_again", mount("none", "/m", "tmpfs", 0, NULL) == 0);
    CHECK("umount2_detach", umount2("/m", MNT_DETACH) == 0);
    CHECK("mount_third", mount("none", "/m", "tmpfs", MS_NOSUID, NULL) == 0 && statfs("/m", &fs) == 0
        && (fs.f_flags & ST_NOSUID));
    CHECK("old_umount", syscall(SYS_umount, "/m") == 0);
    CHECK_ERRNO("umount2_bad_flags", umount2("/m", 0x100), EINVAL);
}

static void jail(void)
{
    mkdir("/jail", 0755);
    mkdir("/jail/inner", 0755);
    CHECK("chroot_in", chroot("/jail") == 0 && chdir("/") == 0);
    struct stat st;
    CHECK("chroot_sees_inner", stat("/inner", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK("chroot_hides_outside", stat("/n", &st) == -1 && errno == ENOENT);
    char cwd[64];
    CHECK("chroot_getcwd", getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/"));
    CHECK("chroot_dotdot_stays", chdir("..") == 0 && stat("/inner", &st) == 0);
}

int main(void)
{
    names();
    listing();
    places();
    mounts();
    jail();
    return check_summary();
}
