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

    /* fork with 16 MiB touched: copy-on-write keeps it to page-table work. */
    start = cycles();
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    if (child < 0) {
        printf("fork_16mib_cycles n/a\n");
    } else {
        uint64_t forked = cycles() - start;
        int status;
        waitpid(child, &status, 0);
        printf("fork_16mib_cycles %llu cycles\n", (unsigned long long)forked);
    }
    munmap(memory, bytes);
    return 0;
}
