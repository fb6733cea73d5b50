/* Blocking calls and signals: a call whose condition already holds returns its result although a signal is
 * pending or arrives with it; only a call that has to sleep is interrupted (EINTR, handlers without SA_RESTART).
 * The report this pins: a parent with a SIGCHLD handler forks, the child execs and exits at once, and waitpid
 * must return the child, not EINTR. Then read and write on a pipe, poll, select, ppoll and pselect6 (whose own
 * mask lets a pending signal in as the call starts), futex, nanosleep, FIFO opens, F_SETLKW, sigsuspend.
 *
 * "Woken with a signal": another process (or thread) makes the condition true and then sends a signal, both
 * while the call sleeps; on a kernel that is not preemptible both have happened before the sleeper runs again.
 * "Must sleep": a 50 ms interval timer's SIGALRM interrupts a call whose condition never comes.
 * Each check holds whatever the timing: a sleeper that is late to sleep sees the condition already met. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char* self;
static volatile sig_atomic_t chld_count, usr1_count, alarm_count;

static void on_chld(int signal)
{
    (void)signal;
    chld_count++;
}
static void on_usr1(int signal)
{
    (void)signal;
    usr1_count++;
}
static void on_alarm(int signal)
{
    (void)signal;
    alarm_count++;
}

/* A handler without SA_RESTART: an interrupted call fails with EINTR. */
static void handle(int signal, void (*handler)(int))
{
    struct sigaction action = { 0 };
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, NULL);
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

/* SIGALRM every 50 ms from now on, until disarmed: a call that starts late still gets one while it sleeps. */
static void alarm_in_50ms(void)
{
    alarm_count = 0;
    struct itimerval timer = { { 0, 50000 }, { 0, 50000 } };
    setitimer(ITIMER_REAL, &timer, NULL);
}

static void disarm(void)
{
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
}

static void set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
}

/* --- waitpid and waitid --- */

static pid_t fork_exec_exit(void)
{
    pid_t child = fork();
    if (child == 0) {
        char* argv[] = { (char*)self, "exit", NULL };
        char* envp[] = { NULL };
        execve(self, argv, envp);
        _exit(127);
    }
    return child;
}

static void waits(void)
{
    handle(SIGCHLD, on_chld);
    int returned = 0, rounds = 10;
    for (int i = 0; i < rounds; i++) {
        chld_count = 0;
        pid_t child = fork_exec_exit();
        int status = -1;
        pid_t got = waitpid(child, &status, 0);
        returned += got == child && WIFEXITED(status) && WEXITSTATUS(status) == 0 && chld_count == 1;
    }
    CHECK("waitpid_returns_execd_child_despite_sigchld", returned == rounds);

    chld_count = 0;
    pid_t child = fork_exec_exit();
    siginfo_t info = { 0 };
    int result = waitid(P_PID, (id_t)child, &info, WEXITED);
    CHECK("waitid_returns_execd_child_despite_sigchld",
        result == 0 && info.si_pid == child && info.si_code == CLD_EXITED && info.si_status == 0 && chld_count == 1);

    /* The child has ended (its SIGCHLD handled) before the call: returned at once. */
    child = fork_exec_exit();
    for (int i = 0; i < 200 && chld_count < 2; i++)
        sleep_ms(5);
    int status = -1;
    CHECK("waitpid_returns_child_already_gone", waitpid(child, &status, 0) == child && WIFEXITED(status));
    handle(SIGCHLD, SIG_DFL);

    /* A child that stays: the wait must sleep, and SIGALRM interrupts it. */
    handle(SIGALRM, on_alarm);
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    alarm_in_50ms();
    CHECK_ERRNO("waitpid_must_sleep_eintr", waitpid(child, &status, 0), EINTR);
    disarm();
    CHECK("waitpid_eintr_ran_handler", alarm_count >= 1);
    kill(child, SIGKILL);
    CHECK("waitpid_after_eintr_reaps", waitpid(child, &status, 0) == child && WIFSIGNALED(status));
}

/* --- pipes: read, write, poll, select --- */

/* A child that waits 50 ms (the parent is asleep by then), does `act` on the pipe and then sends SIGUSR1. */
static pid_t child_acts_then_signals(int fds[2], int reading)
{
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50);
        char buffer[4096];
        if (reading)
            read(fds[0], buffer, sizeof(buffer));
        else
            write(fds[1], "x", 1);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    return child;
}

