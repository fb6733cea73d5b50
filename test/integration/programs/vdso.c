/* The vDSO (AT_SYSINFO_EHDR): a well-formed shared object whose dynamic symbols, found here by hand as musl's
 * and glibc's lookups do, are five of Linux's i386 exports with Linux's versions (the entry LINUX_2.5, the clock
 * functions LINUX_2.6); its clock functions agree with
 * the system calls (realtime within a few ms and following clock_settime at once, monotonic never going back
 * over interleaved reads), hand what they do not keep to the kernel (CPU time, an invalid clock's -EINVAL),
 * and its pages cannot be written; it is there after fork and exec. */
#define _GNU_SOURCE
#include <elf.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

struct timespec32 {
    int32_t tv_sec, tv_nsec;
};
struct timespec64 {
    int64_t tv_sec, tv_nsec;
};
struct timeval32 {
    int32_t tv_sec, tv_usec;
};

typedef int (*ClockGettime32)(clockid_t, struct timespec32 *);
typedef int (*ClockGettime64)(clockid_t, struct timespec64 *);
typedef int (*Gettimeofday)(struct timeval32 *, struct timezone *);
typedef int32_t (*Time)(int32_t *);

static const char *const kExports[] = { "__kernel_vsyscall", "__vdso_clock_gettime", "__vdso_clock_gettime64",
    "__vdso_gettimeofday", "__vdso_time" };
static const char *const kVersions[] = { "LINUX_2.5", "LINUX_2.6", "LINUX_2.6", "LINUX_2.6", "LINUX_2.6" };
enum { kExportCount = 5 };
static void *g_symbols[kExportCount];

/* Finds each export in the dynamic symbol table through DT_HASH's symbol count, checking its type, binding
 * and version; returns how many were found right. */
static int find_exports(uintptr_t ehdr_address)
{
    const Elf32_Ehdr *ehdr = (const Elf32_Ehdr *)ehdr_address;
    if (memcmp(ehdr->e_ident, ELFMAG, SELFMAG) != 0 || ehdr->e_type != ET_DYN || ehdr->e_machine != EM_386)
        return -1;
    const Elf32_Phdr *phdr = (const Elf32_Phdr *)(ehdr_address + ehdr->e_phoff);
    uintptr_t base = 0;
    const Elf32_Dyn *dynamic = NULL;
    int loads = 0;
    for (int i = 0; i < ehdr->e_phnum; ++i) {
        if (phdr[i].p_type == PT_LOAD) {
            base = ehdr_address + phdr[i].p_offset - phdr[i].p_vaddr;
            loads++;
            if (phdr[i].p_flags & PF_W)
                return -2;
        } else if (phdr[i].p_type == PT_DYNAMIC) {
            dynamic = (const Elf32_Dyn *)(ehdr_address + phdr[i].p_offset);
        }
    }
    if (loads != 1 || !dynamic)
        return -3;
    const Elf32_Word *hash = NULL;
    const Elf32_Sym *symbols = NULL;
    const char *strings = NULL;
    const Elf32_Versym *versym = NULL;
    const Elf32_Verdef *verdef = NULL;
    int gnu_hash = 0;
    for (const Elf32_Dyn *d = dynamic; d->d_tag != DT_NULL; ++d) {
        switch (d->d_tag) {
        case DT_HASH: hash = (const Elf32_Word *)(base + d->d_un.d_ptr); break;
        case DT_GNU_HASH: gnu_hash = 1; break;
        case DT_SYMTAB: symbols = (const Elf32_Sym *)(base + d->d_un.d_ptr); break;
        case DT_STRTAB: strings = (const char *)(base + d->d_un.d_ptr); break;
        case DT_VERSYM: versym = (const Elf32_Versym *)(base + d->d_un.d_ptr); break;
        case DT_VERDEF: verdef = (const Elf32_Verdef *)(base + d->d_un.d_ptr); break;
        case DT_REL: case DT_RELA: case DT_JMPREL: case DT_TEXTREL: case DT_NEEDED: return -4;
        }
    }
    if (!hash || !gnu_hash || !symbols || !strings || !versym || !verdef)
        return -5;
    int found = 0;
    for (Elf32_Word i = 0; i < hash[1]; ++i) {
        for (int e = 0; e < kExportCount; ++e) {
            if (strcmp(strings + symbols[i].st_name, kExports[e]) != 0)
                continue;
            if (ELF32_ST_TYPE(symbols[i].st_info) != STT_FUNC || ELF32_ST_BIND(symbols[i].st_info) != STB_GLOBAL
                || symbols[i].st_shndx == SHN_UNDEF)
                continue;
            const char *version = NULL;
            const Elf32_Verdef *v = verdef;
            for (;;) {
                if (v->vd_ndx == (versym[i] & 0x7FFF))
                    version = strings + ((const Elf32_Verdaux *)((const char *)v + v->vd_aux))->vda_name;
                if (!v->vd_next)
                    break;
                v = (const Elf32_Verdef *)((const char *)v + v->vd_next);
            }
            if (version && strcmp(version, kVersions[e]) == 0) {
                g_symbols[e] = (void *)(base + symbols[i].st_value);
                found++;
            }
        }
    }
    return found;
}

