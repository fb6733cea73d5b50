/* File system benchmarks run as a user program on Cadenza and on Linux in the same QEMU, on a tmpfs (Cadenza's
 * root; on Linux, a tmpfs mounted on /bench-tmp): open+close, stat, small reads and writes, 1 MiB and 16 MiB
 * write and read throughput, pipe throughput and latency, and creating and deleting files in a directory
 * holding 10,000 entries, and faults on a mapped 16 MiB file (a cached page mapped, a private copy made).
 * rdtsc cycles, the same clock on both kernels; "name n/a" when something is missing. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Bytes per million cycles: a throughput on the shared clock (higher is better). */
static void report_rate(const char *name, uint64_t bytes, uint64_t elapsed)
{
    printf("%s %llu bytes_per_mcycle\n", name, (unsigned long long)(bytes * 1000000 / (elapsed ? elapsed : 1)));
    fflush(stdout);
}

static char buffer[1 << 20];

static void throughput(const char *dir, unsigned mib, const char *write_name, const char *read_name)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/big", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("%s n/a\n%s n/a\n", write_name, read_name);
        return;
    }
    memset(buffer, 'b', sizeof(buffer));
    uint64_t start = cycles();
    for (unsigned i = 0; i < mib; ++i)
        if (write(fd, buffer, sizeof(buffer)) != (ssize_t)sizeof(buffer))
            break;
    report_rate(write_name, (uint64_t)mib << 20, cycles() - start);
    lseek(fd, 0, SEEK_SET);
    start = cycles();
    for (unsigned i = 0; i < mib; ++i)
        if (read(fd, buffer, sizeof(buffer)) != (ssize_t)sizeof(buffer))
            break;
    report_rate(read_name, (uint64_t)mib << 20, cycles() - start);
    close(fd);
    unlink(path);
}

/* Faults on a 16 MiB file in the cache: reading a shared mapping maps the cache's pages; writing a private
 * one copies each. Cycles per page. */