static int reaped(pid_t child)
{
    int status = -1;
    return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void pipes(void)
{
    handle(SIGUSR1, on_usr1);
    handle(SIGALRM, on_alarm);
    int fds[2];
    pipe(fds);
    char buffer[4096] = { 0 };

    usr1_count = 0;
    pid_t child = child_acts_then_signals(fds, 0);
    CHECK("read_woken_with_signal_gets_data", read(fds[0], buffer, sizeof(buffer)) == 1 && buffer[0] == 'x');
    CHECK("read_signal_handled_after", reaped(child) && usr1_count == 1);

    /* Full: a PIPE_BUF write waits for room for all of it. */
    set_nonblocking(fds[1], 1);
    while (write(fds[1], buffer, sizeof(buffer)) > 0) { }
    set_nonblocking(fds[1], 0);
    usr1_count = 0;
    child = child_acts_then_signals(fds, 1);
    CHECK("write_woken_with_signal_writes_all", write(fds[1], buffer, sizeof(buffer)) == (ssize_t)sizeof(buffer));
    CHECK("write_signal_handled_after", reaped(child) && usr1_count == 1);
    alarm_in_50ms();
    CHECK_ERRNO("write_must_sleep_eintr", write(fds[1], buffer, sizeof(buffer)), EINTR);
    disarm();
    set_nonblocking(fds[0], 1);
    while (read(fds[0], buffer, sizeof(buffer)) > 0) { }
    set_nonblocking(fds[0], 0);

    alarm_in_50ms();
    CHECK_ERRNO("read_must_sleep_eintr", read(fds[0], buffer, sizeof(buffer)), EINTR);
    disarm();
    CHECK("read_eintr_ran_handler", alarm_count >= 1);

    usr1_count = 0;
    child = child_acts_then_signals(fds, 0);
    struct pollfd watched = { fds[0], POLLIN, 0 };
    CHECK("poll_woken_with_signal_reports_ready", poll(&watched, 1, -1) == 1 && watched.revents == POLLIN);
    CHECK("poll_signal_handled_after", reaped(child) && usr1_count == 1);
    read(fds[0], buffer, 1);

    usr1_count = 0;
    child = child_acts_then_signals(fds, 0);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    CHECK("select_woken_with_signal_reports_ready",
        select(fds[0] + 1, &in, NULL, NULL, NULL) == 1 && FD_ISSET(fds[0], &in));
    CHECK("select_signal_handled_after", reaped(child) && usr1_count == 1);
    read(fds[0], buffer, 1);

    alarm_in_50ms();
    CHECK_ERRNO("poll_must_sleep_eintr", poll(&watched, 1, -1), EINTR);
    disarm();

    /* ppoll and pselect6: SIGUSR1 blocked and pending; the call's mask lets it in as the call starts. A ready
     * descriptor is returned and the mask goes back at once, the signal still pending; none ready: EINTR, and
     * the handler runs. */
    sigset_t usr1, none, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    usr1_count = 0;
    raise(SIGUSR1);
    struct pollfd writable = { fds[1], POLLOUT, 0 };
    CHECK("ppoll_ready_beats_pending_signal", ppoll(&writable, 1, NULL, &none) == 1 && writable.revents == POLLOUT);
    CHECK("ppoll_ready_leaves_signal_pending",
        usr1_count == 0 && sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
    CHECK_ERRNO("ppoll_not_ready_pending_signal_eintr", ppoll(&watched, 1, NULL, &none), EINTR);
    CHECK("ppoll_eintr_ran_handler", usr1_count == 1);

    raise(SIGUSR1);
    fd_set out;
    FD_ZERO(&out);
    FD_SET(fds[1], &out);
    CHECK("pselect_ready_beats_pending_signal", pselect(fds[1] + 1, NULL, &out, NULL, NULL, &none) == 1);
    CHECK("pselect_ready_leaves_signal_pending",
        usr1_count == 1 && sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
    FD_ZERO(&in);
    FD_SET(fds[0], &in);
    CHECK_ERRNO("pselect_not_ready_pending_signal_eintr", pselect(fds[0] + 1, &in, NULL, NULL, NULL, &none), EINTR);
    CHECK("pselect_eintr_ran_handler", usr1_count == 2);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    close(fds[0]);
    close(fds[1]);
}

/* --- futex --- */

enum { kFutexWaitPrivate = 128, kFutexWakePrivate = 129 }; /* FUTEX_WAIT, FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

static int futex_word;
static pthread_t main_thread;

static long futex(int* word, int op, int value) { return syscall(SYS_futex, word, op, value, NULL, NULL, 0); }

static void* wake_then_signal(void* unused)
{
    (void)unused;
    sleep_ms(50); /* the main thread is asleep in FUTEX_WAIT by now */
    __atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
    futex(&futex_word, kFutexWakePrivate, 1);
    pthread_kill(main_thread, SIGUSR1);
    return NULL;
}

static void futexes(void)
{
    handle(SIGUSR1, on_usr1);
    handle(SIGALRM, on_alarm);
    futex_word = 1;
    CHECK_ERRNO("futex_changed_word_eagain", futex(&futex_word, kFutexWaitPrivate, 0), EAGAIN);

    /* EAGAIN here only means this thread was late to sleep (the word had changed): try again. */
    main_thread = pthread_self();
    long result = -1;
    int error = 0, signalled = 1;
    for (int attempt = 0; attempt < 5; attempt++) {
        futex_word = 0;
        usr1_count = 0;
        pthread_t thread;
        pthread_create(&thread, NULL, wake_then_signal, NULL);
        result = futex(&futex_word, kFutexWaitPrivate, 0);
        error = errno;
        pthread_join(thread, NULL);
        signalled = signalled && usr1_count == 1;
        if (!(result == -1 && error == EAGAIN))
            break;
    }
    errno = error;
    CHECK("futex_woken_with_signal_returns_0", result == 0);
    CHECK("futex_signal_handled_after", signalled);

    alarm_in_50ms();
    CHECK_ERRNO("futex_must_sleep_eintr", futex(&futex_word, kFutexWaitPrivate, 1), EINTR);
    disarm();
}

/* --- nanosleep --- */

static void sleeps(void)
{
    handle(SIGALRM, on_alarm);
    struct timespec zero = { 0, 0 }, left = { 5, 5 };
    CHECK("nanosleep_zero_returns_0", nanosleep(&zero, &left) == 0);
    struct timespec past = { 0, 0 };
    CHECK("clock_nanosleep_past_deadline_returns_0", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL) == 0);

    alarm_in_50ms();
    struct timespec second = { 1, 0 };
    int result = nanosleep(&second, &left);
    int saved = errno;
    disarm();
    errno = saved;
    CHECK("nanosleep_must_sleep_eintr_with_time_left",
        result == -1 && errno == EINTR && alarm_count >= 1 && left.tv_sec == 0 && left.tv_nsec > 0);
}

/* --- FIFO opens --- */

static void fifos(void)
{
    handle(SIGUSR1, on_usr1);
    handle(SIGALRM, on_alarm);
    const char* path = "/eintr_fifo";
    unlink(path);
    if (mkfifo(path, 0600) != 0) {
        CHECK("mkfifo", 0);
        return;
    }
    /* The partner is there already: no wait. */
    int reader = open(path, O_RDONLY | O_NONBLOCK);
    int writer = open(path, O_WRONLY);
    CHECK("fifo_open_partner_present", reader >= 0 && writer >= 0);
    close(writer);
    close(reader);

    usr1_count = 0;
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(50); /* the parent is asleep in open by now */
        int fd = open(path, O_WRONLY);
        kill(getppid(), SIGUSR1);
        write(fd, "f", 1);
        _exit(fd >= 0 ? 0 : 1);
    }
    reader = open(path, O_RDONLY);
    char byte = 0;
    CHECK("fifo_open_woken_with_signal_opens", reader >= 0 && read(reader, &byte, 1) == 1 && byte == 'f');
    CHECK("fifo_signal_handled_after", reaped(child) && usr1_count == 1);
    close(reader);

    alarm_in_50ms();
    CHECK_ERRNO("fifo_open_must_sleep_eintr", open(path, O_WRONLY), EINTR);
    disarm();
    unlink(path);
}

