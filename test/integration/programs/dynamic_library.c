/* libcadenza_test.so: a shared library of the tests' own, loaded by dynamic_uses_library at start and again
 * through dlopen. Its text, data, .bss and a constructor each need the loader's file mappings to be right. */
int library_counter = 41;   /* .data: a private copy per process, written below */
static char library_zeros[8192]; /* .bss, past the file's data: must read as zeros */
static int constructed;

__attribute__((constructor)) static void library_start(void) { constructed = 1; }

int library_constructed(void) { return constructed; }

int library_bump(void) { return ++library_counter; }

int library_zeros_are_zero(void)
{
    for (unsigned i = 0; i < sizeof(library_zeros); ++i) {
        if (library_zeros[i])
            return 0;
    }
    library_zeros[100] = 1; /* writable */
    return 1;
}

const char *library_greeting(void) { return "hello from a shared library"; }
