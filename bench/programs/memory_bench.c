/* Memory benchmarks run as a user program on Cadenza and on Linux in the same QEMU. Times are read with rdtsc
 * so both kernels are measured by the same clock; each figure is printed as "name value unit", or "name n/a"
 * when the kernel lacks what it needs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define PAGE 4096

static char* map(size_t bytes) { return mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); }

int main(void)
{
    /* Demand-zero faults: the first write to each page of a fresh mapping. */
    const size_t bytes = 16u << 20;
    char* memory = map(bytes);
    if (memory == MAP_FAILED) {
        printf("pagefault_cycles n/a\n");
        return 1;
    }
    uint64_t start = cycles();
    for (size_t i = 0; i < bytes; i += PAGE)
        memory[i] = 1;
    uint64_t fault = (cycles() - start) / (bytes / PAGE);
    printf("pagefault_cycles %llu cycles\n", (unsigned long long)fault);

    /* Touching pages already present, for scale: the loop's own cost. */
    start = cycles();
    for (size_t i = 0; i < bytes; i += PAGE)
        memory[i] = 2;
    printf("touch_present_cycles %llu cycles\n", (unsigned long long)((cycles() - start) / (bytes / PAGE)));

    /* fork with 16 MiB touched: copy-on-write keeps it to page-table work. A program's first fork pays once
     * for code paths run for the first time (under TCG, their translation) and is a figure of its own;
     * fork_16mib is the median of five forks after it, each child exiting at once. */
    enum { kForks = 6 };
    uint64_t forks[kForks];
    for (int i = 0; i < kForks; ++i) {
        start = cycles();
        pid_t child = fork();
        if (child == 0)
            _exit(0);
        if (child < 0) {
            printf("fork_16mib_cycles n/a\n");
            return 1;
        }
        forks[i] = cycles() - start;
        int status;
        waitpid(child, &status, 0);
    }
    printf("fork_first_16mib_cycles %llu cycles\n", (unsigned long long)forks[0]);
    for (int i = 1; i < kForks; ++i) /* insertion sort of the five after the first */
        for (int j = i; j > 1 && forks[j] < forks[j - 1]; --j) {
            uint64_t swap = forks[j];
            forks[j] = forks[j - 1];
            forks[j - 1] = swap;
        }
    printf("fork_16mib_cycles %llu cycles\n", (unsigned long long)forks[1 + (kForks - 1) / 2]);
    munmap(memory, bytes);
    return 0;
}
