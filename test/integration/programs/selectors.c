/* Segment selectors a program can influence: TLS entries cleared or made not-present while a segment register
 * holds them, signal frames carrying bad selectors back through sigreturn and rt_sigreturn, a signal delivered
 * while such a selector is live, garbage sigreturn frames, and a bad selector loaded by user code itself.
 * On Linux each ends with the selector loaded as 0 or with a signal for the process; none may stop the kernel. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

/* struct user_desc (Linux's asm/ldt.h), which musl's headers do not carry. */
struct user_desc {
    unsigned int entry_number, base_addr, limit;
    unsigned int seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1, seg_not_present : 1,
        useable : 1;
};

enum { kKernelDataRpl3 = 0x6B, kUserData = 0x7B, kLdtSelector = 0x0F };

static unsigned selector_of(int entry) { return (unsigned)entry * 8 + 3; }

static long raw_set_thread_area(struct user_desc* desc)
{
    long result = SYS_set_thread_area;
    __asm__ volatile("int $0x80" : "+a"(result) : "b"(desc) : "memory");
    return result;
}

/* A flat writable data segment in a free TLS entry (the kernel picks it); -1 when none is left. */
static int allocate_entry(void)
{
    struct user_desc desc = { .entry_number = (unsigned)-1, .base_addr = 0, .limit = 0xfffff, .seg_32bit = 1,
        .limit_in_pages = 1, .useable = 1 };
    return raw_set_thread_area(&desc) == 0 ? (int)desc.entry_number : -1;
}

static struct user_desc cleared(int entry)
{
    struct user_desc desc = { .entry_number = (unsigned)entry, .read_exec_only = 1, .seg_not_present = 1 };
    return desc;
}

/* Loads `selector` into fs, then makes the call set_thread_area(desc) and returns fs as the call left it. */
static unsigned fs_after_set_thread_area(unsigned selector, struct user_desc* desc, long* result)
{
    unsigned after;
    long number = SYS_set_thread_area;
    __asm__ volatile("mov %[sel], %%fs\n\t"
                     "int $0x80\n\t"
                     "mov %%fs, %[after]"
                     : [after] "=&r"(after), "+a"(number)
                     : [sel] "r"(selector), "b"(desc)
                     : "memory");
    *result = number;
    return after;
}

/* The same with gs, which musl's own TLS uses: it is put back before any C code runs. */
static unsigned gs_after_set_thread_area(unsigned selector, struct user_desc* desc, long* result)
{
    unsigned after, saved;
    long number = SYS_set_thread_area;
    __asm__ volatile("mov %%gs, %[saved]\n\t"
                     "mov %[sel], %%gs\n\t"
                     "int $0x80\n\t"
                     "mov %%gs, %[after]\n\t"
                     "mov %[saved], %%gs"
                     : [after] "=&r"(after), [saved] "=&r"(saved), "+a"(number)
                     : [sel] "r"(selector), "b"(desc)
                     : "memory");
    *result = number;
    return after;
}

static volatile unsigned wanted_fs, wanted_gs;
static volatile int set_gs, wanted_ds;

/* A plain handler's sigcontext follows its argument (Linux's struct sigframe); sigreturn reads it back. */
static void plain_handler(int signal)
{
    uintptr_t address = (uintptr_t)&signal + sizeof(signal);
    __asm__("" : "+r"(address)); /* past the argument: the compiler must not reason about it */
    volatile struct sigcontext* context = (volatile struct sigcontext*)address;
    context->fs = (unsigned short)wanted_fs;
    if (set_gs)
        context->gs = (unsigned short)wanted_gs;
}

static void info_handler(int signal, siginfo_t* info, void* ucontext)
{
    (void)signal;
    (void)info;
    ucontext_t* context = ucontext;
    context->uc_mcontext.gregs[REG_FS] = (int)wanted_fs;
    if (set_gs)
        context->uc_mcontext.gregs[REG_GS] = (int)wanted_gs;
    if (wanted_ds) {
        context->uc_mcontext.gregs[REG_DS] = wanted_ds;
        context->uc_mcontext.gregs[REG_ES] = wanted_ds;
    }
}

