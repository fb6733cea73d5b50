/* The guest system-call fuzzer: forked children make random system calls with hostile arguments (chosen by
 * the argument kinds of syscalls.def, through test/fuzz/syscall_gen.h), each watched by the parent, which
 * kills one that runs past its time; between batches the parent checks that the system still works (fork
 * and exec, pipes, files, signals, memory). Prints "N passed, N failed" for those checks at the end.
 *   fuzz_syscalls [--seconds N] [--seed S] [--calls N] [--child I]
 * --child I replays child I of the seed alone, printing each call before it is made. No fork, clone,
 * kill, mount or reboot is ever chosen: the children must stay children, and the system the parent's. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../fuzz/syscall_gen.h"

/* syscalls.def as data: number, name, and the argument kinds of every implemented call. */
enum {
#define ARG_KIND(name, meaning) name = SG_KIND_##name,
#include "../../../src/syscall/arg_kinds.def"
#undef ARG_KIND
};
struct call_info {
    unsigned number;
    const char* name;
    int implemented;
    unsigned char count;
    unsigned char kinds[6];
};
static const struct call_info calls[] = {
#define SYSCALL(number, name, handler, ...)                                                                            \
    { number, #name, sizeof(#handler) != sizeof("none"), sizeof((unsigned char[]) { 0, __VA_ARGS__ }) - 1,             \
        { __VA_ARGS__ } },
#include "../../../src/syscall/syscalls.def"
#undef SYSCALL
};
#define CALL_COUNT (sizeof(calls) / sizeof(calls[0]))

/* What a child is doing, in memory it shares with the parent, for the report on a child that hangs. */
struct shared {
    volatile uint32_t calls;
    volatile uint32_t number;
    volatile uint32_t args[6];
};

struct rng {
    uint64_t state;
};
static uint32_t rng_next(void* state, uint32_t bound)
{
    struct rng* r = state;
    r->state ^= r->state << 13;
    r->state ^= r->state >> 7;
    r->state ^= r->state << 17;
    uint32_t word = (uint32_t)(r->state >> 16);
    return bound ? word % bound : word;
}
static uint64_t mix(uint64_t seed, uint64_t index)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + index * 0xBF58476D1CE4E5B9ull + 1;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 29) ? x ^ (x >> 29) : 1;
}

static void poke_memory(void* state, uint32_t address, const void* bytes, uint32_t length)
{
    (void)state;
    memcpy((void*)(uintptr_t)address, bytes, length);
}

/* int $0x80 with six arguments: no libc, so a child that breaks its TLS or errno still runs on. */
static long raw_syscall(uint32_t number, const uint32_t* a)
{
    long result;
    const uint32_t* rest = a;
    __asm__ volatile("push %%ebp\n\t"
                     "mov 20(%%edi), %%ebp\n\t"
                     "mov 16(%%edi), %%edi\n\t"
                     "int $0x80\n\t"
                     "pop %%ebp"
                     : "=a"(result), "+D"(rest)
                     : "a"(number), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3])
                     : "memory", "cc");
    return result;
}

/* The same through the kernel's AT_SYSINFO entry (sysenter), when it offers one: both ways in get the hostile
 * arguments. g_sysinfo is read once, before any child can break its memory. */
uint32_t g_sysinfo;
long entry_syscall(uint32_t number, const uint32_t* a);
__asm__(".text\n"
        ".globl entry_syscall\n"
        "entry_syscall:\n"
        "    push %ebp\n"
        "    push %ebx\n"
        "    push %esi\n"
        "    push %edi\n"
        "    mov 20(%esp), %eax\n"
        "    mov 24(%esp), %edi\n"
        "    mov 0(%edi), %ebx\n"
        "    mov 4(%edi), %ecx\n"
        "    mov 8(%edi), %edx\n"
        "    mov 12(%edi), %esi\n"
        "    mov 20(%edi), %ebp\n"
        "    mov 16(%edi), %edi\n"
        "    call *g_sysinfo\n"
        "    pop %edi\n"
        "    pop %esi\n"
        "    pop %ebx\n"
        "    pop %ebp\n"
        "    ret\n");

/* sigreturn and rt_sigreturn read their frame at the stack pointer: make the call on a stack of hostile words.
 * A frame the kernel takes jumps to wherever it says, which ends the child; one it refuses is SIGSEGV. */
