/* Run as pid 1: init receives from user space only the signals it has a handler for (Linux's
 * SIGNAL_UNKILLABLE). SIGKILL, SIGSTOP and default-action signals sent by a child change nothing; a handled
 * signal runs its handler; a blocked one waits and is dropped when unblocked without a handler. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int signal)
{
    (void)signal;
    usr1_seen++;
}

/* A child sends `signal` to pid 1 (kill, then tkill) and exits 0 when both calls succeeded. */
static int child_signals_init(int signal)
{
    pid_t child = fork();
    if (child == 0)
        _exit(kill(1, signal) == 0 && syscall(SYS_tkill, 1, signal) == 0 ? 0 : 1);
    int status = -1;
    while (waitpid(child, &status, 0) == -1 && errno == EINTR) {
    }
    struct timespec pause_ms = { 0, 20 * 1000 * 1000 };
    nanosleep(&pause_ms, NULL); /* time for a signal to act, were it going to */
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    CHECK("running_as_pid_1", getpid() == 1);
    CHECK("sigkill_from_child_ignored", child_signals_init(SIGKILL));
    CHECK("sigstop_from_child_ignored", child_signals_init(SIGSTOP));
    CHECK("sigterm_from_child_ignored", child_signals_init(SIGTERM));
    CHECK("sigint_from_child_ignored", child_signals_init(SIGINT));
    CHECK("sigsegv_from_child_ignored", child_signals_init(SIGSEGV));
    CHECK("self_sigkill_ignored", kill(1, SIGKILL) == 0 && raise(SIGTERM) == 0);

    signal(SIGUSR1, on_usr1);
    CHECK("handled_signal_delivered", child_signals_init(SIGUSR1) && usr1_seen == 2);

    sigset_t term, pending;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    int sent = child_signals_init(SIGTERM);
    sigpending(&pending);
    CHECK("blocked_sigterm_pending", sent && sigismember(&pending, SIGTERM));
    sigprocmask(SIG_UNBLOCK, &term, NULL);
    sigpending(&pending);
    CHECK("unblocked_sigterm_dropped", !sigismember(&pending, SIGTERM));
    CHECK("still_pid_1_and_running", getpid() == 1);
    return check_summary();
}