/* Sends itself `signal` with a raw tkill and returns fs and gs as the handler's sigreturn left them. */
static void segments_after_signal(int signal, unsigned* fs, unsigned* gs)
{
    long number = SYS_tkill;
    unsigned saved, fs_after, gs_after;
    int tid = (int)syscall(SYS_gettid);
    __asm__ volatile("mov %%gs, %[saved]\n\t"
                     "int $0x80\n\t"
                     "mov %%fs, %[fs]\n\t"
                     "mov %%gs, %[gs]\n\t"
                     "mov %[saved], %%gs"
                     : [fs] "=&r"(fs_after), [gs] "=&r"(gs_after), [saved] "=&r"(saved), "+a"(number)
                     : "b"(tid), "c"(signal)
                     : "memory");
    *fs = fs_after;
    *gs = gs_after;
}

static void install(int signal, int siginfo)
{
    struct sigaction action = { 0 };
    if (siginfo) {
        action.sa_sigaction = info_handler;
        action.sa_flags = SA_SIGINFO;
    } else {
        action.sa_handler = plain_handler;
    }
    sigaction(signal, &action, NULL);
}

/* Through sigreturn (plain handler, SIGUSR1) and rt_sigreturn (SA_SIGINFO, SIGUSR2): fs and gs as restored. */
static int restored_as(unsigned selector, unsigned expected, int through_gs)
{
    int good = 1;
    for (int siginfo = 0; siginfo < 2; ++siginfo) {
        int signal = siginfo ? SIGUSR2 : SIGUSR1;
        install(signal, siginfo);
        wanted_fs = selector;
        wanted_gs = selector;
        set_gs = through_gs;
        unsigned fs, gs;
        segments_after_signal(signal, &fs, &gs);
        if ((fs & 0xffff) != expected || (through_gs && (gs & 0xffff) != expected)) {
            printf("# selector %#x through %s: fs=%#x gs=%#x, wanted %#x\n", selector,
                siginfo ? "rt_sigreturn" : "sigreturn", fs & 0xffff, gs & 0xffff, expected);
            good = 0;
        }
    }
    return good;
}

