/* Floating point in two processes at once: each keeps its own x87 and SSE registers across preemption. */
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* A long dependent chain, so that a switch lands in the middle of it many times. */
static double x87_chain(double seed)
{
    volatile double x = seed;
    for (int i = 0; i < 3000000; ++i)
        x = x * 1.0000001 + 0.5 / (i + 1.0);
    return x;
}

__attribute__((target("sse2"))) static double sse_chain(double seed)
{
    double x = seed;
    for (int i = 0; i < 3000000; ++i) {
        x = x * 1.0000001 + 0.25;
        __asm__ volatile("" : "+x"(x)); /* keep it in an SSE register */
    }
    return x;
}

int main(void)
{
    double expected_a = x87_chain(1.0), expected_b = x87_chain(2.0);
    double expected_sse = sse_chain(3.0);
    pid_t child = fork();
    if (child == 0) {
        int ok = x87_chain(2.0) == expected_b && sse_chain(3.0) == expected_sse;
        _exit(ok ? 0 : 1);
    }
    double mine = x87_chain(1.0);
    double mine_sse = sse_chain(3.0);
    int status;
    CHECK("child_float_unchanged_by_parent", waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 0);
    CHECK("parent_x87_unchanged_by_child", mine == expected_a);
    CHECK("parent_sse_unchanged_by_child", mine_sse == expected_sse);
    printf("x87 %.6f sse %.6f\n", mine, mine_sse);
    return check_summary();
}
