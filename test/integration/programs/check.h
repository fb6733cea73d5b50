/* One line per check, as the integration harness reads them: "ok NAME" or "not ok NAME why". */
#ifndef CADENZA_CHECK_H
#define CADENZA_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(name, condition)                                                                                 \
    do {                                                                                                       \
        if (condition) {                                                                                       \
            printf("ok %s\n", name);                                                                           \
        } else {                                                                                               \
            printf("not ok %s (%s; errno %d %s)\n", name, #condition, errno, strerror(errno));                 \
            check_failures++;                                                                                  \
        }                                                                                                      \
        fflush(stdout);                                                                                        \
    } while (0)

/* A system call's failure with a given errno: the call returns -1 and sets errno. */
#define CHECK_ERRNO(name, call, expected)                                                                      \
    do {                                                                                                       \
        errno = 0;                                                                                             \
        long result_ = (long)(call);                                                                           \
        int errno_ = errno;                                                                                    \
        if (result_ == -1 && errno_ == (expected)) {                                                           \
            printf("ok %s\n", name);                                                                           \
        } else {                                                                                               \
            printf("not ok %s (%s gave %ld, errno %d %s; wanted errno %d)\n", name, #call, result_, errno_,    \
                strerror(errno_), expected);                                                                   \
            check_failures++;                                                                                  \
        }                                                                                                      \
        fflush(stdout);                                                                                        \
    } while (0)

static int check_summary(void)
{
    printf("checks done: %d not ok\n", check_failures);
    return check_failures ? 1 : 0;
}

#endif
