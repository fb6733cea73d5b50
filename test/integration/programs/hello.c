/* The first process: arguments, environment, auxiliary vector, identity and TLS, as musl sees them. */
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

static __thread int thread_local_value = 42;

int main(int argc, char** argv, char** envp)
{
    printf("hello from %s\n", argv[0]);
    CHECK("argc", argc == 3);
    CHECK("argv", argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two") == 0 && argv[3] == NULL);
    CHECK("envp_home", getenv("HOME") && strcmp(getenv("HOME"), "/") == 0);
    CHECK("envp_term", envp[0] != NULL && getenv("TERM") && strcmp(getenv("TERM"), "linux") == 0);
    CHECK("auxv_pagesz", getauxval(AT_PAGESZ) == 4096);
    CHECK("auxv_random", getauxval(AT_RANDOM) != 0);
    CHECK("auxv_execfn", getauxval(AT_EXECFN) && strcmp((const char*)getauxval(AT_EXECFN), argv[0]) == 0);
    CHECK("auxv_platform", getauxval(AT_PLATFORM) && strcmp((const char*)getauxval(AT_PLATFORM), "i686") == 0);
    CHECK("auxv_phent", getauxval(AT_PHENT) == 32);
    CHECK("auxv_entry", getauxval(AT_ENTRY) != 0);
    CHECK("auxv_hwcap_has_fpu_and_tsc", (getauxval(AT_HWCAP) & 0x11) == 0x11); /* CPUID.1:EDX FPU, TSC */
    CHECK("getpid", getpid() == 1);
    CHECK("getppid", getppid() == 0);
    CHECK("getuid", getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
    struct utsname name;
    CHECK("uname", uname(&name) == 0 && strcmp(name.sysname, "Linux") == 0 && strcmp(name.machine, "i686") == 0);
    CHECK("tls_initial_value", thread_local_value == 42);
    thread_local_value = 7;
    CHECK("tls_write", thread_local_value == 7);
    errno = 0;
    CHECK("errno_is_thread_local", write(99, "x", 1) == -1 && errno == EBADF);
    char* text = malloc(100);
    CHECK("malloc", text != NULL);
    strcpy(text, "heap");
    CHECK("malloc_use", strcmp(text, "heap") == 0);
    free(text);
    return check_summary();
}
