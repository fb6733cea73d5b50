/* execve of dynamically linked programs, from a static one: the programs of dynamic_linked.c (a PIE and a
 * -no-pie build) run and pass their own checks, a program whose interpreter is missing is ENOENT from execve,
 * and the loader runs as a command of its own (ld-musl-i386.so.1 with no program prints its usage; with one,
 * it runs it, which needs mmap of files). The initramfs holds them under /bin and musl under /lib, laid out as
 * Debian's musl:i386 does (/lib/ld-musl-i386.so.1 a symlink to i386-linux-musl/libc.so). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "run_output.h"

static const char *const kLoader = "/lib/ld-musl-i386.so.1";

/* Runs argv[0] with argv in a child, its standard output and error into `output`; its wait status. */
static int run(char *const argv[], char *output, size_t size) { return run_output(argv, NULL, output, size); }

static int exited_with(int status, int code) { return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code; }

/* Whether a file can be mapped: musl's loader maps the program it is asked to run. */
int main(void)
{
    static char output[16384];

    char *pie[] = { "/bin/dynamic_linked", "one", NULL };
    int status = run(pie, output, sizeof(output));
    CHECK("dynamic_pie_runs", exited_with(status, 0) && strstr(output, "checks done: 0 not ok"));
    if (!exited_with(status, 0))
        printf("# its output:\n%s", output);

    char *fixed[] = { "/bin/dynamic_linked_nopie", "one", NULL };
    status = run(fixed, output, sizeof(output));
    CHECK("dynamic_nopie_runs", exited_with(status, 0) && strstr(output, "checks done: 0 not ok"));
    if (!exited_with(status, 0))
        printf("# its output:\n%s", output);

    char *missing[] = { "/bin/dynamic_missing_interp", NULL };
    CHECK_ERRNO("missing_interpreter_enoent", execve(missing[0], missing, environ), ENOENT);

    char *usage[] = { (char *)kLoader, NULL };
    status = run(usage, output, sizeof(output));
    CHECK("loader_alone_prints_usage", exited_with(status, 1) && strstr(output, "Dynamic Program Loader"));

    /* The loader maps the program itself with mmap of the file. */
    char *loaded[] = { (char *)kLoader, "/bin/dynamic_linked", "loaded", NULL };
    status = run(loaded, output, sizeof(output));
    CHECK("loader_runs_program", exited_with(status, 0) && strstr(output, "checks done: 0 not ok"));
    if (!exited_with(status, 0))
        printf("# its output:\n%s", output);
    char *library[] = { "/bin/dynamic_uses_library", NULL };
    status = run(library, output, sizeof(output));
    CHECK("program_with_own_library_runs", exited_with(status, 0) && strstr(output, "checks done: 0 not ok"));
    if (!exited_with(status, 0))
        printf("# its output:\n%s", output);
    return check_summary();
}
