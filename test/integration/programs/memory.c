/* The memory system calls from user space: mmap, munmap, mprotect, brk, mremap, madvise, mincore, and EFAULT
 * for bad pointers. Readability and writability are probed with system calls that read or write user memory,
 * since a fault in this program would end it (there are no signal handlers yet). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

/* set_thread_area reads 16 bytes before it validates them: EINVAL means readable, EFAULT not. */
static int readable(void* p) { return syscall(SYS_set_thread_area, p) == -1 && errno == EINVAL; }
/* uname writes 390 bytes (at the second half of the page, away from the data checked): 0 means writable. */
static int writable(void* p) { return syscall(SYS_uname, (char*)p + 2048) == 0; }

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char* a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap_anonymous", a != MAP_FAILED && ((uintptr_t)a & (page - 1)) == 0);
    CHECK("mmap_zero_filled", a[0] == 0 && a[4 * page - 1] == 0);
    a[10] = 'x';
    a[page + 10] = 'y';
    CHECK("mmap_write_read", a[10] == 'x' && a[page + 10] == 'y');
    /* Set the entry number to an invalid 3 so set_thread_area fails with EINVAL after reading. */
    ((unsigned*)a)[0] = 3;
    ((unsigned*)(a + page))[0] = 3;
    CHECK("probe_readable", readable(a));

    CHECK("mprotect_read_only", mprotect(a, page, PROT_READ) == 0);
    CHECK("read_only_not_writable", !writable(a) && errno == EFAULT);
    CHECK("read_only_still_readable", readable(a));
    CHECK("mprotect_none", mprotect(a, page, PROT_NONE) == 0 && !readable(a) && errno == EFAULT);
    CHECK("mprotect_back", mprotect(a, page, PROT_READ | PROT_WRITE) == 0 && a[10] == 'x' && writable(a));
    /* musl's mprotect() rounds the address down; the kernel's answer needs the raw call. */
    CHECK_ERRNO("mprotect_unaligned", syscall(SYS_mprotect, a + 1, page, PROT_READ), EINVAL);
    CHECK_ERRNO("mprotect_bad_prot", mprotect(a, page, 0x10), EINVAL);

    CHECK("munmap", munmap(a + page, page) == 0);
    CHECK("munmap_hole_unreadable", !readable(a + page) && errno == EFAULT);
    CHECK("munmap_neighbours_kept", a[10] == 'x' && readable(a + 2 * page));
    CHECK_ERRNO("munmap_unaligned", munmap(a + 1, page), EINVAL);
    CHECK_ERRNO("munmap_zero_length", munmap(a, 0), EINVAL);
    CHECK_ERRNO("mmap_zero_length", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERRNO("mmap_fixed_noreplace", mmap(a, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
        EEXIST);
    CHECK_ERRNO("mmap_no_type", mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);

    char* fixed = mmap(a + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK("mmap_fixed_into_hole", fixed == a + page && fixed[10] == 0);

    char* grown = mremap(a, 4 * page, 64 * page, MREMAP_MAYMOVE);
    CHECK("mremap_grow", grown != MAP_FAILED && grown[10] == 'x' && grown[63 * page] == 0);

    grown[20 * page] = 'z';
    unsigned char residency[64];
    CHECK("mincore", mincore(grown, 64 * page, residency) == 0 && (residency[0] & 1) && (residency[20] & 1)
        && !(residency[30] & 1));
    CHECK("madvise_dontneed", madvise(grown, 64 * page, MADV_DONTNEED) == 0 && grown[20 * page] == 0
        && grown[10] == 0);
    CHECK_ERRNO("madvise_bad_advice", madvise(grown, page, 12345), EINVAL);

    char* shared = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap_shared", shared != MAP_FAILED && shared[0] == 0);

    char* big = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int touched_ok = big != MAP_FAILED;
    for (long i = 0; touched_ok && i < (8 << 20); i += page)
        big[i] = (char)i;
    for (long i = 0; touched_ok && i < (8 << 20); i += page)
        touched_ok = big[i] == (char)i;
    CHECK("demand_paging_8mib", touched_ok);
    CHECK("munmap_8mib", munmap(big, 8 << 20) == 0);

    /* musl's brk() and sbrk(n != 0) refuse on purpose (its malloc does not need them): use the raw call. */
    char* start = (char*)syscall(SYS_brk, 0);
    CHECK("brk_grow", (char*)syscall(SYS_brk, start + 3 * page) == start + 3 * page && start[3 * page - 1] == 0);
    start[100] = 1;
    CHECK("brk_shrink", (char*)syscall(SYS_brk, start) == start && (char*)syscall(SYS_brk, 0) == start);
    CHECK("brk_below_start_refused", (char*)syscall(SYS_brk, start - 1024 * page) == start);

    CHECK_ERRNO("efault_kernel_pointer", write(1, (void*)0xC0000000, 1), EFAULT);
    CHECK_ERRNO("efault_unmapped_pointer", write(1, (void*)0x1000, 1), EFAULT);
    CHECK_ERRNO("efault_uname", uname((struct utsname*)0xC0001000), EFAULT);
    return check_summary();
}
