/* Signals: handlers with siginfo, masks and pending sets, default actions, stop and continue with WUNTRACED
 * and WCONTINUED, EINTR and SA_RESTART, SIGCHLD, faults caught by a handler, and the FPU kept across one. */
#define _GNU_SOURCE
#include <fenv.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t usr1_count, chld_count, alarm_like;
static volatile int last_code, last_pid, last_signal;
static volatile void* fault_address;
static sigjmp_buf recover;

static void on_usr1(int signal) { usr1_count++; last_signal = signal; }
static void on_info(int signal, siginfo_t* info, void* context)
{
    (void)context;
    last_signal = signal;
    last_code = info->si_code;
    last_pid = info->si_pid;
}
static void on_chld(int signal) { (void)signal; chld_count++; }
static void on_segv(int signal, siginfo_t* info, void* context)
{
    (void)signal;
    (void)context;
    fault_address = info->si_addr;
    siglongjmp(recover, 1);
}
static void on_usr2_float(int signal)
{
    (void)signal;
    fesetround(FE_UPWARD); /* the handler's own FPU control state, which must not leak out */
}
static void on_alarm_like(int signal) { (void)signal; alarm_like = 1; }

static char alternate_stack[16384];
static volatile int on_alternate, altstack_reported_onstack, altstack_change_refused;
static void on_usr1_altstack(int signal)
{
    (void)signal;
    char local;
    on_alternate = &local >= alternate_stack && &local < alternate_stack + sizeof(alternate_stack);
    stack_t current;
    altstack_reported_onstack = sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_ONSTACK);
    stack_t other = { .ss_sp = alternate_stack, .ss_size = sizeof(alternate_stack), .ss_flags = 0 };
    altstack_change_refused = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

