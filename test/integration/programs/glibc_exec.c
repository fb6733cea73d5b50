/* Debian's own dynamically linked i386 programs (bookworm's coreutils, bash, dash, grep, sed, findutils, mawk,
 * diffutils, gzip, tar and procps) run through glibc's loader, /lib/ld-linux.so.2, from a tree unpacked from
 * their packages in Debian's merged /usr layout (tools/fetch-debian-glibc.sh). This static launcher runs each
 * with arguments and input and checks what it prints and how it exits, as a user typing the commands would. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "run_output.h"

static const char kInput[] = "/tmp/glibc/input";
static const char kFox[] = "The quick brown fox jumps over the lazy dog";

static void write_file(const char* path, const char* text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        printf("# cannot write %s: %s\n", path, strerror(errno));
    close(fd);
}

/* Runs argv[0] with argv, `input` (or nothing) on its standard input, its standard output and error into
 * `output`; its wait status. */
static int run(char* const argv[], const char* input, char* output, size_t size)
{
    write_file(kInput, input ? input : "", 0644);
    return run_output(argv, kInput, output, size);
}

/* One check: the command exits with `code` and its output is `want` exactly (or contains it, `exact` 0). */
static void expect(const char* name, char* const argv[], const char* input, int code, const char* want, int exact)
{
    static char output[65536];
    int status = run(argv, input, output, sizeof(output));
    int exited = status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
    int matches = exact ? strcmp(output, want) == 0 : strstr(output, want) != NULL;
    CHECK(name, exited && matches);
    if (!exited || !matches) {
        printf("# %s: status %#x (wanted exit %d), wanted %s \"%s\"; its output:\n%s\n", argv[0], status, code,
            exact ? "exactly" : "a line with", want, output);
    }
}

#define ARGV(...) ((char*[]) { __VA_ARGS__, NULL })

