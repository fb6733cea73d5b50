/* A program linked dynamically against musl (built without -static: PT_INTERP names /lib/ld-musl-i386.so.1,
 * which is libc.so itself): the kernel loads the loader beside it, the loader finds the program through the
 * auxiliary vector, relocates both and runs main. Built twice, as a PIE and as -no-pie. Checks that what the
 * loader was told is right (AT_BASE, AT_ENTRY, AT_PHDR) and that libc, resolved through the PLT and GOT, works:
 * stdio, malloc from brk and from mmap, errno and thread-local storage, threads, fork. Run by the loader as a
 * command (ld-musl-i386.so.1 PROGRAM loaded), the kernel's auxiliary vector describes the loader, so only
 * libc is checked. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern void _start(void);
extern const Elf32_Ehdr __ehdr_start; /* the linker's name for the program's own ELF header */

static __thread int thread_value = 5;

static void *thread_main(void *argument)
{
    thread_value += 10; /* the thread's own copy */
    *(int *)argument = thread_value;
    return argument;
}

/* The program's own headers, as AT_PHDR shows them, and its load bias from PT_PHDR. */
static const Elf32_Phdr *find_header(const Elf32_Phdr *headers, unsigned long count, unsigned type)
{
    for (unsigned long i = 0; i < count; ++i)
        if (headers[i].p_type == type)
            return &headers[i];
    return NULL;
}

int main(int argc, char **argv);

/* What the kernel told the loader about the program and about itself. */
static void check_auxv(unsigned long base, unsigned long entry, unsigned long phdr, unsigned long phnum, int *stack)
{
    const Elf32_Phdr *headers = (const Elf32_Phdr *)phdr;
    const Elf32_Phdr *self = find_header(headers, phnum, PT_PHDR);
    const Elf32_Phdr *interp = find_header(headers, phnum, PT_INTERP);
    unsigned long bias = self ? phdr - self->p_vaddr : 0;
    const Elf32_Ehdr *loader = (const Elf32_Ehdr *)base;
    CHECK("at_entry_is_start", entry == (unsigned long)&_start);
    CHECK("at_phdr_follows_own_header", phdr == (unsigned long)&__ehdr_start + __ehdr_start.e_phoff);
    CHECK("at_phent", getauxval(AT_PHENT) == sizeof(Elf32_Phdr));
    CHECK("at_phdr_has_pt_phdr", self != NULL && bias % 4096 == 0);
    CHECK("pt_interp_names_musl",
        interp && strcmp((const char *)(bias + interp->p_vaddr), "/lib/ld-musl-i386.so.1") == 0);
    /* A PIE goes at ELF_ET_DYN_BASE (0x400000 on i386; above it with ASLR); -no-pie at its link address. */
    CHECK("program_placed", __ehdr_start.e_type == ET_DYN ? bias >= 0x400000 : bias == 0);
    CHECK("at_base_is_the_loader", base && base % 4096 == 0 && memcmp(loader->e_ident, ELFMAG, SELFMAG) == 0
            && loader->e_type == ET_DYN);
    CHECK("loader_between_program_and_stack", base > (unsigned long)&main && base < (unsigned long)stack);
    CHECK("at_execfn", getauxval(AT_EXECFN) && strstr((const char *)getauxval(AT_EXECFN), "dynamic_linked"));
}

int main(int argc, char **argv)
{
    int local = 0;
    CHECK("argv_passed", argc == 2 && (strcmp(argv[1], "one") == 0 || strcmp(argv[1], "loaded") == 0));
    if (argc == 2 && strcmp(argv[1], "one") == 0)
        check_auxv(getauxval(AT_BASE), getauxval(AT_ENTRY), getauxval(AT_PHDR), getauxval(AT_PHNUM), &local);
    /* libc through the PLT: the symbol the loader resolved is libc's own. */
    CHECK("dlsym_finds_libc_strlen", dlsym(RTLD_DEFAULT, "strlen") == (void *)strlen);
    char text[64];
    snprintf(text, sizeof(text), "%d-%s-%.2f", 42, "dyn", 1.5);
    CHECK("snprintf", strcmp(text, "42-dyn-1.50") == 0);
    char *small = malloc(100), *large = malloc(4 << 20);
    CHECK("malloc_small_and_large", small && large);
    if (large) {
        memset(large, 0xA5, 4 << 20);
        CHECK("large_block_usable", large[(4 << 20) - 1] == (char)0xA5);
    }
    free(small);
    free(large);
    CHECK_ERRNO("errno_is_thread_local", open("/no/such/file", O_RDONLY), ENOENT);

    int from_thread = 0;
    pthread_t thread;
    void *result = NULL;
    CHECK("thread_runs", pthread_create(&thread, NULL, thread_main, &from_thread) == 0
            && pthread_join(thread, &result) == 0 && result == &from_thread);
    CHECK("tls_per_thread", from_thread == 15 && thread_value == 5);

    pid_t child = fork();
    if (child == 0)
        _exit(strlen(argv[0]) ? 7 : 1);
    int status = 0;
    CHECK("fork_child_exits", child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status)
            && WEXITSTATUS(status) == 7);
    return check_summary();
}
