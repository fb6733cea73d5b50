/* Exits with the status given as its argument, and says so first: for `./cadenza exec`'s status pass-through. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d\n", status);
    return status;
}