int main(void)
{
    /* What an installed system has and the checks read: the users for ls -l, a few files. */
    mkdir("/tmp/glibc", 0755);
    write_file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/:/bin/false\n", 0644);
    write_file("/etc/group", "root:x:0:\nnogroup:x:65534:\n", 0644);
    write_file("/tmp/glibc/fruit", "cherry\napple\nbanana\napple\n", 0644);
    write_file("/tmp/glibc/script", "#!/bin/bash\necho \"script $# $1\"\nexit 7\n", 0755);

    expect("echo", ARGV("/bin/echo", "hello", "world"), NULL, 0, "hello world\n", 1);
    expect("true", ARGV("/bin/true"), NULL, 0, "", 1);
    expect("false_exits_1", ARGV("/bin/false"), NULL, 1, "", 1);
    expect("ls_la_root", ARGV("/bin/ls", "-la", "/"), NULL, 0, "root root", 0);
    /* ls -l asks each file for its SELinux label and ACL: "none" must not be an error. */
    expect("ls_la_stderr_empty", ARGV("/bin/bash", "-c", "ls -la / /tmp/glibc 2>&1 >/dev/null"), NULL, 0, "", 1);
    expect("ls_shows_merged_usr", ARGV("/bin/ls", "-l", "/"), NULL, 0, " lib -> usr/lib\n", 0);
    expect("ls_missing_exits_2", ARGV("/bin/ls", "/no/such"), NULL, 2,
        "/bin/ls: cannot access '/no/such': No such file or directory\n", 1);
    expect("cat_file", ARGV("/bin/cat", "/tmp/glibc/fruit"), NULL, 0, "cherry\napple\nbanana\napple\n", 1);
    expect("cat_stdin", ARGV("/bin/cat"), "from stdin\n", 0, "from stdin\n", 1);
    expect("sort", ARGV("/usr/bin/sort", "/tmp/glibc/fruit"), NULL, 0, "apple\napple\nbanana\ncherry\n", 1);
    expect("sort_unique_reverse", ARGV("/usr/bin/sort", "-ru"), "b\na\nc\nb\n", 0, "c\nb\na\n", 1);
    expect("wc_l", ARGV("/usr/bin/wc", "-l", "/tmp/glibc/fruit"), NULL, 0, "4 /tmp/glibc/fruit\n", 1);
    expect("md5sum", ARGV("/usr/bin/md5sum"), kFox, 0, "9e107d9d372bb6826bd81d3542a419d6  -\n", 1);
    expect("sha256sum", ARGV("/usr/bin/sha256sum"), kFox, 0,
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592  -\n", 1);
    expect("date_epoch_utc", ARGV("/bin/date", "-d", "@0", "-u"), NULL, 0, "Thu Jan  1 00:00:00 UTC 1970\n", 1);
    expect("stat_format", ARGV("/usr/bin/stat", "-c", "%s %A %U %F", "/tmp/glibc/fruit"), NULL, 0,
        "26 -rw-r--r-- root regular file\n", 1);
    expect("stat_symlink", ARGV("/usr/bin/stat", "-c", "%N", "/lib"), NULL, 0, "'/lib' -> 'usr/lib'\n", 1);
    expect("readlink_f", ARGV("/usr/bin/readlink", "-f", "/lib/ld-linux.so.2"), NULL, 0,
        "/usr/lib/i386-linux-gnu/ld-linux.so.2\n", 1);
    expect("id", ARGV("/usr/bin/id"), NULL, 0, "uid=0(root) gid=0(root) groups=0(root)\n", 1);
    expect("nproc", ARGV("/usr/bin/nproc"), NULL, 0, "1\n", 1); /* sched_getaffinity */
    expect("df_reads_mountinfo", ARGV("/bin/bash", "-c", "df -T / 2>&1 | tail -n 1 | tr -s ' ' | cut -d ' ' -f 1,2"),
        NULL, 0, "rootfs tmpfs\n", 1);
    expect("uname_m", ARGV("/bin/uname", "-m"), NULL, 0, "i686\n", 1);
    expect("head_tail_tr", ARGV("/bin/bash", "-c", "head -c 9 | tail -c 5 | tr a-z A-Z"), kFox, 0, "QUICK", 1);
    expect("seq_sort_numeric", ARGV("/bin/bash", "-c", "seq 1 2000 | sort -rn | head -n 1"), NULL, 0, "2000\n", 1);
    expect("grep", ARGV("/bin/grep", "-n", "an", "/tmp/glibc/fruit"), NULL, 0, "3:banana\n", 1);
    expect("grep_extended_count", ARGV("/bin/grep", "-cE", "^(apple|cherry)$", "/tmp/glibc/fruit"), NULL, 0, "3\n", 1);
    expect("grep_no_match_exits_1", ARGV("/bin/grep", "kiwi", "/tmp/glibc/fruit"), NULL, 1, "", 1);
    expect("sed", ARGV("/bin/sed", "-e", "s/a/A/g", "-e", "2d", "/tmp/glibc/fruit"), NULL, 0, "cherry\nbAnAnA\nApple\n",
        1);
    expect("mawk_sum", ARGV("/usr/bin/mawk", "{ s += $1 } END { print s, NR }"), "1\n2\n3\n4\n", 0, "10 4\n", 1);
    expect("awk_alternative_system", ARGV("/usr/bin/awk", "BEGIN { system(\"echo from sh\"); print 6 * 7 }"), NULL, 0,
        "from sh\n42\n", 1);
    expect("dash_sh", ARGV("/bin/sh", "-c", "x=5; while [ $x -gt 2 ]; do x=$((x - 1)); done; echo $x; exit 4"), NULL, 4,
        "2\n", 1);
    expect("find_exec", ARGV("/usr/bin/find", "/tmp/glibc", "-name", "fruit", "-exec", "wc", "-c", "{}", ";"), NULL, 0,
        "26 /tmp/glibc/fruit\n", 1);
    expect("find_name", ARGV("/usr/bin/find", "/tmp/glibc", "-name", "f*", "-type", "f"), NULL, 0, "/tmp/glibc/fruit\n",
        1);
    expect("xargs", ARGV("/usr/bin/xargs", "-n", "2", "echo"), "a b c d e\n", 0, "a b\nc d\ne\n", 1);
    expect("bash_loop_pipe", ARGV("/bin/bash", "-c", "for i in 1 2 3; do echo $i; done | wc -l"), NULL, 0, "3\n", 1);
    expect("bash_pipeline", ARGV("/bin/bash", "-c", "cat /tmp/glibc/fruit | sort | uniq -c | sort -rn | head -n 1"),
        NULL, 0, "      2 apple\n", 1);
    expect("bash_substitution_arith", ARGV("/bin/bash", "-c", "n=$(wc -l < /tmp/glibc/fruit); echo $((n * 10))"), NULL,
        0, "40\n", 1);
    expect("bash_exit_status", ARGV("/bin/bash", "-c", "false; echo $?; exit 3"), NULL, 3, "1\n", 1);
    expect("bash_background_wait", ARGV("/bin/bash", "-c", "sleep 0.1 & wait $!; echo waited $?"), NULL, 0,
        "waited 0\n", 1);
    /* /dev/fd/N and /dev/stdin of a pipe reach the pipe itself (procfs's links that jump). */
    expect(
        "bash_process_substitution", ARGV("/bin/bash", "-c", "sort -r <(seq 3) | tr '\\n' ' '"), NULL, 0, "3 2 1 ", 1);
    expect("dev_stdin_of_pipe", ARGV("/bin/bash", "-c", "echo piped | cat /dev/stdin"), NULL, 0, "piped\n", 1);
    expect("redirect_to_dev_stdout_pipe", ARGV("/bin/bash", "-c", "echo out > /dev/stdout | cat"), NULL, 0, "out\n", 1);
    /* procps reads /proc as Linux lays it out. */
    expect("ps_finds_child", ARGV("/bin/bash", "-c", "sleep 5 & ps -o comm= -p $!; kill $!"), NULL, 0, "sleep\n", 1);
    expect("pkill_sigterm", ARGV("/bin/bash", "-c", "sleep 5 & pkill -x sleep; wait $!; echo $?"), NULL, 0, "143\n", 1);
    expect("free", ARGV("/usr/bin/free", "-k"), NULL, 0, "\nMem:  ", 0);
    expect(
        "gzip_gunzip_script", ARGV("/bin/bash", "-c", "echo squeezed | gzip -9 | gunzip -c"), NULL, 0, "squeezed\n", 1);
    expect("tar_gzip_round_trip",
        ARGV("/bin/bash", "-c",
            "cd /tmp/glibc && tar -czf t.tgz fruit script && mkdir x && tar -C x -xzf t.tgz && cat x/fruit | wc -l "
            "&& tar -tzf t.tgz && rm -r x t.tgz"),
        NULL, 0, "4\nfruit\nscript\n", 1);
    expect("diff_unified_exits_1",
        ARGV("/bin/bash", "-c", "diff -u /tmp/glibc/fruit <(sort /tmp/glibc/fruit) | tail -n +3"), NULL, 0,
        "@@ -1,4 +1,4 @@\n-cherry\n apple\n-banana\n apple\n+banana\n+cherry\n", 1);
    expect("cmp_differ", ARGV("/usr/bin/cmp", "/tmp/glibc/fruit", "/tmp/glibc/script"), NULL, 1, " differ: ", 0);
    expect("hashbang_script", ARGV("/tmp/glibc/script", "arg"), NULL, 7, "script 1 arg\n", 1);
    expect("files_in_tmp",
        ARGV("/bin/bash", "-c",
            "cd /tmp/glibc && mkdir -p a/b && touch a/b/f && ln -s b a/l && cp a/b/f a/l/g && mv a/b/g a/h "
            "&& rm a/b/f && ls a a/b && rm -r a && test ! -e a && echo gone"),
        NULL, 0, "a:\nb\nh\nl\n\na/b:\ngone\n", 1);
    /* Enough lines that sort sorts in two threads: glibc's pthread_create, clone and futexes. */
    expect("sort_parallel_threads", ARGV("/bin/bash", "-c", "seq 1 30000 | sort --parallel=2 -S 64K -n | md5sum"), NULL,
        0, "0a61f0919f546ce04fc119b028b88a2e  -\n", 1);
    /* glibc's loader as the command: it maps the program itself. */
    expect("ld_linux_runs_true", ARGV("/lib/ld-linux.so.2", "/bin/true"), NULL, 0, "", 1);
    expect("ld_linux_runs_echo", ARGV("/lib/ld-linux.so.2", "/bin/echo", "loaded"), NULL, 0, "loaded\n", 1);
    expect("ld_linux_list", ARGV("/lib/ld-linux.so.2", "--list", "/bin/ls"), NULL, 0,
        "libselinux.so.1 => /lib/i386-linux-gnu/libselinux.so.1 (0x", 0);
    expect("ld_linux_list_libc", ARGV("/lib/ld-linux.so.2", "--list", "/bin/ls"), NULL, 0,
        "libc.so.6 => /lib/i386-linux-gnu/libc.so.6 (0x", 0);
    /* The vDSO, as on Linux: the loader writes its name from the vDSO's own string table. */
    expect("ld_linux_list_vdso", ARGV("/lib/ld-linux.so.2", "--list", "/bin/true"), NULL, 0,
        "linux-gate.so.1 (0xffffe000)", 0);
    return check_summary();
}