static long raw_syscall_on_stack(uint32_t number, uint32_t stack)
{
    long result;
    __asm__ volatile("mov %%esp, %%edi\n\t"
                     "mov %%esi, %%esp\n\t"
                     "int $0x80\n\t"
                     "mov %%edi, %%esp"
                     : "=a"(result)
                     : "a"(number), "S"(stack)
                     : "edi", "memory", "cc");
    return result;
}

/* Loads a selector into fs or gs, as a program may: a bad one faults in user mode (SIGSEGV), a good one stays
 * live while the calls that follow change or clear the descriptor behind it. */
static void load_selector(struct sg_env* env)
{
    static const uint32_t selectors[] = { 0, 0x33, 0x3B, 0x43, 0x7B, 0x23, 0x0F, 0x6B };
    uint32_t selector = SG_PICK(env, selectors);
    if (sg_below(env, 2))
        __asm__ volatile("mov %0, %%fs" : : "r"(selector));
    else
        __asm__ volatile("mov %0, %%gs" : : "r"(selector));
}

static int log_fd = 2; /* the console, kept out of the children's reach */

static void say(const char* format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char* format, ...)
{
    char line[512];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(line, sizeof(line), format, args);
    va_end(args);
    if (length > (int)sizeof(line) - 1)
        length = sizeof(line) - 1;
    if (length > 0)
        (void)!write(log_fd, line, (size_t)length);
}

static const char* name_of(uint32_t number)
{
    for (size_t i = 0; i < CALL_COUNT; ++i)
        if (calls[i].number == number)
            return calls[i].name;
    return "?";
}

static void describe(char* out, size_t size, uint32_t number, const volatile uint32_t* args)
{
    if (number == ~0u) {
        snprintf(out, size, "its set-up");
        return;
    }
    snprintf(out, size, "%s(%#x, %#x, %#x, %#x, %#x, %#x) [%u]", name_of(number), args[0], args[1], args[2], args[3],
        args[4], args[5], number);
}

static const struct call_info* choose(struct sg_env* env)
{
    static const struct call_info* implemented[CALL_COUNT];
    static size_t implemented_count;
    static const struct call_info* any[CALL_COUNT];
    static size_t any_count;
    if (!implemented_count) {
        for (size_t i = 0; i < CALL_COUNT; ++i) {
            if (!sg_allowed(calls[i].name))
                continue;
            any[any_count++] = &calls[i];
            if (calls[i].implemented)
                implemented[implemented_count++] = &calls[i];
        }
    }
    /* One call in sixteen from every number, implemented or not: ENOSYS must be as safe as the rest. */
    if (sg_below(env, 16) == 0)
        return any[sg_below(env, (uint32_t)any_count)];
    return implemented[sg_below(env, (uint32_t)implemented_count)];
}

#define BUFFER_PAGES 16u
/* Children at once, so that one stuck in pause() does not stop the rest; and the time each may take. */
enum { kSlots = 4 };
static const double kWatchdogSeconds = 3.0;

