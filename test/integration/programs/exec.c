/* execve from a static musl program: fork+exec+wait with arguments and environment, exec chains, #! scripts,
 * the errors that leave the caller running, close-on-exec, signal dispositions across exec, vfork+exec,
 * posix_spawn, and large argument lists. The program runs itself in other modes (argv[1]). */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static const char *self;

/* The modes the program is run in by its own exec calls; each exits with what the parent checks. */
static int child_mode(int argc, char **argv)
{
    const char *mode = argv[1];
    if (strcmp(mode, "echo") == 0) {
        const char *value = getenv("EXEC_TEST");
        return argc == 4 && strcmp(argv[2], "one") == 0 && strcmp(argv[3], "two three") == 0 && value
                && strcmp(value, "yes") == 0
            ? 7
            : 1;
    }
    if (strcmp(mode, "chain") == 0) {
        int left = atoi(argv[2]);
        if (left == 0)
            return 42;
        char next[16];
        snprintf(next, sizeof(next), "%d", left - 1);
        execl(self, self, "chain", next, (char *)NULL);
        return 1;
    }
    if (strcmp(mode, "script") == 0) /* as #!SELF script: argv = SELF, "script", the script's path, its args */
        return argc == 5 && strcmp(argv[2], "/tmp/run.sh") == 0 && strcmp(argv[3], "a") == 0
                && strcmp(argv[4], "b") == 0
            ? 0
            : 1;
    if (strcmp(mode, "fds") == 0) { /* fd 10 was close-on-exec, fd 11 not */
        errno = 0;
        int closed = fcntl(10, F_GETFD) == -1 && errno == EBADF;
        char byte;
        int open_one = read(11, &byte, 1) == 1 && byte == 'k';
        return closed && open_one ? 0 : 1;
    }
    if (strcmp(mode, "signals") == 0) {
        struct sigaction usr1, usr2;
        sigaction(SIGUSR1, NULL, &usr1);
        sigaction(SIGUSR2, NULL, &usr2);
        sigset_t mask;
        sigprocmask(SIG_BLOCK, NULL, &mask);
        return usr1.sa_handler == SIG_DFL && usr2.sa_handler == SIG_IGN && sigismember(&mask, SIGTERM) ? 0 : 1;
    }
    if (strcmp(mode, "sleep") == 0) {
        struct timespec pause_for = { 0, 100 * 1000000 };
        nanosleep(&pause_for, NULL);
        return 5;
    }
    if (strcmp(mode, "count") == 0)
        return argc == 1002 ? 0 : 1;
    return 99;
}

static void handler(int signal) { (void)signal; }

static char *thread_argv[] = { NULL, "echo", "one", "two three", NULL };
static char *thread_envp[] = { "EXEC_TEST=yes", NULL };

/* execve from a thread that is not the main one: the others end, and the program replaces the process. */
static void *exec_from_thread(void *arg)
{
    (void)arg;
    thread_argv[0] = (char *)self;
    execve(self, thread_argv, thread_envp);
    return NULL;
}

/* Runs SELF with `argv` in a forked child; its wait status. */
static int run(char *const argv[], char *const envp[])
{
    pid_t child = fork();
    if (child == 0) {
        execve(self, argv, envp);
        _exit(127);
    }
    int status = -1;
    waitpid(child, &status, 0);
    return status;
}

