/* Credentials, process groups and sessions, resource limits, umask, times, sysinfo, prctl, getcpu. */
#define _GNU_SOURCE
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    /* Process groups and sessions. */
    CHECK("initial_session", getsid(0) == 0 && getpgrp() == 0);
    CHECK("setsid", setsid() == 1 && getsid(0) == 1 && getpgrp() == 1);
    CHECK_ERRNO("setsid_as_leader", setsid(), EPERM);
    pid_t child = fork();
    if (child == 0) {
        /* A child starts in its parent's group; it may make its own, then a session. */
        int ok = getpgrp() == 1 && getsid(0) == 1 && setpgid(0, 0) == 0 && getpgrp() == getpid();
        ok = ok && setsid() == -1 && errno == EPERM; /* now a group leader */
        _exit(ok ? 0 : 1);
    }
    int status;
    CHECK("child_own_group", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 0);
    CHECK_ERRNO("setpgid_no_such_process", setpgid(9999, 0), ESRCH);
    CHECK_ERRNO("setpgid_negative", setpgid(0, -1), EINVAL);
    CHECK_ERRNO("getsid_no_such_process", getsid(9999), ESRCH);

    /* Resource limits. */
    struct rlimit limit;
    CHECK("getrlimit_stack", getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur == 8 * 1024 * 1024);
    CHECK("getrlimit_nofile", getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur == 1024 && limit.rlim_max == 4096);
    limit.rlim_cur = 2048;
    CHECK("setrlimit_nofile", setrlimit(RLIMIT_NOFILE, &limit) == 0 && getrlimit(RLIMIT_NOFILE, &limit) == 0
        && limit.rlim_cur == 2048);
    limit.rlim_cur = 5000;
    limit.rlim_max = 4096;
    CHECK_ERRNO("setrlimit_cur_above_max", setrlimit(RLIMIT_NOFILE, &limit), EINVAL);
    CHECK_ERRNO("getrlimit_bad_resource", getrlimit(99, &limit), EINVAL);
    struct rlimit old;
    CHECK("prlimit_read", prlimit(0, RLIMIT_CORE, NULL, &old) == 0 && old.rlim_cur == 0);

    /* umask. */
    CHECK("umask_default", umask(077) == 022 && umask(022) == 077);

    /* times, sysinfo, prctl, getcpu. */
    struct tms t;
    clock_t before = times(&t);
    for (volatile int i = 0; i < 20000000; ++i) { }
    clock_t after = times(&t);
    CHECK("times_advances", after > before && t.tms_utime > 0);
    struct sysinfo info;
    CHECK("sysinfo", sysinfo(&info) == 0 && info.totalram > 0 && info.freeram > 0 && info.freeram <= info.totalram
        && info.procs >= 1 && info.mem_unit == 4096);
    char name[16] = {};
    CHECK("prctl_get_name", prctl(PR_GET_NAME, name) == 0 && strcmp(name, "identity") == 0);
    CHECK("prctl_set_name", prctl(PR_SET_NAME, "a-very-long-task-name") == 0 && prctl(PR_GET_NAME, name) == 0
        && strcmp(name, "a-very-long-tas") == 0);
    CHECK_ERRNO("prctl_unknown", prctl(12345, 0, 0, 0, 0), EINVAL);
    unsigned cpu = 99, node = 99;
    CHECK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && cpu == 0 && node == 0);
    CHECK("sched_yield", sched_yield() == 0);

    /* Credentials: root may become anyone; after that the rules bite. */
    gid_t groups[4] = { 10, 20, 30, 40 };
    CHECK("setgroups", setgroups(4, groups) == 0 && getgroups(0, NULL) == 4);
    gid_t back[4];
    CHECK("getgroups", getgroups(4, back) == 4 && back[2] == 30);
    CHECK_ERRNO("getgroups_too_small", getgroups(2, back), EINVAL);
    child = fork();
    if (child == 0) {
        int ok = setresgid(100, 100, 100) == 0 && setresuid(1000, 1000, 0) == 0;
        uid_t r, e, s;
        ok = ok && getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1000 && s == 0;
        ok = ok && getuid() == 1000 && geteuid() == 1000 && getgid() == 100;
        ok = ok && setuid(0) == 0 && geteuid() == 0 && getuid() == 1000; /* the saved uid allows it back */
        ok = ok && setuid(1000) == 0;                                    /* root again: sets all three */
        ok = ok && getresuid(&r, &e, &s) == 0 && r == 1000 && e == 1000 && s == 1000;
        ok = ok && setuid(0) == -1 && errno == EPERM;
        ok = ok && setgroups(1, groups) == -1 && errno == EPERM;
        ok = ok && setreuid(-1, 2000) == -1 && errno == EPERM;
        _exit(ok ? 0 : 1);
    }
    CHECK("credentials_rules", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 0);
    CHECK("parent_still_root", getuid() == 0 && geteuid() == 0);
    return check_summary();
}