/* Waits for `child` for at most `seconds`, killing it past that; its wait status, or -1 if it hung. */
static int reap_within(pid_t child, int seconds)
{
    for (int waited = 0; waited < seconds * 100; ++waited) {
        int status;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            return status;
        struct timespec tick = { 0, 10 * 1000 * 1000 };
        nanosleep(&tick, NULL);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return -1;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int signal)
{
    (void)signal;
    alarms++;
}

/* A child whose stack is garbage makes sigreturn or rt_sigreturn: it dies of a signal, or exits, or runs on
 * into its own code; the kernel restores what it is given, sanitised, and carries on. */
static void garbage_sigreturn(unsigned seed, int rt)
{
    static uint32_t garbage[512];
    for (int i = 0; i < 512; ++i) {
        seed = seed * 1103515245u + 12345u;
        garbage[i] = seed ^ (seed >> 7) ^ ((uint32_t)i << 24);
    }
    alarm(2);
    long number = rt ? SYS_rt_sigreturn : SYS_sigreturn;
    __asm__ volatile("mov %0, %%esp\n\t"
                     "int $0x80\n\t"
                     :
                     : "r"(&garbage[128]), "a"(number)
                     : "memory");
    _exit(0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int entry = allocate_entry();
    CHECK("tls_entry_allocated", entry >= 6 && entry <= 8);
    unsigned selector = selector_of(entry);

    /* A TLS entry cleared while fs holds it: fs comes back as 0, the call succeeds. */
    struct user_desc clear = cleared(entry);
    long result = -1;
    unsigned fs = fs_after_set_thread_area(selector, &clear, &result);
    CHECK("cleared_entry_in_fs_loads_null", result == 0 && (fs & 0xffff) == 0);

    /* The same for gs. */
    CHECK("entry_reallocated", allocate_entry() == entry);
    clear = cleared(entry);
    unsigned gs = gs_after_set_thread_area(selector, &clear, &result);
    CHECK("cleared_entry_in_gs_loads_null", result == 0 && (gs & 0xffff) == 0);

    /* Not present rather than empty: refused (Linux's tls_desc_okay), the entry and fs left as they were. */
    CHECK("entry_reallocated_again", allocate_entry() == entry);
    struct user_desc absent = { .entry_number = (unsigned)entry, .limit = 0xfffff, .seg_32bit = 1,
        .limit_in_pages = 1, .seg_not_present = 1 };
    struct user_desc flat = { .entry_number = (unsigned)entry, .limit = 0xfffff, .seg_32bit = 1,
        .limit_in_pages = 1, .useable = 1 };
    fs = fs_after_set_thread_area(selector, &absent, &result);
    CHECK("not_present_entry_refused", result == -EINVAL && (fs & 0xffff) == selector);
    clear = cleared(entry);
    CHECK("entry_cleared", raw_set_thread_area(&clear) == 0);

    /* get_thread_area reports a cleared entry as empty. */
    struct user_desc read_back = { .entry_number = (unsigned)entry };
    CHECK("get_thread_area_cleared_entry", syscall(SYS_get_thread_area, &read_back) == 0
            && read_back.base_addr == 0 && read_back.limit == 0 && read_back.seg_not_present
            && read_back.read_exec_only);

    /* Selectors coming back from a signal frame. The entry is empty now. */
    CHECK("sigreturn_empty_tls_selector_null", restored_as(selector, 0, 1));
    CHECK("sigreturn_kernel_data_selector_null", restored_as(kKernelDataRpl3, 0, 1));
    CHECK("sigreturn_ldt_selector_null", restored_as(kLdtSelector, 0, 1));
    CHECK("sigreturn_garbage_selector_null", restored_as(0xfffc, 0, 1));
    CHECK("sigreturn_user_data_selector_kept", restored_as(kUserData, kUserData, 1));
    CHECK("entry_allocated_for_sigreturn", allocate_entry() == entry);
    CHECK("sigreturn_live_tls_selector_kept", restored_as(selector, selector, 0));
    clear = cleared(entry);
    CHECK("entry_cleared_after_sigreturn", raw_set_thread_area(&clear) == 0);

    /* Timer signals land while a cleared selector is live in the frame: delivery saves it, the handler's
     * return and sigreturn restore it, and each time it becomes 0. */
    struct sigaction on_timer = { 0 };
    on_timer.sa_handler = on_alarm;
    sigaction(SIGALRM, &on_timer, NULL);
    struct itimerval every_ms = { { 0, 1000 }, { 0, 1000 } };
    setitimer(ITIMER_REAL, &every_ms, NULL);
    int all_null = 1, rounds = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        if (raw_set_thread_area(&flat) != 0)
            all_null = 0;
        clear = cleared(entry);
        if ((fs_after_set_thread_area(selector, &clear, &result) & 0xffff) != 0 || result != 0)
            all_null = 0;
        rounds++;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < 2 && rounds < 20000);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    printf("# %d rounds, %d timer signals\n", rounds, (int)alarms);
    CHECK("signals_during_cleared_selector_survive", all_null && alarms > 0);

    /* User code loading an unusable selector itself faults in user mode: SIGSEGV for it alone. */
    pid_t child = fork();
    if (child == 0) {
        unsigned bad = selector;
        __asm__ volatile("mov %0, %%fs" : : "r"(bad));
        _exit(0);
    }
    int status = reap_within(child, 5);
    CHECK("user_load_of_bad_selector_segv", status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

    /* A bad data segment through sigreturn, in a child: Linux loads it as 0 and the child then faults; a
     * kernel may instead give it a usable one. Either way the child ends and the kernel goes on. */
    child = fork();
    if (child == 0) {
        wanted_ds = kKernelDataRpl3;
        struct sigaction action = { 0 };
        action.sa_sigaction = info_handler;
        action.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &action, NULL);
        raise(SIGUSR1);
        _exit(0);
    }
    status = reap_within(child, 5);
    CHECK("bad_ds_through_rt_sigreturn_child_ends",
        status != -1 && (WIFEXITED(status) || WTERMSIG(status) == SIGSEGV));

    int ended = 0, total = 0;
    for (unsigned seed = 1; seed <= 200; ++seed) {
        child = fork();
        if (child == 0)
            garbage_sigreturn(seed, seed & 1);
        total++;
        if (reap_within(child, 5) != -1)
            ended++;
    }
    printf("# %d of %d garbage sigreturn children ended by themselves\n", ended, total);
    CHECK("garbage_sigreturn_children_end", ended == total);

    /* After all that, ordinary work still works. */
    child = fork();
    if (child == 0)
        _exit(42);
    status = reap_within(child, 5);
    CHECK("fork_after_hostile_frames", status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 42);
    return check_summary();
}