/* A call through the vDSO's own __kernel_vsyscall (what AT_SYSINFO names when the CPU has sysenter; an int 0x80
 * without it): every register but eax survives. */
static long vsyscall0(void *entry, long number)
{
    long result;
    __asm__ volatile("call *%1" : "=a"(result) : "r"(entry), "a"(number) : "memory", "cc");
    return result;
}

static int64_t ns64(struct timespec64 t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }
static int64_t ns32(struct timespec32 t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

static int64_t syscall_ns(clockid_t clock)
{
    struct timespec64 t;
    if (syscall(SYS_clock_gettime64, clock, &t) != 0)
        return -1;
    return ns64(t);
}

static int64_t vdso_ns(clockid_t clock)
{
    struct timespec64 t;
    if (((ClockGettime64)g_symbols[2])(clock, &t) != 0)
        return -1;
    return ns64(t);
}

/* syscall, then vDSO, then syscall: the vDSO's reading lies between, within `slack_ns` of them. */
static int between(clockid_t clock, int64_t slack_ns)
{
    int64_t before = syscall_ns(clock), mine = vdso_ns(clock), after = syscall_ns(clock);
    return before >= 0 && mine >= before - slack_ns && mine <= after + slack_ns && after - before < 5000000;
}

/* 10,000 reads of CLOCK_MONOTONIC alternating between the vDSO (both widths), the system call (both widths)
 * and musl's clock_gettime: none is earlier than the one before. */
static int monotonic_interleaved(void)
{
    int64_t last = 0;
    for (int i = 0; i < 10000; ++i) {
        int64_t now;
        struct timespec32 t32;
        struct timespec ts;
        switch (i % 5) {
        case 0: now = vdso_ns(CLOCK_MONOTONIC); break;
        case 1: now = syscall_ns(CLOCK_MONOTONIC); break;
        case 2:
            now = ((ClockGettime32)g_symbols[1])(CLOCK_MONOTONIC, &t32) == 0 ? ns32(t32) : -1;
            break;
        case 3: now = syscall(SYS_clock_gettime32, CLOCK_MONOTONIC, &t32) == 0 ? ns32(t32) : -1; break;
        default: now = clock_gettime(CLOCK_MONOTONIC, &ts) == 0 ? ts.tv_sec * 1000000000ll + ts.tv_nsec : -1;
        }
        if (now < last) {
            printf("monotonic went back at read %d (kind %d): %lld after %lld\n", i, i % 5, (long long)now,
                (long long)last);
            return 0;
        }
        last = now;
    }
    return 1;
}

static int write_faults(volatile char *where)
{
    pid_t child = fork();
    if (child == 0) {
        *where = 0;
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* What a freshly started process checks (after exec): the vDSO is found and its clock runs. */
static int fresh_process_check(void)
{
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    return ehdr && find_exports(ehdr) == kExportCount && between(CLOCK_MONOTONIC, 1000000);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
        return fresh_process_check() ? 0 : 1;

    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    CHECK("sysinfo_ehdr_present", ehdr != 0 && ehdr % 4096 == 0);
    if (!ehdr)
        return check_summary();
    int found = find_exports(ehdr);
    CHECK("all_exports_with_linux_versions", found == kExportCount);
    if (found != kExportCount) {
        printf("find_exports: %d\n", found);
        return check_summary();
    }
    uintptr_t sysinfo = getauxval(AT_SYSINFO);
    CHECK("sysinfo_is_kernel_vsyscall", sysinfo == 0 || sysinfo == (uintptr_t)g_symbols[0]);

    CHECK("kernel_vsyscall_getpid", vsyscall0(g_symbols[0], SYS_getpid) == getpid());

    ClockGettime32 gettime32 = (ClockGettime32)g_symbols[1];
    ClockGettime64 gettime64 = (ClockGettime64)g_symbols[2];
    Gettimeofday gettimeofday_vdso = (Gettimeofday)g_symbols[3];
    Time time_vdso = (Time)g_symbols[4];

    CHECK("realtime64_matches_syscall", between(CLOCK_REALTIME, 1000000));
    CHECK("monotonic64_matches_syscall", between(CLOCK_MONOTONIC, 0));
    CHECK("realtime_coarse_matches_syscall", between(CLOCK_REALTIME_COARSE, 5000000));
    CHECK("monotonic_coarse_matches_syscall", between(CLOCK_MONOTONIC_COARSE, 5000000));
    CHECK("boottime_matches_syscall", between(CLOCK_BOOTTIME, 5000000));
    struct timespec32 t32;
    struct timespec64 t64;
    CHECK("realtime32_matches_syscall", gettime32(CLOCK_REALTIME, &t32) == 0 && t32.tv_nsec >= 0
            && t32.tv_nsec < 1000000000 && llabs(ns32(t32) - syscall_ns(CLOCK_REALTIME)) < 5000000);
    CHECK("monotonic_interleaved_10000", monotonic_interleaved());

    /* What the vDSO does not keep goes to the kernel, whose answer it returns raw. */
    CHECK("process_cputime_falls_back", gettime64(CLOCK_PROCESS_CPUTIME_ID, &t64) == 0 && t64.tv_sec >= 0
            && t64.tv_sec < 600 && t64.tv_nsec >= 0 && t64.tv_nsec < 1000000000);
    CHECK("process_cputime32_falls_back", gettime32(CLOCK_PROCESS_CPUTIME_ID, &t32) == 0 && t32.tv_sec >= 0
            && t32.tv_nsec >= 0 && t32.tv_nsec < 1000000000);
    CHECK("invalid_clock_einval", gettime64(1000, &t64) == -EINVAL && gettime32(1000, &t32) == -EINVAL);

    struct timeval32 tv;
    struct timezone zone = { 123, 456 };
    CHECK("gettimeofday_null_zone", gettimeofday_vdso(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000
            && llabs(tv.tv_sec * 1000000000ll + tv.tv_usec * 1000ll - syscall_ns(CLOCK_REALTIME)) < 5000000);
    CHECK("gettimeofday_zone", gettimeofday_vdso(&tv, &zone) == 0 && zone.tz_minuteswest == 0);
    CHECK("gettimeofday_nothing", gettimeofday_vdso(NULL, NULL) == 0);
    int32_t stored = 0;
    int32_t seconds = time_vdso(NULL);
    CHECK("time_null", llabs(seconds - syscall_ns(CLOCK_REALTIME) / 1000000000) <= 1);
    CHECK("time_stores", time_vdso(&stored) == stored && llabs(stored - seconds) <= 1);

    /* musl looks the clock up itself (AT_SYSINFO_EHDR): its answer lies between the vDSO's. */
    struct timespec musl;
    int64_t before = vdso_ns(CLOCK_MONOTONIC);
    clock_gettime(CLOCK_MONOTONIC, &musl);
    int64_t after = vdso_ns(CLOCK_MONOTONIC);
    int64_t musl_ns = musl.tv_sec * 1000000000ll + musl.tv_nsec;
    CHECK("musl_clock_gettime_agrees", before <= musl_ns && musl_ns <= after);

    /* Setting the wall clock moves the vDSO's at once; then back. */
    struct timespec64 saved;
    int64_t start_mono = syscall_ns(CLOCK_MONOTONIC);
    syscall(SYS_clock_gettime64, CLOCK_REALTIME, &saved);
    struct timespec64 later = { saved.tv_sec + 100000, saved.tv_nsec };
    if (syscall(SYS_clock_settime64, CLOCK_REALTIME, &later) == 0) {
        int64_t moved = vdso_ns(CLOCK_REALTIME) - ns64(saved);
        CHECK("settime_followed_at_once", moved >= 100000 * 1000000000ll && moved < 100001 * 1000000000ll);
        struct timeval32 set = { (int32_t)saved.tv_sec + 200000, 0 };
        syscall(SYS_settimeofday_time32, &set, NULL);
        CHECK("settimeofday_followed_at_once", llabs(time_vdso(NULL) - set.tv_sec) <= 1);
        saved.tv_nsec += syscall_ns(CLOCK_MONOTONIC) - start_mono; /* the time that went by meanwhile */
        saved.tv_sec += saved.tv_nsec / 1000000000;
        saved.tv_nsec %= 1000000000;
        syscall(SYS_clock_settime64, CLOCK_REALTIME, &saved);
        CHECK("settime_back", llabs(vdso_ns(CLOCK_REALTIME) - ns64(saved)) < 1000000000ll);
    } else {
        CHECK("settime_permitted", 0);
    }

    /* System calls read the vDSO as any user memory (glibc's ld.so --list writes its name from there); a
     * read into it is EFAULT. */
    int fds[2];
    char echoed[64] = { 0 };
    struct iovec piece = { (void *)ehdr, 16 };
    CHECK("write_from_vdso", pipe(fds) == 0 && write(fds[1], (const void *)ehdr, 64) == 64
        && read(fds[0], echoed, 64) == 64 && memcmp(echoed, (const void *)ehdr, 64) == 0);
    CHECK("writev_from_vdso", writev(fds[1], &piece, 1) == 16 && read(fds[0], echoed, 16) == 16
        && memcmp(echoed, "\177ELF", 4) == 0);
    CHECK("read_into_vdso_efault", write(fds[1], "x", 1) == 1 && read(fds[0], (void *)ehdr, 1) == -1 && errno == EFAULT);
    CHECK("string_past_vdso_efault", access((const char *)(uintptr_t)0xFFFFFFF0u, F_OK) == -1
        && (errno == EFAULT || errno == ENOENT || errno == ENAMETOOLONG));

    CHECK("vdso_not_writable", write_faults((volatile char *)ehdr));
    CHECK("vdso_code_not_writable", write_faults((volatile char *)g_symbols[1]));
    CHECK("clock_page_not_writable", write_faults((volatile char *)(ehdr - 4096)));

    pid_t child = fork();
    if (child == 0)
        _exit(fresh_process_check() && gettime64(CLOCK_REALTIME, &t64) == 0 ? 0 : 1);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK("after_fork", WIFEXITED(status) && WEXITSTATUS(status) == 0);

    child = fork();
    if (child == 0) {
        char *child_argv[] = { argv[0], "exec-child", NULL };
        execv(argv[0], child_argv);
        _exit(127);
    }
    waitpid(child, &status, 0);
    CHECK("after_exec", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return check_summary();
}
