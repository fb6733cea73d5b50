/* Writes through a wild pointer: the kernel must end this process with SIGSEGV and carry on. */
#include <stdio.h>

int main(void)
{
    printf("about to write through a wild pointer\n");
    fflush(stdout);
    *(volatile int*)0x1234 = 1;
    printf("not ok still running after the wild write\n");
    return 0;
}
