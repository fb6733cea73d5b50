/* Process benchmarks run as a user program on Cadenza and on Linux in the same QEMU: a null system call,
 * clock_gettime(CLOCK_MONOTONIC) through musl,
 * fork+exit+wait, fork+execve+wait, a signal round trip, a switch between two processes, a futex ping-pong
 * between two threads, and thread create+join. rdtsc cycles, the same clock on both kernels; "name n/a"
 * when the kernel lacks what a figure needs. */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static volatile int signals_seen;
static void on_signal(int signal)
{
    (void)signal;
    signals_seen++;
}

static volatile int *turn; /* futex word for the ping-pong */
enum { kRounds = 2000 };

static void *pong(void *arg)
{
    (void)arg;
    for (int i = 0; i < kRounds; ++i) {
        while (*turn != 1)
            syscall(SYS_futex, turn, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0);
        *turn = 0;
        syscall(SYS_futex, turn, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
    }
    return NULL;
}

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
        _exit(0);

    enum { kCalls = 100000 };
    uint64_t start = cycles();
    for (int i = 0; i < kCalls; ++i)
        syscall(SYS_getppid);
    report("null_syscall_cycles", cycles() - start, kCalls);

    /* musl's clock_gettime: the vDSO's when the kernel has one, else the system call. */
    struct timespec now;
    start = cycles();
    for (int i = 0; i < kCalls; ++i)
        clock_gettime(CLOCK_MONOTONIC, &now);
    report("clock_gettime_cycles", cycles() - start, kCalls);

    enum { kForks = 200 };
    start = cycles();
    for (int i = 0; i < kForks; ++i) {
        pid_t child = fork();
        if (child == 0)
            _exit(0);
        int status;
        waitpid(child, &status, 0);
    }
    report("fork_exit_wait_cycles", cycles() - start, kForks);

    enum { kExecs = 50 };
    int exec_ok = 1;
    start = cycles();
    for (int i = 0; i < kExecs && exec_ok; ++i) {
        pid_t child = fork();
        if (child == 0) {
            char *child_argv[] = { argv[0], "exec-child", NULL };
            execv(argv[0], child_argv);
            _exit(127);
        }
        int status;
        waitpid(child, &status, 0);
        exec_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (exec_ok)
        report("fork_exec_wait_cycles", cycles() - start, kExecs);
    else
        printf("fork_exec_wait_cycles n/a\n");

    enum { kSignals = 10000 };
    struct sigaction action = { 0 };
    action.sa_handler = on_signal;
    sigaction(SIGUSR1, &action, NULL);
    start = cycles();
    for (int i = 0; i < kSignals; ++i)
        kill(getpid(), SIGUSR1);
    uint64_t elapsed = cycles() - start;
    if (signals_seen == kSignals)
        report("signal_roundtrip_cycles", elapsed, kSignals);
    else
        printf("signal_roundtrip_cycles n/a\n");

    /* Two processes yielding to each other: each yield is one switch. */
    enum { kYields = 20000 };
    pid_t yielder = fork();
    if (yielder == 0) {
        for (int i = 0; i < kYields; ++i)
            sched_yield();
        _exit(0);
    }
    start = cycles();
    for (int i = 0; i < kYields; ++i)
        sched_yield();
    elapsed = cycles() - start;
    int status;
    waitpid(yielder, &status, 0);
    report("yield_switch_cycles", elapsed, 2 * kYields);

    /* Two threads handing a futex word back and forth: one round trip is two wake-ups. */
    turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *turn = 0;
    pthread_t thread;
    if (pthread_create(&thread, NULL, pong, NULL) == 0) {
        start = cycles();
        for (int i = 0; i < kRounds; ++i) {
            *turn = 1;
            syscall(SYS_futex, turn, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
            while (*turn != 0)
                syscall(SYS_futex, turn, 0 /* FUTEX_WAIT */, 1, NULL, NULL, 0);
        }
        elapsed = cycles() - start;
        pthread_join(thread, NULL);
        report("futex_pingpong_cycles", elapsed, kRounds);
    } else {
        printf("futex_pingpong_cycles n/a\n");
    }

    enum { kThreads = 200 };
    start = cycles();
    int created = 0;
    for (int i = 0; i < kThreads; ++i) {
        if (pthread_create(&thread, NULL, nothing, NULL) == 0) {
            pthread_join(thread, NULL);
            created++;
        }
    }
    if (created == kThreads)
        report("thread_create_join_cycles", cycles() - start, kThreads);
    else
        printf("thread_create_join_cycles n/a\n");
    return 0;
}
