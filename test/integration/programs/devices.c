/* The memory devices and getrandom: /dev/null, /dev/zero, /dev/full, /dev/urandom and /dev/random through
 * devtmpfs on /dev, and getrandom's flags. /dev is whatever boot mounted; if it has no null node, the program
 * mounts devtmpfs itself, and failing that makes the nodes it needs with mknod. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "check.h"

static void random_calls(void)
{
    unsigned char a[32] = { 0 }, b[32] = { 0 };
    CHECK("getrandom_fills", getrandom(a, sizeof(a), 0) == (ssize_t)sizeof(a));
    CHECK("getrandom_nonblock", getrandom(b, sizeof(b), GRND_NONBLOCK) == (ssize_t)sizeof(b));
    CHECK("getrandom_reads_differ", memcmp(a, b, sizeof(a)) != 0);
    CHECK("getrandom_random_flag", getrandom(b, 16, GRND_RANDOM) == 16);
    CHECK_ERRNO("getrandom_bad_flags", getrandom(b, 16, 0x40), EINVAL);
    CHECK_ERRNO("getrandom_efault", getrandom((void*)8, 16, 0), EFAULT);
    static unsigned char big[100000];
    CHECK("getrandom_large", getrandom(big, sizeof(big), 0) == (ssize_t)sizeof(big));
}

/* The path of a device node to use: /dev's, or one made here. NULL (with a "not ok") when there is none. */
static const char* node(const char* name, unsigned minor)
{
    static char path[64];
    snprintf(path, sizeof(path), "/dev/%s", name);
    struct stat st;
    if (stat(path, &st) == 0)
        return path;
    snprintf(path, sizeof(path), "/devices_%s", name);
    unlink(path);
    if (mknod(path, S_IFCHR | 0666, makedev(1, minor)) == 0)
        return path;
    printf("not ok node_%s (no /dev/%s and mknod failed: errno %d %s)\n", name, name, errno, strerror(errno));
    check_failures++;
    return NULL;
}

static int open_node(const char* name, unsigned minor, int flags)
{
    const char* path = node(name, minor);
    return path ? open(path, flags) : -1;
}

static void devices(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0 && errno == ENOSYS) {
        printf("skip devices (open is not implemented in this tree)\n");
        return;
    }
    if (fd < 0) {
        /* No devfs on /dev yet: mount one if the type is there; else node() makes nodes with mknod. */
        mkdir("/dev", 0755);
        if (mount("none", "/dev", "devtmpfs", 0, NULL) == 0)
            printf("mounted devtmpfs on /dev\n");
    } else {
        close(fd);
    }
    char buffer[256];

    fd = open_node("null", 3, O_RDWR);
    CHECK("null_read_eof", fd >= 0 && read(fd, buffer, sizeof(buffer)) == 0);
    CHECK("null_write_swallows", write(fd, "anything", 8) == 8);
    close(fd);

    fd = open_node("zero", 5, O_RDWR);
    memset(buffer, 0x55, sizeof(buffer));
    int zeros = fd >= 0 && read(fd, buffer, sizeof(buffer)) == (ssize_t)sizeof(buffer);
    for (size_t i = 0; zeros && i < sizeof(buffer); ++i)
        zeros = buffer[i] == 0;
    CHECK("zero_reads_zeros", zeros);
    CHECK("zero_write_swallows", write(fd, buffer, 10) == 10);
    close(fd);

    fd = open_node("full", 7, O_RDWR);
    buffer[0] = 1;
    CHECK("full_reads_zeros", fd >= 0 && read(fd, buffer, 16) == 16 && buffer[0] == 0);
    CHECK_ERRNO("full_write_enospc", write(fd, "x", 1), ENOSPC);
    close(fd);

    unsigned char a[32], b[32];
    fd = open_node("urandom", 9, O_RDONLY);
    CHECK("urandom_reads", fd >= 0 && read(fd, a, sizeof(a)) == 32 && read(fd, b, sizeof(b)) == 32);
    CHECK("urandom_reads_differ", memcmp(a, b, sizeof(a)) != 0);
    close(fd);
    fd = open_node("random", 8, O_RDWR);
    CHECK("random_reads", fd >= 0 && read(fd, a, sizeof(a)) == 32);
    CHECK("random_write_mixes", write(fd, "more entropy", 12) == 12);
    close(fd);
}

int main(void)
{
    random_calls();
    devices();
    return check_summary();
}
