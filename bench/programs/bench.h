/* What the benchmark programs share: one clock for both kernels (rdtsc, read the same way under either) and
 * the "name value unit" line the harness reads. */
#ifndef CADENZA_BENCH_H
#define CADENZA_BENCH_H

#include <stdint.h>
#include <stdio.h>

static inline uint64_t cycles(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

/* The mean of `count` operations that took `total` cycles. */
static inline void report(const char *name, uint64_t total, unsigned count)
{
    printf("%s %llu cycles\n", name, (unsigned long long)(total / count));
    fflush(stdout);
}

#endif
