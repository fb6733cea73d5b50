/* fork, wait4/waitpid and scheduling: exit statuses, copy-on-write memory, orphans adopted by init,
 * children killed by signals, and preemption of a process that never makes a system call. */
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int shared_counter_reached(volatile unsigned* counter, unsigned target)
{
    for (unsigned long spins = 0; spins < 4000000000UL; ++spins)
        if (*counter >= target)
            return 1;
    return 0;
}

int main(void)
{
    pid_t self = getpid();
    CHECK("init_is_pid_1", self == 1);

    pid_t child = fork();
    if (child == 0)
        _exit(getppid() == 1 ? 7 : 99);
    CHECK("fork_returns_child_pid", child > 1);
    int status = 0;
    CHECK("waitpid_returns_child", waitpid(child, &status, 0) == child);
    CHECK("child_exit_status", WIFEXITED(status) && WEXITSTATUS(status) == 7);
    CHECK_ERRNO("wait_without_children", wait(&status), ECHILD);

    /* Memory after fork is each process's own. */
    volatile int value = 1;
    char* big = malloc(16 << 20);
    for (int i = 0; i < (16 << 20); i += 4096)
        big[i] = 1;
    child = fork();
    if (child == 0) {
        value = 2;
        big[4096] = 5;
        _exit(value + big[8192]);
    }
    CHECK("copy_on_write_child", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 3);
    CHECK("copy_on_write_parent", value == 1 && big[4096] == 1);

    /* Several children, reaped in any order. */
    int seen = 0;
    for (int i = 1; i <= 5; ++i)
        if (fork() == 0)
            _exit(10 + i);
    for (int i = 0; i < 5; ++i) {
        pid_t done = wait(&status);
        if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) >= 11 && WEXITSTATUS(status) <= 15)
            seen |= 1 << (WEXITSTATUS(status) - 11);
    }
    CHECK("five_children_reaped", seen == 0x1F);

    /* WNOHANG while a child still runs; a shared page lets the child say it has started. */
    volatile unsigned* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    child = fork();
    if (child == 0) {
        /* Never makes a system call while it counts: only preemption lets the parent run again. */
        while (!shared[1])
            shared[0]++;
        _exit(0);
    }
    CHECK("wnohang_running_child", waitpid(child, &status, WNOHANG) == 0);
    CHECK("preemption_lets_both_run", shared_counter_reached(&shared[0], 1000000));
    shared[1] = 1;
    CHECK("spinning_child_exits", waitpid(child, &status, 0) == child && WIFEXITED(status));

    /* A child killed by a signal. */
    child = fork();
    if (child == 0) {
        *(volatile int*)0 = 1;
        _exit(0);
    }
    CHECK("child_killed_by_sigsegv", waitpid(child, &status, 0) == child && WIFSIGNALED(status)
        && WTERMSIG(status) == 11);

    /* An orphan: its parent exits first, so init (this process) adopts and reaps it. */
    child = fork();
    if (child == 0) {
        if (fork() == 0) {
            struct timespec nap = { 0, 20 * 1000 * 1000 };
            nanosleep(&nap, NULL);
            _exit(getppid() == 1 ? 42 : 43);
        }
        _exit(0);
    }
    CHECK("middle_child_exits", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 0);
    pid_t orphan = wait(&status);
    CHECK("orphan_adopted_by_init", orphan > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42);

    struct rusage usage;
    child = fork();
    if (child == 0) {
        for (volatile unsigned long i = 0; i < 30000000UL; ++i) { }
        _exit(0);
    }
    CHECK("wait4_rusage", wait4(child, &status, 0, &usage) == child);
    CHECK_ERRNO("wait4_bad_options", wait4(-1, &status, 0x100, NULL), EINVAL);
    /* vfork: the parent waits until the child has gone. */
    static volatile int order;
    order = 0;
    child = vfork();
    if (child == 0) {
        struct timespec nap = { 0, 10 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        _exit(21);
    }
    CHECK("vfork_parent_waits_for_child", child > 0 && kill(child, 0) == 0 && waitpid(child, &status, WNOHANG) == child
        && WEXITSTATUS(status) == 21);
    (void)order;
    /* waitid: WNOWAIT leaves the child to be waited for again; the siginfo says how it ended. */
    child = fork();
    if (child == 0)
        _exit(9);
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    CHECK("waitid_nowait", waitid(P_PID, child, &info, WEXITED | WNOWAIT) == 0 && info.si_pid == child
        && info.si_code == CLD_EXITED && info.si_status == 9 && info.si_signo == SIGCHLD);
    memset(&info, 0, sizeof(info));
    CHECK("waitid_reaps", waitid(P_ALL, 0, &info, WEXITED) == 0 && info.si_pid == child);
    CHECK_ERRNO("waitid_no_children", waitid(P_ALL, 0, &info, WEXITED), ECHILD);
    CHECK_ERRNO("waitid_no_state_flags", waitid(P_ALL, 0, &info, WNOHANG), EINVAL);
    struct rusage own, children;
    CHECK("getrusage_self", getrusage(RUSAGE_SELF, &own) == 0 && own.ru_maxrss >= 16 * 1024);
    CHECK("getrusage_children", getrusage(RUSAGE_CHILDREN, &children) == 0
        && children.ru_utime.tv_sec * 1000000 + children.ru_utime.tv_usec > 0);
    CHECK_ERRNO("getrusage_bad_who", getrusage(5, &own), EINVAL);
    return check_summary();
}
