/* mmap of files as a program sees it: shared and private mappings of a tmpfs file, fork, SIGBUS past the end
 * of the file (before and after a truncate) with its si_code and address, /dev/zero, mincore, msync, and the
 * errno of each refusal. Passes on Linux as on Cadenza. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static const char *const kPath = "/mmap_file.data";
static long page;

static sigjmp_buf g_escape;
static volatile siginfo_t g_info;
static void on_bus(int signal, siginfo_t *info, void *context)
{
    (void)signal;
    (void)context;
    g_info.si_code = info->si_code;
    g_info.si_addr = info->si_addr;
    siglongjmp(g_escape, 1);
}

/* Reads a byte; 1 when it raised SIGBUS with BUS_ADRERR at that address. */
static int bus_error_at(volatile char *address)
{
    struct sigaction action = { 0 };
    action.sa_sigaction = on_bus;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &action, NULL);
    int bused = 0;
    if (sigsetjmp(g_escape, 1) == 0)
        (void)*address;
    else
        bused = g_info.si_code == BUS_ADRERR && g_info.si_addr == (void *)address;
    signal(SIGBUS, SIG_DFL);
    return bused;
}

static int make_file(size_t bytes)
{
    int fd = open(kPath, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)bytes) != 0)
        return -1;
    for (size_t at = 0; at < bytes; at += (size_t)page) {
        char text[16];
        int length = snprintf(text, sizeof(text), "page %zu", at / (size_t)page);
        pwrite(fd, text, (size_t)length, (off_t)at);
    }
    return fd;
}

/* A copy of this program kept open for writing cannot be run: execve's errno in a child. */
static int exec_while_written(void)
{
    static const char *const kCopy = "/mmap_file.copy";
    int from = open("/proc/self/exe", O_RDONLY);
    int to = open(kCopy, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (from < 0 || to < 0)
        return -1;
    char buffer[4096];
    ssize_t got;
    while ((got = read(from, buffer, sizeof buffer)) > 0)
        if (write(to, buffer, (size_t)got) != got)
            return -1;
    close(from);
    pid_t child = fork();
    if (child == 0) {
        char *argv[] = { (char *)kCopy, NULL };
        execv(kCopy, argv);
        _exit(errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    close(to);
    unlink(kCopy);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
    page = sysconf(_SC_PAGESIZE);
    int fd = make_file(3 * (size_t)page);
    CHECK("file_made", fd >= 0);

    char *shared = mmap(NULL, 3 * (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("shared_maps", shared != MAP_FAILED);
    CHECK("shared_reads_file", memcmp(shared + page, "page 1", 6) == 0);
    memcpy(shared + 100, "via mapping", 11);
    char buffer[32] = { 0 };
    pread(fd, buffer, 11, 100);
    CHECK("shared_write_reaches_read", memcmp(buffer, "via mapping", 11) == 0);
    pwrite(fd, "via write", 9, 2 * page + 50);
    CHECK("write_reaches_shared", memcmp(shared + 2 * page + 50, "via write", 9) == 0);

    char *private = mmap(NULL, 3 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("private_maps", private != MAP_FAILED);
    memcpy(private, "MINE", 4);
    pread(fd, buffer, 6, 0);
    CHECK("private_write_stays_private", memcmp(buffer, "page 0", 6) == 0 && memcmp(private, "MINE 0", 6) == 0);
    pwrite(fd, "NEW", 3, page);
    CHECK("private_untouched_page_follows_file", memcmp(private + page, "NEW", 3) == 0);

    /* A child shares the shared mapping and copies the private one. */
    pid_t child = fork();
    if (child == 0) {
        memcpy(shared + 200, "child", 5);
        memcpy(private, "KID!", 4);
        _exit(0);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("child_write_shared_seen", WIFEXITED(status) && memcmp(shared + 200, "child", 5) == 0);
    CHECK("child_write_private_unseen", memcmp(private, "MINE", 4) == 0);

    CHECK("msync_sync", msync(shared, 3 * (size_t)page, MS_SYNC) == 0);
    CHECK_ERRNO("msync_both_flags_einval", msync(shared, (size_t)page, MS_SYNC | MS_ASYNC), EINVAL);
    unsigned char residency[3] = { 0 };
    CHECK("mincore_file_pages", mincore(shared, 3 * (size_t)page, residency) == 0 && residency[0] && residency[2]);

    /* Past the end of the file: a bus error, with its address. */
    char *longer = mmap(NULL, 5 * (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
    CHECK("map_past_end_allowed", longer != MAP_FAILED);
    CHECK("sigbus_past_end", bus_error_at(longer + 4 * page + 8));
    CHECK("last_page_readable", longer[3 * page - 1] == 0);

    /* A truncate takes the pages away from every mapping. */
    CHECK("truncate_mapped_file", ftruncate(fd, page + 10) == 0);
    CHECK("sigbus_after_truncate_shared", bus_error_at(shared + 2 * page));
    CHECK("sigbus_after_truncate_private", bus_error_at(private + 2 * page + 1));
    CHECK("tail_of_last_page_zero", shared[page + 10] == 0 && shared[page] == 'N');
    CHECK("private_copy_before_end_kept", memcmp(private, "MINE", 4) == 0);

    /* An unhandled SIGBUS kills. */
    child = fork();
    if (child == 0) {
        (void)*(volatile char *)(longer + 3 * page);
        _exit(0);
    }
    waitpid(child, &status, 0);
    CHECK("unhandled_sigbus_kills", WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);

    /* Refusals. */
    int read_only = open(kPath, O_RDONLY), write_only = open(kPath, O_WRONLY);
    CHECK_ERRNO("write_only_eacces", mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE, write_only, 0), EACCES);
    CHECK_ERRNO("shared_writable_of_read_only_eacces",
        mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, read_only, 0), EACCES);
    char *ro = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, read_only, 0);
    CHECK_ERRNO("mprotect_beyond_open_eacces", mprotect(ro, (size_t)page, PROT_READ | PROT_WRITE), EACCES);
    CHECK_ERRNO("bad_descriptor_ebadf", mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
    int directory = open("/", O_RDONLY | O_DIRECTORY);
    CHECK_ERRNO("directory_enodev", mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE, directory, 0), ENODEV);
    int null = open("/dev/null", O_RDWR);
    CHECK_ERRNO("dev_null_enodev", mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE, null, 0), ENODEV);

    /* /dev/zero gives anonymous memory, private or shared. */
    int zero = open("/dev/zero", O_RDWR);
    char *zeros = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
    CHECK("dev_zero_maps", zeros != MAP_FAILED && zeros[0] == 0 && zeros[page] == 0);
    child = fork();
    if (child == 0) {
        zeros[5] = 'z';
        _exit(0);
    }
    waitpid(child, &status, 0);
    CHECK("dev_zero_shared_across_fork", zeros[5] == 'z');

    /* The running program cannot be opened for writing. */
    CHECK_ERRNO("running_executable_etxtbsy", open("/proc/self/exe", O_WRONLY), ETXTBSY);
    CHECK_ERRNO("running_executable_truncate_etxtbsy", truncate("/proc/self/exe", 0), ETXTBSY);
    CHECK("exec_of_file_open_for_writing_etxtbsy", exec_while_written() == ETXTBSY);

    munmap(shared, 3 * (size_t)page);
    munmap(private, 3 * (size_t)page);
    munmap(longer, 5 * (size_t)page);
    close(fd);
    unlink(kPath);
    return check_summary();
}
