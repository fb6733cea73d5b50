/* The system-call entry the kernel offers in AT_SYSINFO (__kernel_vsyscall, entering by sysenter): calls
 * through it see the same results as int 0x80, six arguments arrive, registers survive, a call interrupted by
 * a signal restarts or fails with EINTR as the handler asks, and a hostile sysenter (a bad stack, the trap flag
 * set) ends in a signal for the program or nothing at all, never in a kernel crash; the flags survive the way
 * back (sysexit when the frame allows it). The same checks pass on Linux, whose vDSO provides the entry. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

uintptr_t g_entry; /* not static: the asm helpers name it */

/* A call through the entry with all six arguments, as musl's syscall stubs make it: block[] holds the number,
 * the arguments and the entry's address (all six registers are taken, so an asm helper loads them). */
long entry_call_block(const long* block);
__asm__(".text\n"
        ".globl entry_call_block\n"
        "entry_call_block:\n"
        "    push %ebp\n"
        "    push %ebx\n"
        "    push %esi\n"
        "    push %edi\n"
        "    mov 20(%esp), %eax\n"
        "    push 28(%eax)\n"
        "    mov 4(%eax), %ebx\n"
        "    mov 8(%eax), %ecx\n"
        "    mov 12(%eax), %edx\n"
        "    mov 16(%eax), %esi\n"
        "    mov 20(%eax), %edi\n"
        "    mov 24(%eax), %ebp\n"
        "    mov 0(%eax), %eax\n"
        "    call *(%esp)\n"
        "    add $4, %esp\n"
        "    pop %edi\n"
        "    pop %esi\n"
        "    pop %ebx\n"
        "    pop %ebp\n"
        "    ret\n");

static long entry_call(long number, long a, long b, long c, long d, long e, long f)
{
    long block[8] = { number, a, b, c, d, e, f, (long)g_entry };
    return entry_call_block(block);
}

/* Calls getppid through the entry with in[] in ebx, ecx, edx, esi, edi, ebp and stores what those registers
 * hold afterwards in out[]. */
void registers_after_call(const long* in, long* out);
__asm__(".text\n"
        ".globl registers_after_call\n"
        "registers_after_call:\n"
        "    push %ebp\n"
        "    push %ebx\n"
        "    push %esi\n"
        "    push %edi\n"
        "    mov 20(%esp), %eax\n"
        "    mov 0(%eax), %ebx\n"
        "    mov 4(%eax), %ecx\n"
        "    mov 8(%eax), %edx\n"
        "    mov 12(%eax), %esi\n"
        "    mov 16(%eax), %edi\n"
        "    mov 20(%eax), %ebp\n"
        "    mov $64, %eax\n" /* SYS_getppid */
        "    call *g_entry\n"
        "    push %ebp\n"
        "    mov 28(%esp), %ebp\n" /* out: 4 pushes, the return address, in, then out; one more push */
        "    mov %ebx, 0(%ebp)\n"
        "    mov %ecx, 4(%ebp)\n"
        "    mov %edx, 8(%ebp)\n"
        "    mov %esi, 12(%ebp)\n"
        "    mov %edi, 16(%ebp)\n"
        "    pop %eax\n"
        "    mov %eax, 20(%ebp)\n"
        "    pop %edi\n"
        "    pop %esi\n"
        "    pop %ebx\n"
        "    pop %ebp\n"
        "    ret\n");

static void on_alarm(int signal) { (void)signal; }

static void arm_timer_ms(int ms)
{
    struct itimerval timer = { { 0, 0 }, { 0, ms * 1000 } };
    setitimer(ITIMER_REAL, &timer, NULL);
}

/* A read through the entry that a SIGALRM interrupts: the writer child sends one byte after 300 ms. */
static long interrupted_read(int restart)
{
    struct sigaction action = { 0 };
    action.sa_handler = on_alarm;
    action.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &action, NULL);
    int fds[2];
    if (pipe(fds) != 0)
        return -1000;
    pid_t writer = fork();
    if (writer == 0) {
        usleep(300 * 1000);
        (void)!write(fds[1], "x", 1);
        _exit(0);
    }
    arm_timer_ms(50);
    char byte = 0;
    long got = entry_call(SYS_read, fds[0], (long)&byte, 1, 0, 0, 0);
    waitpid(writer, NULL, 0);
    close(fds[0]);
    close(fds[1]);
    return got == 1 && byte == 'x' ? 1 : got;
}

/* sysenter with ebp (the user stack the entry reads the sixth argument from) at `stack`: the child cannot come
 * back through the entry's pops, and ends by a signal; the kernel must be unharmed. */