/* A child: its own scratch directory and descriptors, then `count` random calls. Never returns. */
static void run_child(uint64_t seed, unsigned index, unsigned count, volatile struct shared* shared, int verbose)
{
    char directory[64];
    snprintf(directory, sizeof(directory), "/tmp/fuzz/c%u", index);
    if (mkdir(directory, 0755) != 0 || chdir(directory) != 0)
        _exit(100);
    int fd = open("a", O_RDWR | O_CREAT, 0644);
    (void)!write(fd, "hello, fuzzer\n", 14);
    mkdir("d", 0755);
    mkfifo("fifo", 0644);
    symlink("a", "link");
    symlink("d", "dlink");
    /* Standard input and output must not stay the console: an earlier child may have removed /dev/null or
     * made something else of it (as root, it may), so it is used only if it is still the null device, and
     * opened nonblocking in case it is now a FIFO. */
    int null = open("/dev/null", O_RDWR | O_NONBLOCK);
    struct stat null_stat;
    if (null >= 0
        && (fstat(null, &null_stat) != 0 || !S_ISCHR(null_stat.st_mode) || null_stat.st_rdev != makedev(1, 3))) {
        close(null);
        null = -1;
    }
    for (int i = 0; i < 3; ++i) {
        if (null >= 0)
            dup2(null, i);
        else
            close(i);
    }
    if (null > 2)
        close(null);
    int fds[2];
    dup2(fd, 3);
    if (pipe(fds) == 0) {
        dup2(fds[0], 4);
        dup2(fds[1], 5);
    }
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    dup2(dir, 6);
    int zero = open("/dev/zero", O_RDONLY | O_NONBLOCK);
    dup2(zero, 7);
    for (int i = 8; i < 128; ++i) /* the parent's console descriptor among them, unless a replay prints */
        if (i != log_fd || !verbose)
            close(i);

    uint8_t* buffer = mmap(NULL, (BUFFER_PAGES + 1) * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t* read_only = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer == MAP_FAILED || read_only == MAP_FAILED)
        _exit(101);
    munmap(buffer + BUFFER_PAGES * 4096, 4096);

    struct rng rng = { mix(seed, index) };
    struct sg_env env = { rng_next, poke_memory, &rng,
        { (uint32_t)(uintptr_t)buffer, BUFFER_PAGES * 4096, (uint32_t)(uintptr_t)(buffer + BUFFER_PAGES * 4096),
            (uint32_t)(uintptr_t)read_only, getpid(), getppid(), 0 },
        8 };
    /* SIGALRM ends a child in a second unless its calls change that; the parent's watchdog is the backstop. */
    struct itimerval alarm_clock = { { 0, 0 }, { 1, 0 } };
    setitimer(ITIMER_REAL, &alarm_clock, NULL);
    for (unsigned i = 0; i < count; ++i) {
        const struct call_info* call = choose(&env);
        uint32_t args[6];
        sg_arguments(&env, call->kinds, call->implemented ? call->count : 0, args);
        shared->number = call->number;
        for (int k = 0; k < 6; ++k)
            shared->args[k] = args[k];
        if (verbose) {
            char text[160];
            describe(text, sizeof(text), call->number, args);
            say("  %u: %s", i, text);
        }
        if (sg_below(&env, 32) == 0)
            load_selector(&env);
        long result;
        if (call->number == SYS_sigreturn || call->number == SYS_rt_sigreturn)
            result = raw_syscall_on_stack(call->number, sg_hostile_struct(&env, 0) + 64);
        else if (g_sysinfo && sg_below(&env, 2) == 0)
            result = entry_syscall(call->number, args);
        else
            result = raw_syscall(call->number, args);
        if (verbose)
            say(" = %ld\n", result);
        shared->calls++;
    }
    _exit(0);
}

/* Removes `path` and everything under it; a child may have left anything there. */
static void remove_tree(const char* path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0755);
        DIR* dir = opendir(path);
        if (dir) {
            struct dirent* entry;
            while ((entry = readdir(dir))) {
                if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                    continue;
                char child[4096];
                if (snprintf(child, sizeof(child), "%s/%s", path, entry->d_name) < (int)sizeof(child))
                    remove_tree(child);
            }
            closedir(dir);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- health checks: the system must still do the ordinary things --- */

static int passed, failed;
static void health(const char* name, int ok)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        say("not ok health %s (errno %d %s)\n", name, errno, strerror(errno));
    }
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int signal) { usr1_seen = signal; }

