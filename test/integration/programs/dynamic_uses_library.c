/* Linked against the tests' own libcadenza_test.so (in /lib), which musl's loader finds, maps with mmap of
 * the file, relocates and initialises; then the same library again through dlopen, and a missing one. */
#include <dlfcn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern int library_counter;
int library_constructed(void);
int library_bump(void);
int library_zeros_are_zero(void);
const char *library_greeting(void);

int main(void)
{
    CHECK("library_constructor_ran", library_constructed() == 1);
    CHECK("library_text_runs", strcmp(library_greeting(), "hello from a shared library") == 0);
    CHECK("library_data_initialised", library_counter == 41);
    CHECK("library_data_writable", library_bump() == 42 && library_counter == 42);
    CHECK("library_bss_zero", library_zeros_are_zero());

    /* A forked child's writes to the library's data stay its own. */
    pid_t child = fork();
    if (child == 0)
        _exit(library_bump() == 43 ? 0 : 1);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("library_data_private_after_fork", WIFEXITED(status) && WEXITSTATUS(status) == 0 && library_counter == 42);

    void *handle = dlopen("libcadenza_test.so", RTLD_NOW);
    CHECK("dlopen_finds_library", handle != NULL);
    int (*bump)(void) = handle ? (int (*)(void))dlsym(handle, "library_bump") : NULL;
    CHECK("dlsym_same_library", bump == library_bump && bump() == 43);
    CHECK("dlopen_missing_fails", dlopen("libmissing.so", RTLD_NOW) == NULL && dlerror() != NULL);
    return check_summary();
}
