/* Pipes and FIFOs: data and EOF between parent and child, SIGPIPE's default action and EPIPE under a handler,
 * O_NONBLOCK, FIONREAD, poll and select with and without timeouts (and the old select and pselect6), PIPE_BUF
 * atomicity with two writers, and a FIFO opened from two processes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long elapsed_ms(const struct timespec* since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&t, 0);
}

static int exit_status_of(pid_t pid)
{
    int status = -1;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static void parent_and_child(void)
{
    int fds[2];
    CHECK("pipe_made", pipe(fds) == 0 && fds[0] >= 0 && fds[1] > fds[0]);
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        sleep_ms(20); /* the parent is blocked in read by now */
        write(fds[1], "hello, parent", 13);
        _exit(0);
    }
    close(fds[1]);
    char buffer[64];
    ssize_t got = read(fds[0], buffer, sizeof(buffer));
    CHECK("blocked_read_gets_childs_data", got == 13 && memcmp(buffer, "hello, parent", 13) == 0);
    CHECK("eof_after_last_writer_exits", read(fds[0], buffer, sizeof(buffer)) == 0);
    CHECK("child_exited", exit_status_of(child) == 0);
    close(fds[0]);
}

static volatile sig_atomic_t sigpipe_seen;
static void on_sigpipe(int signal) { (void)signal; sigpipe_seen = 1; }