int main(void)
{
    /* A plain handler, through raise (tgkill) and kill. */
    CHECK("signal_installs", signal(SIGUSR1, on_usr1) != SIG_ERR);
    CHECK("raise_runs_handler", raise(SIGUSR1) == 0 && usr1_count == 1 && last_signal == SIGUSR1);
    CHECK("kill_self_runs_handler", kill(getpid(), SIGUSR1) == 0 && usr1_count == 2);

    /* SA_SIGINFO: the handler learns who sent it. */
    struct sigaction action = { 0 };
    action.sa_sigaction = on_info;
    action.sa_flags = SA_SIGINFO;
    CHECK("sigaction_siginfo", sigaction(SIGUSR2, &action, NULL) == 0);
    kill(getpid(), SIGUSR2);
    CHECK("siginfo_code_and_pid", last_signal == SIGUSR2 && last_code == SI_USER && last_pid == getpid());

    /* Blocking: the signal waits in the pending set until unblocked. */
    sigset_t set, old, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK("block", sigprocmask(SIG_BLOCK, &set, &old) == 0);
    raise(SIGUSR1);
    CHECK("blocked_stays_pending", usr1_count == 2 && sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1));
    CHECK("unblock_delivers", sigprocmask(SIG_SETMASK, &old, NULL) == 0 && usr1_count == 3);
    CHECK_ERRNO("sigaction_sigkill", sigaction(SIGKILL, &action, NULL), EINVAL);
    CHECK_ERRNO("kill_bad_signal", kill(getpid(), 99), EINVAL);
    CHECK_ERRNO("kill_no_process", kill(9999, SIGUSR1), ESRCH);
    CHECK("kill_zero_checks_only", kill(getpid(), 0) == 0);

    /* Ignored signals do nothing. */
    signal(SIGUSR1, SIG_IGN);
    CHECK("ignored", raise(SIGUSR1) == 0 && usr1_count == 3);
    signal(SIGUSR1, on_usr1);

    /* Default action terminate, seen by the parent; SIGCHLD reaches a handler. */
    signal(SIGCHLD, on_chld);
    pid_t child = fork();
    if (child == 0) {
        for (;;)
            pause();
    }
    CHECK("kill_child", kill(child, SIGTERM) == 0);
    int status = 0;
    CHECK("child_terminated_by_sigterm", waitpid(child, &status, 0) == child && WIFSIGNALED(status)
        && WTERMSIG(status) == SIGTERM);
    CHECK("sigchld_delivered", chld_count >= 1);

    /* Stop and continue, reported by WUNTRACED and WCONTINUED. */
    child = fork();
    if (child == 0) {
        for (;;)
            pause();
    }
    kill(child, SIGSTOP);
    CHECK("wuntraced_sees_stop", waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status)
        && WSTOPSIG(status) == SIGSTOP);
    kill(child, SIGCONT);
    CHECK("wcontinued_sees_continue", waitpid(child, &status, WCONTINUED) == child && WIFCONTINUED(status));
    kill(child, SIGKILL);
    CHECK("sigkill", waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    /* EINTR: a signal interrupts nanosleep when the handler has no SA_RESTART; wait4 restarts with it. */
    struct sigaction interrupting = { 0 };
    interrupting.sa_handler = on_alarm_like;
    sigaction(SIGUSR1, &interrupting, NULL); /* no SA_RESTART */
    child = fork();
    if (child == 0) {
        struct timespec nap = { 0, 20 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    struct timespec long_nap = { 5, 0 }, left = { 0, 0 };
    errno = 0;
    int slept = nanosleep(&long_nap, &left);
    CHECK("nanosleep_eintr", slept == -1 && errno == EINTR && alarm_like && left.tv_sec >= 3);
    waitpid(child, &status, 0);
    interrupting.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &interrupting, NULL);
    alarm_like = 0;
    child = fork();
    if (child == 0) {
        struct timespec nap = { 0, 20 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        kill(getppid(), SIGUSR1);
        nanosleep(&nap, NULL);
        _exit(5);
    }
    CHECK("wait4_restarted_with_sa_restart", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 5
        && alarm_like);

    /* A fault caught by a handler, which jumps out of it. */
    struct sigaction segv = { 0 };
    segv.sa_sigaction = on_segv;
    segv.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &segv, NULL);
    if (sigsetjmp(recover, 1) == 0) {
        *(volatile int*)0x1234 = 1;
        CHECK("segv_handler_ran", 0);
    } else {
        CHECK("segv_handler_ran", fault_address == (void*)0x1234);
    }

    /* The interrupted code's FPU state (here its rounding mode, x87 and SSE) survives a handler that changes it. */
    signal(SIGUSR2, on_usr2_float);
    fesetround(FE_DOWNWARD);
    raise(SIGUSR2);
    CHECK("fpu_kept_across_handler", fegetround() == FE_DOWNWARD);
    fesetround(FE_TONEAREST);

    /* sigsuspend: the mask is swapped while waiting and restored after. */
    sigprocmask(SIG_BLOCK, &set, &old);
    child = fork();
    if (child == 0) {
        struct timespec nap = { 0, 10 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigset_t wait_mask;
    sigemptyset(&wait_mask);
    alarm_like = 0;
    CHECK("sigsuspend_eintr", sigsuspend(&wait_mask) == -1 && errno == EINTR && alarm_like);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK("sigsuspend_restores_mask", sigismember(&now, SIGUSR1));
    waitpid(child, &status, 0);

    /* alarm: a SIGALRM handler interrupts pause; alarm returns what was left; the default action kills. */
    static struct sigaction alarm_action;
    alarm_action.sa_handler = on_alarm_like;
    sigaction(SIGALRM, &alarm_action, NULL);
    sigprocmask(SIG_SETMASK, &wait_mask, NULL);
    alarm_like = 0;
    CHECK("alarm_first_returns_0", alarm(10) == 0);
    CHECK("alarm_returns_left", alarm(1) >= 9);
    CHECK("alarm_interrupts_pause", pause() == -1 && errno == EINTR && alarm_like);
    CHECK("alarm_cancel", alarm(0) == 0);
    child = fork();
    if (child == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    CHECK("alarm_default_kills", waitpid(child, &status, 0) == child && WIFSIGNALED(status)
        && WTERMSIG(status) == SIGALRM);

    /* setitimer with an interval fires repeatedly; getitimer shows what is left. */
    static volatile int ticks;
    struct sigaction counting = { 0 };
    counting.sa_handler = on_usr1;
    sigaction(SIGALRM, &counting, NULL);
    usr1_count = 0;
    struct itimerval every = { { 0, 20000 }, { 0, 20000 } }, left_now;
    CHECK("setitimer", setitimer(ITIMER_REAL, &every, NULL) == 0);
    CHECK("getitimer", getitimer(ITIMER_REAL, &left_now) == 0 && left_now.it_interval.tv_usec == 20000
        && left_now.it_value.tv_usec <= 20000);
    while (usr1_count < 3)
        pause();
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    CHECK("setitimer_repeats", setitimer(ITIMER_REAL, &off, NULL) == 0 && usr1_count >= 3);
    (void)ticks;
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    CHECK_ERRNO("setitimer_bad_usec", setitimer(ITIMER_REAL, &bad, NULL), EINVAL);

    /* sigaltstack: an SA_ONSTACK handler runs on the alternate stack, which cannot change under it. */
    stack_t alt = { .ss_sp = alternate_stack, .ss_size = sizeof(alternate_stack), .ss_flags = 0 }, was;
    CHECK("sigaltstack_initially_disabled", sigaltstack(NULL, &was) == 0 && (was.ss_flags & SS_DISABLE));
    CHECK("sigaltstack_set", sigaltstack(&alt, NULL) == 0);
    struct sigaction onstack = { 0 };
    onstack.sa_handler = on_usr1_altstack;
    onstack.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &onstack, NULL);
    raise(SIGUSR1);
    CHECK("handler_on_alternate_stack", on_alternate && altstack_reported_onstack);
    CHECK("altstack_change_refused_while_on_it", altstack_change_refused);
    stack_t small = { .ss_sp = alternate_stack, .ss_size = 100, .ss_flags = 0 };
    CHECK_ERRNO("sigaltstack_too_small", sigaltstack(&small, NULL), ENOMEM);
    stack_t weird = { .ss_sp = alternate_stack, .ss_size = sizeof(alternate_stack), .ss_flags = 77 };
    CHECK_ERRNO("sigaltstack_bad_flags", sigaltstack(&weird, NULL), EINVAL);
    /* sigtimedwait takes a blocked signal without its handler; sigqueue carries a value. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    union sigval value = { .sival_int = 4242 };
    CHECK("sigqueue", sigqueue(getpid(), SIGUSR2, value) == 0);
    siginfo_t waited;
    struct timespec none = { 0, 0 };
    CHECK("sigtimedwait_takes_it", sigtimedwait(&usr2, &waited, &none) == SIGUSR2 && waited.si_code == SI_QUEUE
        && waited.si_value.sival_int == 4242);
    CHECK_ERRNO("sigtimedwait_times_out", sigtimedwait(&usr2, &waited, &none), EAGAIN);
    child = fork();
    if (child == 0) {
        struct timespec nap = { 0, 10 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    struct timespec second = { 1, 0 };
    CHECK("sigtimedwait_waits", sigtimedwait(&usr2, &waited, &second) == SIGUSR2 && waited.si_pid == child);
    waitpid(child, &status, 0);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);

    stack_t disabled = { .ss_flags = SS_DISABLE };
    CHECK("sigaltstack_disable", sigaltstack(&disabled, NULL) == 0 && sigaltstack(NULL, &was) == 0
        && (was.ss_flags & SS_DISABLE));
    return check_summary();
}
