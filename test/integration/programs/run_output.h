/* Running a program in a child with its standard output and error captured, for the launchers of dynamically
 * linked programs (dynamic_exec.c, glibc_exec.c). */
#ifndef CADENZA_RUN_OUTPUT_H
#define CADENZA_RUN_OUTPUT_H

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Runs argv[0] with argv, the file `input` (or the launcher's own) on its standard input, its standard output
 * and error into `output` (NUL-terminated); returns its wait status, -1 when no pipe could be had. */
static int run_output(char *const argv[], const char *input, char *output, size_t size)
{
    int ends[2];
    if (pipe(ends) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        if (input) {
            int in = open(input, O_RDONLY);
            dup2(in, 0);
        }
        dup2(ends[1], 1);
        dup2(ends[1], 2);
        close(ends[0]);
        execve(argv[0], argv, environ);
        _exit(100 + errno);
    }
    close(ends[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < size && (got = read(ends[0], output + used, size - 1 - used)) > 0)
        used += (size_t)got;
    output[used] = '\0';
    close(ends[0]);
    int status = -1;
    waitpid(child, &status, 0);
    return status;
}

#endif