static void sigpipe(void)
{
    int fds[2];
    pipe(fds);
    close(fds[0]);
    pid_t child = fork();
    if (child == 0) {
        write(fds[1], "x", 1);
        _exit(0); /* not reached: SIGPIPE's default action ends the writer */
    }
    int status = exit_status_of(child);
    CHECK("sigpipe_default_kills_writer", WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);

    signal(SIGPIPE, on_sigpipe);
    CHECK_ERRNO("handled_sigpipe_gives_epipe", write(fds[1], "x", 1), EPIPE);
    CHECK("sigpipe_handler_ran", sigpipe_seen == 1);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERRNO("ignored_sigpipe_gives_epipe", write(fds[1], "x", 1), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    close(fds[1]);
}

static void nonblocking(void)
{
    int fds[2];
    CHECK("pipe2_nonblock", pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0);
    char buffer[4096];
    CHECK_ERRNO("empty_nonblocking_read_eagain", read(fds[0], buffer, 1), EAGAIN);
    memset(buffer, 'z', sizeof(buffer));
    long total = 0;
    ssize_t put;
    while ((put = write(fds[1], buffer, sizeof(buffer))) > 0)
        total += put;
    CHECK("full_pipe_holds_64k", total == 65536 && errno == EAGAIN);
    int waiting = -1;
    CHECK("fionread_counts_bytes", ioctl(fds[0], FIONREAD, &waiting) == 0 && waiting == 65536);
    CHECK("read_makes_room", read(fds[0], buffer, 100) == 100);
    CHECK_ERRNO("pipe_buf_write_all_or_nothing", write(fds[1], buffer, 4096), EAGAIN);
    CHECK_ERRNO("pipe2_bad_flag", pipe2(fds, O_APPEND), EINVAL);
    close(fds[0]);
    close(fds[1]);
}

static void polling(void)
{
    int fds[2];
    pipe(fds);
    struct pollfd p[2] = { { fds[0], POLLIN, 0 }, { fds[1], POLLOUT, 0 } };
    CHECK("poll_zero_timeout", poll(p, 2, 0) == 1 && p[0].revents == 0 && p[1].revents == POLLOUT);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK("poll_times_out", poll(p, 1, 50) == 0);
    long waited = elapsed_ms(&start);
    CHECK("poll_waited_50ms", waited >= 49 && waited < 500);

    pid_t child = fork();
    if (child == 0) {
        sleep_ms(30);
        write(fds[1], "!", 1);
        _exit(0);
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK("poll_woken_by_write", poll(p, 1, -1) == 1 && p[0].revents == POLLIN);
    CHECK("poll_slept_until_write", elapsed_ms(&start) >= 20);
    exit_status_of(child);

    fd_set in;
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    struct timeval tv = { 1, 0 };
    CHECK("select_sees_data", select(fds[0] + 1, &in, 0, 0, &tv) == 1 && FD_ISSET(fds[0], &in));
    char c;
    read(fds[0], &c, 1);

    /* musl's select() hands the kernel a copy of the timeout; the call itself (_newselect, with i386's
     * 32-bit struct timeval) writes the time left back, as Linux does. */
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    long tv32[2] = { 0, 40000 };
    clock_gettime(CLOCK_MONOTONIC, &start);
    CHECK("select_times_out", syscall(SYS__newselect, fds[0] + 1, &in, 0, 0, tv32) == 0 && !FD_ISSET(fds[0], &in));
    CHECK("select_waited_40ms", elapsed_ms(&start) >= 39);
    CHECK("select_time_left_zero", tv32[0] == 0 && tv32[1] == 0);

    child = fork();
    if (child == 0) {
        sleep_ms(30);
        write(fds[1], "!", 1);
        _exit(0);
    }
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    tv32[0] = 5;
    tv32[1] = 0;
    CHECK("select_woken_by_write", syscall(SYS__newselect, fds[0] + 1, &in, 0, 0, tv32) == 1);
    CHECK("select_time_left_updated", tv32[0] == 4 && tv32[1] > 500000);
    exit_status_of(child);

    /* The old select (82) takes its arguments in a block. */
    struct {
        unsigned long n;
        fd_set *in, *out, *ex;
        struct timeval* tv;
    } args = { (unsigned long)fds[0] + 1, &in, 0, 0, 0 };
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    CHECK("old_select", syscall(82, &args) == 1);
    read(fds[0], &c, 1);

    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    struct timespec ts = { 0, 10000000 };
    sigset_t none;
    sigemptyset(&none);
    CHECK("pselect_times_out", pselect(fds[0] + 1, &in, 0, 0, &ts, &none) == 0);
    fd_set bad;
    FD_ZERO(&bad);
    FD_SET(99, &bad);
    CHECK_ERRNO("select_ebadf", select(100, &bad, 0, 0, 0), EBADF);
    close(fds[0]);
    close(fds[1]);
}

/* Two writers of 4096-byte blocks: each block arrives whole. */
static void atomic_writers(void)
{
    enum { kBlocks = 40, kBlock = 4096 };
    int fds[2];
    pipe(fds);
    pid_t writers[2];
    for (int w = 0; w < 2; ++w) {
        writers[w] = fork();
        if (writers[w] == 0) {
            static char block[kBlock];
            memset(block, w ? 'b' : 'a', sizeof(block));
            for (int i = 0; i < kBlocks; ++i)
                if (write(fds[1], block, sizeof(block)) != kBlock)
                    _exit(1);
            _exit(0);
        }
    }
    close(fds[1]);
    static char all[2 * kBlocks * kBlock];
    size_t total = 0;
    ssize_t got;
    while ((got = read(fds[0], all + total, sizeof(all) - total)) > 0)
        total += (size_t)got;
    int whole = total == sizeof(all);
    for (size_t block = 0; whole && block < 2 * kBlocks; ++block)
        for (size_t i = 1; i < kBlock; ++i)
            if (all[block * kBlock + i] != all[block * kBlock])
                whole = 0;
    CHECK("pipe_buf_writes_not_interleaved", whole);
    CHECK("writers_exited", exit_status_of(writers[0]) == 0 && exit_status_of(writers[1]) == 0);
    close(fds[0]);
}

static void fifo(void)
{
    unlink("/pipes_fifo");
    if (mkfifo("/pipes_fifo", 0600) != 0) {
        if (errno == ENOSYS) {
            printf("skip fifo_two_processes (mknod is not implemented in this tree)\n");
            return;
        }
        CHECK("mkfifo", 0);
        return;
    }
    CHECK_ERRNO("fifo_nonblocking_writer_without_reader", open("/pipes_fifo", O_WRONLY | O_NONBLOCK), ENXIO);
    pid_t child = fork();
    if (child == 0) {
        int fd = open("/pipes_fifo", O_WRONLY); /* waits for the parent's reader */
        write(fd, "through the fifo", 16);
        _exit(fd >= 0 ? 0 : 1);
    }
    int fd = open("/pipes_fifo", O_RDONLY); /* waits for the child's writer */
    char buffer[32] = { 0 };
    ssize_t total = 0, got;
    while ((got = read(fd, buffer + total, sizeof(buffer) - 1 - total)) > 0)
        total += got;
    CHECK("fifo_two_processes", fd >= 0 && total == 16 && strcmp(buffer, "through the fifo") == 0);
    CHECK("fifo_writer_exited", exit_status_of(child) == 0);
    close(fd);
    unlink("/pipes_fifo");
}

int main(void)
{
    parent_and_child();
    sigpipe();
    nonblocking();
    polling();
    atomic_writers();
    fifo();
    return check_summary();
}