static void check_health(const char* self)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "--health", (char*)NULL);
        _exit(127);
    }
    int status = 0;
    health("fork_exec", pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 42);

    int fds[2];
    char bytes[64] = { 0 };
    int ok = pipe(fds) == 0 && write(fds[1], "through a pipe", 15) == 15 && read(fds[0], bytes, sizeof(bytes)) == 15
        && strcmp(bytes, "through a pipe") == 0;
    health("pipe", ok);
    close(fds[0]);
    close(fds[1]);

    int fd = open("/tmp/fuzz-health", O_RDWR | O_CREAT | O_TRUNC, 0600);
    memset(bytes, 0, sizeof(bytes));
    ok = fd >= 0 && write(fd, "in a file", 10) == 10 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, bytes, 64) == 10
        && strcmp(bytes, "in a file") == 0;
    health("file", ok);
    close(fd);
    health("unlink", unlink("/tmp/fuzz-health") == 0);

    struct sigaction action = { 0 };
    action.sa_handler = on_usr1;
    usr1_seen = 0;
    health("signal", sigaction(SIGUSR1, &action, NULL) == 0 && raise(SIGUSR1) == 0 && usr1_seen == SIGUSR1);

    size_t size = 1 << 20;
    uint8_t* memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ok = memory != MAP_FAILED;
    for (size_t i = 0; ok && i < size; i += 4096)
        memory[i] = (uint8_t)i;
    for (size_t i = 0; ok && i < size; i += 4096)
        ok = memory[i] == (uint8_t)i;
    health("memory", ok && munmap(memory, size) == 0);
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "--health") == 0)
        return 42;
    double seconds = 20;
    uint64_t seed = 1;
    unsigned per_child = 100;
    long only = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--calls") == 0)
            per_child = (unsigned)atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--child") == 0)
            only = atol(argv[i + 1]);
    }
    g_sysinfo = (uint32_t)getauxval(AT_SYSINFO);
    log_fd = fcntl(2, F_DUPFD, 100);
    if (log_fd < 0)
        log_fd = 2;
    mkdir("/tmp/fuzz", 0755);
    volatile struct shared* shared
        = mmap(NULL, sizeof(struct shared) * kSlots, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        say("fuzz-syscalls: no shared page (errno %d)\n", errno);
        return 2;
    }
    say("fuzz-syscalls: seed %llu, %u calls per child, %g s%s\n", (unsigned long long)seed, per_child, seconds,
        only >= 0 ? " (one child)" : "");

    double start = now(), last_report = start;
    unsigned started = 0, children = 0, watchdog = 0, by_signal[65] = { 0 };
    unsigned long long calls_made = 0;
    struct running {
        pid_t pid;
        unsigned index;
        double began;
    } slots[kSlots] = { { 0, 0, 0 } };
    unsigned busy = 0;
    int stopping = 0;
    while (busy || !stopping) {
        if (!stopping && (only >= 0 ? started == 1 : now() - start >= seconds))
            stopping = 1;
        /* Start children in the free slots. */
        for (unsigned slot = 0; !stopping && slot < kSlots; ++slot) {
            if (slots[slot].pid || (only >= 0 && started == 1))
                continue;
            unsigned index = only >= 0 ? (unsigned)only : started;
            shared[slot].calls = 0;
            shared[slot].number = ~0u;
            pid_t pid = fork();
            if (pid < 0) {
                health("fork_child", 0);
                stopping = 1;
                break;
            }
            if (pid == 0)
                run_child(seed, index, per_child, &shared[slot], only >= 0);
            slots[slot] = (struct running) { pid, index, now() };
            started++;
            busy++;
        }
        /* Reap what ended; the watchdog kills what ran past its time. */
        struct timespec nap = { 0, 2 * 1000 * 1000 };
        nanosleep(&nap, NULL);
        for (unsigned slot = 0; slot < kSlots; ++slot) {
            if (!slots[slot].pid)
                continue;
            int status = 0;
            pid_t ended = waitpid(slots[slot].pid, &status, WNOHANG);
            if (ended == 0 && now() - slots[slot].began < kWatchdogSeconds)
                continue;
            if (ended == 0) {
                char text[160];
                describe(text, sizeof(text), shared[slot].number, shared[slot].args);
                say("fuzz-syscalls: child %u hung in %s: killed\n", slots[slot].index, text);
                kill(slots[slot].pid, SIGKILL);
                ended = waitpid(slots[slot].pid, &status, 0);
                watchdog++;
            }
            if (ended != slots[slot].pid)
                health("wait_child", 0);
            else if (WIFSIGNALED(status) && WTERMSIG(status) < 65)
                by_signal[WTERMSIG(status)]++;
            else if (WIFEXITED(status) && WEXITSTATUS(status) >= 100)
                health("child_setup", 0);
            calls_made += shared[slot].calls;
            char directory[64];
            snprintf(directory, sizeof(directory), "/tmp/fuzz/c%u", slots[slot].index);
            remove_tree(directory);
            slots[slot].pid = 0;
            busy--;
            if (++children % 50 == 0)
                check_health(argv[0]);
        }
        if (now() - last_report >= 10) {
            last_report = now();
            say("fuzz-syscalls: %u children, %llu calls, %.0f s\n", children, calls_made, last_report - start);
        }
    }
    check_health(argv[0]);
    char endings[256] = "";
    unsigned signalled = 0;
    for (int sig = 1; sig < 65; ++sig) {
        if (!by_signal[sig])
            continue;
        signalled += by_signal[sig];
        size_t used = strlen(endings);
        snprintf(endings + used, sizeof(endings) - used, "%s%s %u", used ? ", " : "", strsignal(sig), by_signal[sig]);
    }
    say("fuzz-syscalls: seed %llu: %llu calls in %u children over %.0f s; %u ended by a signal (%s; %u of them "
        "SIGKILL from the watchdog)\n",
        (unsigned long long)seed, calls_made, children, now() - start, signalled, endings, watchdog);
    say("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