/* --- F_SETLKW --- */

static int lock_region(int fd, int command, short type)
{
    struct flock l = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
    return fcntl(fd, command, &l);
}

static void locks(void)
{
    handle(SIGUSR1, on_usr1);
    const char* path = "/eintr_lock";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK("setlkw_free_lock", lock_region(fd, F_SETLKW, F_WRLCK) == 0 && lock_region(fd, F_SETLK, F_UNLCK) == 0);

    int ready[2];
    pipe(ready);
    usr1_count = 0;
    pid_t child = fork();
    if (child == 0) {
        int mine = open(path, O_RDWR);
        int ok = lock_region(mine, F_SETLK, F_WRLCK) == 0;
        write(ready[1], "r", 1);
        sleep_ms(50); /* the parent is asleep in F_SETLKW by now */
        ok = ok && lock_region(mine, F_SETLK, F_UNLCK) == 0;
        kill(getppid(), SIGUSR1);
        sleep_ms(100); /* the file stays open: only the unlock lets the parent in */
        _exit(ok ? 0 : 1);
    }
    char byte;
    read(ready[0], &byte, 1);
    CHECK("setlkw_woken_by_unlock_with_signal_locks", lock_region(fd, F_SETLKW, F_WRLCK) == 0);
    CHECK("setlkw_signal_handled_after", reaped(child) && usr1_count == 1);
    close(ready[0]);
    close(ready[1]);
    close(fd);
    unlink(path);
}

/* --- sigsuspend --- */

static void suspends(void)
{
    handle(SIGUSR1, on_usr1);
    sigset_t usr1, none, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    usr1_count = 0;
    raise(SIGUSR1);
    CHECK_ERRNO("sigsuspend_pending_signal_eintr_at_once", sigsuspend(&none), EINTR);
    CHECK("sigsuspend_ran_handler_and_restored_mask",
        usr1_count == 1 && sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
}

int main(int argc, char** argv)
{
    self = argv[0];
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        return 0; /* the exec'd child of waits(): ends at once */
    waits();
    pipes();
    futexes();
    sleeps();
    fifos();
    locks();
    suspends();
    return check_summary();
}