static void mapped_file(const char *dir)
{
    enum { kBytes = 16 << 20, kPage = 4096 };
    char path[128];
    snprintf(path, sizeof(path), "%s/mapped", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    memset(buffer, 'm', sizeof(buffer));
    for (int i = 0; fd >= 0 && i < kBytes / (int)sizeof(buffer); ++i)
        if (write(fd, buffer, sizeof(buffer)) != (ssize_t)sizeof(buffer))
            break;
    volatile char *shared = fd < 0 ? MAP_FAILED : mmap(NULL, kBytes, PROT_READ, MAP_SHARED, fd, 0);
    volatile char *private = fd < 0 ? MAP_FAILED : mmap(NULL, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (shared == MAP_FAILED || private == MAP_FAILED) {
        printf("mmap_file_read_fault_cycles n/a\nmmap_file_cow_fault_cycles n/a\n");
    } else {
        unsigned sum = 0;
        uint64_t start = cycles();
        for (int at = 0; at < kBytes; at += kPage)
            sum += shared[at];
        report("mmap_file_read_fault_cycles", cycles() - start, kBytes / kPage);
        start = cycles();
        for (int at = 0; at < kBytes; at += kPage)
            private[at] = (char)sum;
        report("mmap_file_cow_fault_cycles", cycles() - start, kBytes / kPage);
        munmap((void *)shared, kBytes);
        munmap((void *)private, kBytes);
    }
    if (fd >= 0)
        close(fd);
    unlink(path);
}

int main(void)
{
    const char *dir = "/bench-tmp";
    mkdir(dir, 0777);
    mount("tmpfs", dir, "tmpfs", 0, ""); /* Linux: a tmpfs like Cadenza's root; Cadenza: one more tmpfs */
    char path[128];
    snprintf(path, sizeof(path), "%s/file", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("open_close_cycles n/a\n");
        return 1;
    }
    write(fd, "0123456789abcdef", 16);
    close(fd);

    enum { kCalls = 5000 };
    uint64_t start = cycles();
    for (int i = 0; i < kCalls; ++i)
        close(open(path, O_RDONLY));
    report("open_close_cycles", cycles() - start, kCalls);

    struct stat st;
    start = cycles();
    for (int i = 0; i < kCalls; ++i)
        stat(path, &st);
    report("stat_cycles", cycles() - start, kCalls);

    fd = open(path, O_RDWR);
    char small[64];
    start = cycles();
    for (int i = 0; i < kCalls; ++i)
        pread(fd, small, 16, 0);
    report("read_16b_cycles", cycles() - start, kCalls);
    start = cycles();
    for (int i = 0; i < kCalls; ++i)
        pwrite(fd, small, 16, 0);
    report("write_16b_cycles", cycles() - start, kCalls);
    close(fd);

    throughput(dir, 1, "write_1mib_rate", "read_1mib_rate");
    throughput(dir, 16, "write_16mib_rate", "read_16mib_rate");
    mapped_file(dir);

    /* Pipes: 16 MiB through in 64 KiB writes (writer's view), 64 MiB until the reader is done, and a one-byte
     * ping-pong between two processes. */
    int data[2];
    if (pipe(data) == 0) {
        pid_t child = fork();
        if (child == 0) {
            close(data[1]);
            while (read(data[0], buffer, 65536) > 0)
                ;
            _exit(0);
        }
        close(data[0]);
        memset(buffer, 'p', 65536);
        start = cycles();
        for (int i = 0; i < 256; ++i)
            write(data[1], buffer, 65536);
        close(data[1]);
        uint64_t elapsed = cycles() - start;
        report_rate("pipe_16mib_rate", 16u << 20, elapsed);
        int status;
        waitpid(child, &status, 0);

        /* As a new user measures it: 64 MiB in 64 KiB writes, timed until the reader has read it all. */
        int big[2];
        if (pipe(big) == 0) {
            start = cycles();
            child = fork();
            if (child == 0) {
                close(big[1]);
                while (read(big[0], buffer, 65536) > 0)
                    ;
                _exit(0);
            }
            close(big[0]);
            for (int i = 0; i < 1024; ++i)
                if (write(big[1], buffer, 65536) != 65536)
                    break;
            close(big[1]);
            waitpid(child, &status, 0);
            report_rate("pipe_64mib_64k_rate", 64u << 20, cycles() - start);
        } else {
            printf("pipe_64mib_64k_rate n/a\n");
        }

        int ping[2], pong[2];
        pipe(ping);
        pipe(pong);
        enum { kRounds = 2000 };
        child = fork();
        if (child == 0) {
            char byte;
            for (int i = 0; i < kRounds; ++i) {
                read(ping[0], &byte, 1);
                write(pong[1], &byte, 1);
            }
            _exit(0);
        }
        char byte = 'x';
        start = cycles();
        for (int i = 0; i < kRounds; ++i) {
            write(ping[1], &byte, 1);
            read(pong[0], &byte, 1);
        }
        report("pipe_roundtrip_cycles", cycles() - start, kRounds);
        waitpid(child, &status, 0);
    } else {
        printf("pipe_16mib_rate n/a\npipe_64mib_64k_rate n/a\npipe_roundtrip_cycles n/a\n");
    }

    /* A directory of 10,000 files, then 1,000 more created and deleted: the cost must not grow with the size. */
    char name[160];
    snprintf(path, sizeof(path), "%s/many", dir);
    mkdir(path, 0755);
    for (int i = 0; i < 10000; ++i) {
        snprintf(name, sizeof(name), "%s/f%05d", path, i);
        close(open(name, O_WRONLY | O_CREAT, 0644));
    }
    enum { kMore = 1000 };
    start = cycles();
    for (int i = 0; i < kMore; ++i) {
        snprintf(name, sizeof(name), "%s/g%05d", path, i);
        close(open(name, O_WRONLY | O_CREAT, 0644));
    }
    report("create_in_10k_dir_cycles", cycles() - start, kMore);
    start = cycles();
    for (int i = 0; i < kMore; ++i) {
        snprintf(name, sizeof(name), "%s/g%05d", path, i);
        unlink(name);
    }
    report("unlink_in_10k_dir_cycles", cycles() - start, kMore);
    return 0;
}