static int hostile_sysenter_signal(uintptr_t stack)
{
    pid_t child = fork();
    if (child == 0) {
        __asm__ volatile("mov %0, %%ebp\n\t"
                         "mov %%ebp, %%esp\n\t"
                         "sysenter"
                         :
                         : "r"(stack), "a"(SYS_getpid)
                         : "memory");
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

static volatile int g_traps;
static void on_trap(int signal) { (void)signal; g_traps++; }

/* The trap flag set across a call through the entry: single-step traps in user mode, the call's result right. */
static int trap_flag_call(void)
{
    pid_t child = fork();
    if (child == 0) {
        signal(SIGTRAP, on_trap);
        long result;
        __asm__ volatile("pushf\n\t"
                         "orl $0x100, (%%esp)\n\t"
                         "popf\n\t"
                         "call *%[entry]\n\t"
                         "pushf\n\t"
                         "andl $~0x100, (%%esp)\n\t"
                         "popf"
                         : "=a"(result)
                         : "a"(SYS_getpid), [entry] "m"(g_entry)
                         : "memory", "cc");
        _exit(result == getpid() && g_traps > 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* The flags a call through the entry returns with (the way back is sysexit where the frame allows it, iret
 * otherwise): the arithmetic flags and DF set before the call come back as they went in. */
static unsigned flags_after_call(unsigned flags)
{
    long result;
    unsigned after;
    __asm__ volatile("push %[flags]\n\t"
                     "popf\n\t"
                     "call *%[entry]\n\t"
                     "pushf\n\t"
                     "pop %[after]\n\t"
                     "cld"
                     : "=a"(result), [after] "=&r"(after)
                     : "a"(SYS_getppid), [flags] "r"(flags), [entry] "m"(g_entry)
                     : "memory", "cc");
    return result == getppid() ? after : ~0u;
}

static int flags_survive(void)
{
    const unsigned kArithmetic = 0x8D5, kDirection = 0x400;
    const unsigned bits[] = { 0x1, 0x4, 0x10, 0x40, 0x80, 0x800 };
    for (unsigned pattern = 0; pattern < 128; ++pattern) {
        unsigned flags = 0x202;
        for (int b = 0; b < 6; ++b)
            if (pattern & (1u << b))
                flags |= bits[b];
        if (pattern & 64)
            flags |= kDirection; /* not what the C ABI calls with: the iret way */
        unsigned after = flags_after_call(flags);
        if ((after & (kArithmetic | kDirection)) != (flags & (kArithmetic | kDirection))) {
            printf("flags %#x came back as %#x\n", flags, after);
            return 0;
        }
    }
    return 1;
}

int main(void)
{
    g_entry = getauxval(AT_SYSINFO);
    CHECK("sysinfo_present", g_entry != 0);
    if (!g_entry)
        return check_summary();

    uintptr_t vdso = getauxval(AT_SYSINFO_EHDR);
    CHECK("entry_in_vdso", vdso && g_entry > vdso && g_entry - vdso < 8192);
    CHECK("flags_survive_the_way_back", flags_survive());
    CHECK("getpid_matches_int80", entry_call(SYS_getpid, 0, 0, 0, 0, 0, 0) == syscall(SYS_getpid));
    CHECK("bad_fd_is_ebadf", entry_call(SYS_close, 12345, 0, 0, 0, 0, 0) == -EBADF);
    CHECK("unknown_call_is_enosys", entry_call(1000, 0, 0, 0, 0, 0, 0) == -ENOSYS);

    /* futex's sixth argument is FUTEX_WAKE_BITSET's bitset, and an empty one is EINVAL. */
    static int word;
    enum { kFutexWakeBitset = 10 };
    CHECK("sixth_argument_zero_bitset_einval", entry_call(SYS_futex, (long)&word, kFutexWakeBitset, 1, 0, 0, 0) == -EINVAL);
    CHECK("sixth_argument_full_bitset_wakes_none", entry_call(SYS_futex, (long)&word, kFutexWakeBitset, 1, 0, 0, -1) == 0);

    /* Every register but eax comes back as it went in. */
    long in[6] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666 }, out[6];
    registers_after_call(in, out);
    CHECK("registers_preserved", memcmp(in, out, sizeof(in)) == 0);

    CHECK("sa_restart_read_restarts", interrupted_read(1) == 1);
    CHECK("plain_handler_read_eintr", interrupted_read(0) == -EINTR);

    CHECK("kernel_stack_pointer_segv", hostile_sysenter_signal(0xC0000000u) == SIGSEGV);
    CHECK("unmapped_stack_pointer_segv", hostile_sysenter_signal(0x1000) == SIGSEGV);
    CHECK("trap_flag_through_entry", trap_flag_call() == 0);
    CHECK("still_works_after", entry_call(SYS_getpid, 0, 0, 0, 0, 0, 0) == getpid());
    return check_summary();
}