static int exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    ssize_t length = (ssize_t)strlen(text);
    int ok = write(fd, text, (size_t)length) == length;
    close(fd);
    return ok && chmod(path, mode) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    self = argv[0];
    if (argc > 1)
        return child_mode(argc, argv);
    mkdir("/tmp", 01777);

    char *echo_argv[] = { (char *)self, "echo", "one", "two three", NULL };
    char *echo_envp[] = { "EXEC_TEST=yes", "OTHER=1", NULL };
    CHECK("fork_exec_wait_args_env", exited_with(run(echo_argv, echo_envp), 7));
    char *chain_argv[] = { (char *)self, "chain", "5", NULL };
    CHECK("exec_chain_of_six", exited_with(run(chain_argv, environ), 42));

    char script[300];
    snprintf(script, sizeof(script), "#!%s script\necho never read\n", self);
    CHECK("script_written", write_file("/tmp/run.sh", script, 0755) == 0);
    pid_t child = fork();
    if (child == 0) {
        char *script_argv[] = { "run.sh", "a", "b", NULL };
        execve("/tmp/run.sh", script_argv, environ);
        _exit(127);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("hashbang_script_runs_interpreter", exited_with(status, 0));

    char *plain_argv[] = { "x", NULL };
    CHECK_ERRNO("execve_missing_enoent", execve("/no/such/program", plain_argv, environ), ENOENT);
    CHECK("garbage_written", write_file("/tmp/garbage", "this is not a program\n", 0755) == 0);
    CHECK_ERRNO("execve_garbage_enoexec", execve("/tmp/garbage", plain_argv, environ), ENOEXEC);
    CHECK("unexecutable_written", write_file("/tmp/plain", "#!/bin/sh\n", 0644) == 0);
    CHECK_ERRNO("execve_no_x_eacces", execve("/tmp/plain", plain_argv, environ), EACCES);
    CHECK_ERRNO("execve_directory_eacces", execve("/tmp", plain_argv, environ), EACCES);
    CHECK_ERRNO("execve_bad_pointer_efault", syscall(SYS_execve, 16, plain_argv, environ), EFAULT);
    CHECK("still_running_after_failures", getpid() == 1);

    int cloexec = open("/tmp/plain", O_RDONLY | O_CLOEXEC);
    CHECK("write_k", write_file("/tmp/k", "k", 0644) == 0);
    int kept = open("/tmp/k", O_RDONLY);
    CHECK("dup_fds", dup2(cloexec, 10) == 10 && fcntl(10, F_SETFD, FD_CLOEXEC) == 0 && dup2(kept, 11) == 11);
    char *fds_argv[] = { (char *)self, "fds", NULL };
    CHECK("close_on_exec_closes_only_marked", exited_with(run(fds_argv, environ), 0));
    close(10);
    close(11);

    struct sigaction action = { 0 };
    action.sa_handler = handler;
    sigaction(SIGUSR1, &action, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    char *signals_argv[] = { (char *)self, "signals", NULL };
    CHECK("exec_resets_handlers_keeps_ignored_and_mask", exited_with(run(signals_argv, environ), 0));
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    /* vfork: the parent goes on as soon as the child has exec'd, while the child still runs. */
    child = vfork();
    if (child == 0) {
        char *sleep_argv[] = { (char *)self, "sleep", NULL };
        execve(self, sleep_argv, environ);
        _exit(127);
    }
    int still_running = waitpid(child, &status, WNOHANG) == 0;
    waitpid(child, &status, 0);
    CHECK("vfork_parent_resumes_at_exec", still_running && exited_with(status, 5));

    pid_t spawned = -1;
    char *spawn_argv[] = { (char *)self, "echo", "one", "two three", NULL };
    int spawn_error = posix_spawn(&spawned, self, NULL, NULL, spawn_argv, echo_envp);
    status = -1;
    if (spawn_error == 0)
        waitpid(spawned, &status, 0);
    CHECK("posix_spawn_runs_program", spawn_error == 0 && exited_with(status, 7));
    spawn_error = posix_spawn(&spawned, "/no/such/program", NULL, NULL, spawn_argv, environ);
    CHECK("posix_spawn_reports_enoent", spawn_error == ENOENT);

    child = fork();
    if (child == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, exec_from_thread, NULL);
        for (;;)
            pause(); /* ended by the exec in the other thread */
    }
    status = -1;
    waitpid(child, &status, 0);
    CHECK("execve_from_a_thread_replaces_process", exited_with(status, 7));

    char **many = calloc(1003, sizeof(char *));
    many[0] = (char *)self;
    many[1] = "count";
    for (int i = 2; i < 1002; ++i)
        many[i] = "argument-of-some-length";
    CHECK("a_thousand_arguments", exited_with(run(many, environ), 0));
    free(many);

    return check_summary();
}
