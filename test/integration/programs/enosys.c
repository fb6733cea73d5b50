/* A system call that is not implemented gets ENOSYS (and the kernel logs its name). */
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    CHECK_ERRNO("acct_enosys", syscall(SYS_acct, 0), ENOSYS);
    CHECK_ERRNO("unknown_number_enosys", syscall(1000), ENOSYS);
    return check_summary();
}
