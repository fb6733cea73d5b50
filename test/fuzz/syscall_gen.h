/* The system-call fuzzers' generator of hostile arguments, shared by the guest program
 * (test/integration/programs/fuzz_syscalls.c, static musl) and the host target (test/fuzz/syscalls.cpp).
 * Each argument gets a value chosen by its kind in syscalls.def (src/syscall/arg_kinds.def): descriptors
 * near the ones a process has, paths that collide, lengths around page and signedness edges, flags with
 * stray bits, and for every pointer NULL, the kernel half, an unmapped page, a read-only page, the last
 * bytes before a guard page or a real buffer, with the structure behind it (iovec, timespec, argv) filled
 * in with hostile values of its own. Written in the common subset of C and C++. */
#ifndef CADENZA_SYSCALL_GEN_H
#define CADENZA_SYSCALL_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum sg_kind {
#define ARG_KIND(name, meaning) SG_KIND_##name,
#include "../../src/syscall/arg_kinds.def"
#undef ARG_KIND
    SG_KIND_COUNT
};

/* Where the generator's pointers point, in the calling process. `buffer` is read-write and ends at the
 * unmapped page `guard`; its first kSgStructBytes hold one slot per argument for the structures the
 * generator writes. */
#define SG_SLOT_BYTES 512u
#define SG_STRUCT_BYTES (6u * SG_SLOT_BYTES)
#define SG_LONG_PATH_BYTES 4400u
#define SG_MIN_BUFFER (SG_STRUCT_BYTES + SG_LONG_PATH_BYTES + 4096u)
struct sg_layout {
    uint32_t buffer, buffer_size; /* buffer_size >= SG_MIN_BUFFER, the end is `guard` */
    uint32_t guard; /* unmapped */
    uint32_t read_only; /* one readable page the process may not write */
    int32_t pid, parent; /* the caller's own pid and its parent's */
    int32_t child; /* a pid the caller may wait for, or 0 */
};

/* A source of random numbers below a bound (0: any 32-bit word; the host: the fuzzer's bytes, as few as the
 * bound needs, zero once they run out) and a way to write user memory (the guest: memcpy; the host:
 * copy_to_user). */
struct sg_env {
    uint32_t (*next)(void* state, uint32_t bound);
    void (*poke)(void* state, uint32_t address, const void* bytes, uint32_t length);
    void* state;
    struct sg_layout layout;
    int fd_high; /* one above the highest descriptor the process is likely to have */
};

static inline uint32_t sg_word(struct sg_env* e) { return e->next(e->state, 0); }
static inline uint32_t sg_below(struct sg_env* e, uint32_t n) { return n > 1 ? e->next(e->state, n) % n : 0; }
static inline uint32_t sg_pick(struct sg_env* e, const uint32_t* values, uint32_t count)
{
    return values[sg_below(e, count)];
}
#define SG_PICK(e, array) sg_pick((e), (array), (uint32_t)(sizeof(array) / sizeof((array)[0])))

/* Calls the fuzzers never make: the callers must stay children (no new processes, no signals to others, no
 * change to what every process sees), and end when their calls are done. */
static const char* const sg_never[] = { "fork", "vfork", "clone", "clone3", "kill", "tkill", "tgkill",
    "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal", "mount", "umount", "umount2", "move_mount", "fsmount",
    "reboot", "exit", "exit_group", "kexec_load", "init_module", "finit_module", "delete_module", "swapon", "swapoff" };
static inline int sg_allowed(const char* name)
{
    for (size_t i = 0; i < sizeof(sg_never) / sizeof(sg_never[0]); ++i)
        if (strcmp(name, sg_never[i]) == 0)
            return 0;
    return 1;
}

/* Names that collide: the process's scratch directory is its working directory. */
static const char* const sg_paths[] = { "a", "b", "d", "d/a", "d/..", "d/d/a", "fifo", "link", "dlink", ".", "..", "",
    "/", "/tmp", "/proc", "/proc/self/status", "/proc/self/maps", "/proc/self/fd/0", "/proc/self/cwd", "/proc/1/stat",
    "/dev/null", "/dev/zero", "/dev/urandom", "/dev/full", "/nonexistent/a", "a/", "d//a", "./d/../a", "/tmp/../tmp/.",
    "\xff\xfe", "-" };
static const char* const sg_strings[] = { "tmpfs", "proc", "devtmpfs", "none", "ext2", "", "x", "a=b", "HOME=/" };

/* A user address of memory the call may not be able to use; `size` is what a good pointer must have room for. */
static inline uint32_t sg_bad_pointer(struct sg_env* e, uint32_t size)
{
    const struct sg_layout* l = &e->layout;
    switch (sg_below(e, 8)) {
    case 0:
        return 0;
    case 1:
        return 0xC0000000u + (sg_word(e) & 0x3FFFFFFFu); /* the kernel half */
    case 2:
        return 0xFFFFF000u + (sg_word(e) & 0xFFFu);
    case 3:
        return l->guard + (sg_word(e) & 0xFFFu);
    case 4:
        return l->read_only + (sg_word(e) & 0xFFu);
    case 5:
        return l->guard - 1 - sg_below(e, size ? size : 1); /* runs into the guard page */
    case 6:
        return 1 + sg_below(e, 0xFFFF); /* below any mapping */
    default:
        return sg_word(e);
    }
}

/* A word that a structure in user memory might hold to trouble the kernel: segment selectors (null, GDT and LDT,
 * user and kernel, the TLS entries 6 to 8 at every RPL), small numbers, TLS entry numbers, user and kernel
 * addresses, sign edges, noise. Signal frames and user_desc entries are made of these. */
static inline uint32_t sg_hostile_word(struct sg_env* e)
{
    static const uint32_t words[] = { 0, 1, 2, 3, 6, 7, 8, 0x10, 0x18, 0x23, 0x2B, 0x30, 0x33, 0x38, 0x3B, 0x40, 0x43,
        0x4B, 0x60, 0x68, 0x6B, 0x73, 0x7B, 0x0F, 0x07, 0x04, 0xFFFF, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu, 0xFFFFF,
        0x00000246u, 0x00003202u, 0xC0000000u, 0xBFFFFFF0u, 0x08048000u };
    switch (sg_below(e, 4)) {
    case 0:
        return sg_word(e);
    case 1:
        return e->layout.buffer + sg_below(e, e->layout.buffer_size);
    default:
        return SG_PICK(e, words);
    }
}

/* Fills the argument's slot with hostile words and returns it: a structure the call will read. */
static inline uint32_t sg_hostile_struct(struct sg_env* e, unsigned slot)
{
    uint32_t words[SG_SLOT_BYTES / 4];
    for (unsigned i = 0; i < SG_SLOT_BYTES / 4; ++i)
        words[i] = sg_hostile_word(e);
    e->poke(e->state, e->layout.buffer + slot * SG_SLOT_BYTES, words, sizeof(words));
    return e->layout.buffer + slot * SG_SLOT_BYTES;
}

/* A pointer into the data part of the buffer with `size` bytes of room, usually; else a bad one. */
static inline uint32_t sg_data_pointer(struct sg_env* e, uint32_t size)
{
    const struct sg_layout* l = &e->layout;
    if (sg_below(e, 4) == 0)
        return sg_bad_pointer(e, size);
    uint32_t data = l->buffer + SG_STRUCT_BYTES + SG_LONG_PATH_BYTES;
    uint32_t room = l->buffer + l->buffer_size - data;
    if (size >= room)
        return data;
    return data + (sg_below(e, 2) ? 0 : sg_below(e, room - size));
}

static inline uint32_t sg_length(struct sg_env* e)
{
    static const uint32_t lengths[] = { 0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 100, 128, 255, 256, 511, 512, 1023, 4095,
        4096, 4097, 8192, 65535, 65536, 65537, 1u << 20, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFF000u };
    switch (sg_below(e, 4)) {
    case 0:
        return sg_below(e, 300);
    case 1:
        return sg_word(e);
    default:
        return SG_PICK(e, lengths);
    }
}

static inline uint32_t sg_integer(struct sg_env* e)
{
    static const uint32_t integers[] = { 0, 1, 2, 3, 4, 5, 8, 15, 16, 31, 32, 63, 64, 65, 100, 127, 128, 255, 256, 1024,
        4096, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFFFFEu, 0xFFFFFF9Cu /* -100 */ };
    switch (sg_below(e, 3)) {
    case 0:
        return sg_word(e);
    case 1:
        return sg_below(e, 40);
    default:
        return SG_PICK(e, integers);
    }
}

/* Bits: nothing, everything, one, a few of `likely`, or noise. */
static inline uint32_t sg_bits(struct sg_env* e, uint32_t likely)
{
    switch (sg_below(e, 8)) {
    case 0:
        return 0;
    case 1:
        return 0xFFFFFFFFu;
    case 2:
        return 1u << sg_below(e, 32);
    case 3:
        return sg_word(e);
    default:
        return sg_word(e) & likely;
    }
}

static inline uint32_t sg_fd(struct sg_env* e)
{
    static const uint32_t odd[] = { 0xFFFFFFFFu, 0xFFFFFF9Cu, 1023, 1024, 1025, 4096, 65535, 0x7FFFFFFFu, 0x80000000u };
    if (sg_below(e, 8) == 0)
        return SG_PICK(e, odd);
    return sg_below(e, (uint32_t)(e->fd_high > 0 ? e->fd_high + 2 : 8));
}

static inline uint32_t sg_pid(struct sg_env* e)
{
    const struct sg_layout* l = &e->layout;
    uint32_t pids[] = { 0, 1, (uint32_t)l->pid, (uint32_t)l->parent, (uint32_t)l->child, 0xFFFFFFFFu, (uint32_t)-l->pid,
        99999, 0x7FFFFFFFu, 0x80000000u, (uint32_t)l->pid + 1 };
    return sg_below(e, 6) == 0 ? sg_word(e) : SG_PICK(e, pids);
}

/* Writes `length` bytes to the argument's slot and returns its address. */
static inline uint32_t sg_put(struct sg_env* e, unsigned slot, const void* bytes, uint32_t length)
{
    uint32_t at = e->layout.buffer + slot * SG_SLOT_BYTES;
    if (length > SG_SLOT_BYTES)
        length = SG_SLOT_BYTES;
    e->poke(e->state, at, bytes, length);
    return at;
}

static inline uint32_t sg_path(struct sg_env* e, unsigned slot)
{
    const struct sg_layout* l = &e->layout;
    switch (sg_below(e, 12)) {
    case 0:
        return sg_bad_pointer(e, 1);
    case 1: { /* a string with no NUL before the guard page */
        char run[24];
        memset(run, 'a', sizeof(run));
        e->poke(e->state, l->guard - sizeof(run), run, sizeof(run));
        return l->guard - sizeof(run);
    }
    case 2: { /* longer than PATH_MAX, or a name longer than NAME_MAX */
        char name[300];
        uint32_t at = l->buffer + SG_STRUCT_BYTES;
        uint32_t total = sg_below(e, 2) ? SG_LONG_PATH_BYTES - 1 : 256 + sg_below(e, 20);
        memset(name, 'x', sizeof(name));
        for (uint32_t done = 0; done < total; done += sizeof(name)) {
            uint32_t part = total - done < sizeof(name) ? total - done : (uint32_t)sizeof(name);
            if (total > 300)
                name[sizeof(name) - 1] = '/';
            e->poke(e->state, at + done, name, part);
        }
        e->poke(e->state, at + total, "", 1);
        return at;
    }
    default: {
        const char* path = sg_paths[sg_below(e, sizeof(sg_paths) / sizeof(sg_paths[0]))];
        return sg_put(e, slot, path, (uint32_t)strlen(path) + 1);
    }
    }
}

/* A timespec or timeval: mostly short (the fuzzer must not sleep), sometimes invalid. `wide`: 64-bit fields. */
static inline uint32_t sg_time(struct sg_env* e, unsigned slot, uint32_t fraction_limit, int wide)
{
    if (sg_below(e, 5) == 0)
        return sg_bad_pointer(e, wide ? 16 : 8);
    int32_t seconds = 0, fraction = 0;
    switch (sg_below(e, 6)) {
    case 0:
        break; /* zero: poll, don't wait */
    case 1:
        fraction = (int32_t)sg_below(e, fraction_limit / 100);
        break;
    case 2:
        fraction = (int32_t)fraction_limit;
        break; /* one past the largest fraction: EINVAL */
    case 3:
        fraction = -1;
        break;
    case 4:
        seconds = -1;
        break;
    default:
        seconds = (int32_t)sg_word(e);
        fraction = (int32_t)sg_word(e);
        break;
    }
    int32_t fields[4] = { seconds, fraction, 0, 0 };
    if (wide) {
        fields[1] = seconds < 0 ? -1 : 0;
        fields[2] = fraction;
        fields[3] = fraction < 0 ? -1 : 0;
    }
    return sg_put(e, slot, fields, wide ? 16 : 8);
}

/* One argument of kind `kind`, the `slot`th of the call. */
static inline uint32_t sg_argument(struct sg_env* e, unsigned kind, unsigned slot)
{
    const struct sg_layout* l = &e->layout;
    switch ((enum sg_kind)kind) {
    case SG_KIND_Int:
    case SG_KIND_Uint:
        return sg_integer(e);
    case SG_KIND_Flags:
        return sg_bits(e, 0xFFu);
    case SG_KIND_Fd:
        return sg_fd(e);
    case SG_KIND_DirFd:
        return sg_below(e, 2) ? 0xFFFFFF9Cu /* AT_FDCWD */ : sg_fd(e);
    case SG_KIND_Path:
        return sg_path(e, slot);
    case SG_KIND_Str: {
        if (sg_below(e, 6) == 0)
            return sg_bad_pointer(e, 1);
        const char* text = sg_strings[sg_below(e, sizeof(sg_strings) / sizeof(sg_strings[0]))];
        return sg_put(e, slot, text, (uint32_t)strlen(text) + 1);
    }
    case SG_KIND_StrArray: {
        if (sg_below(e, 4) == 0)
            return sg_bad_pointer(e, 16);
        uint32_t strings = l->buffer + slot * SG_SLOT_BYTES + 64;
        uint32_t array[8];
        uint32_t count = sg_below(e, 7);
        e->poke(e->state, strings, "x\0-y\0HOME=/\0", 12);
        for (uint32_t i = 0; i < count; ++i)
            array[i] = sg_below(e, 8) == 0 ? sg_bad_pointer(e, 1) : strings + 2 * sg_below(e, 3);
        array[count] = sg_below(e, 10) == 0 ? strings : 0; /* sometimes not NULL-terminated in reach */
        e->poke(e->state, l->buffer + slot * SG_SLOT_BYTES, array, (count + 1) * 4);
        return l->buffer + slot * SG_SLOT_BYTES;
    }
    case SG_KIND_PtrIn:
    case SG_KIND_Ptr:
        if (sg_below(e, 2))
            return sg_hostile_struct(e, slot);
        return sg_data_pointer(e, 512);
    case SG_KIND_BufIn:
    case SG_KIND_BufOut:
    case SG_KIND_PtrOut:
        return sg_data_pointer(e, 512);
    case SG_KIND_Len:
        return sg_length(e);
    case SG_KIND_Iovec:
    case SG_KIND_IovecOut: {
        if (sg_below(e, 5) == 0)
            return sg_bad_pointer(e, 8);
        uint32_t vectors[16];
        for (unsigned i = 0; i < 8; ++i) {
            vectors[2 * i] = sg_data_pointer(e, 256);
            vectors[2 * i + 1] = sg_below(e, 4) == 0 ? sg_length(e) : sg_below(e, 256);
        }
        return sg_put(e, slot, vectors, sizeof(vectors));
    }
    case SG_KIND_Timespec:
        return sg_time(e, slot, 1000000000u, 0);
    case SG_KIND_Timespec64:
        return sg_time(e, slot, 1000000000u, 1);
    case SG_KIND_Timeval:
        return sg_time(e, slot, 1000000u, 0);
    case SG_KIND_SigSet: {
        if (sg_below(e, 5) == 0)
            return sg_bad_pointer(e, 8);
        uint32_t set[2] = { sg_bits(e, 0xFFFFFFFFu), sg_bits(e, 0xFFFFFFFFu) };
        return sg_put(e, slot, set, sizeof(set));
    }
    case SG_KIND_Offset: {
        static const uint32_t offsets[] = { 0, 1, 4095, 4096, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu, 0xFFFFF000u };
        return sg_below(e, 2) ? sg_below(e, 10000) : SG_PICK(e, offsets);
    }
    case SG_KIND_Whence:
        return sg_below(e, 8) == 0 ? sg_word(e) : sg_below(e, 6);
    case SG_KIND_Addr: {
        static const uint32_t addresses[]
            = { 0, 0x1000, 0x08048000u, 0x10000000u, 0x40000000u, 0xBFFFF000u, 0xC0000000u, 0xFFFFF000u };
        switch (sg_below(e, 5)) {
        case 0:
            return SG_PICK(e, addresses);
        case 1:
            return sg_word(e);
        case 2:
            return sg_word(e) & 0xBFFFF000u;
        default:
            return l->buffer + SG_STRUCT_BYTES + SG_LONG_PATH_BYTES + (sg_below(e, 4) << 12);
        }
    }
    case SG_KIND_Prot:
        return sg_bits(e, 0x7u);
    case SG_KIND_MmapFlags:
        return sg_bits(e, 0x3Fu | 0x4000u | 0x20000u | 0x100000u);
    case SG_KIND_OpenFlags:
        return sg_bits(e, 03 | 0100 | 0200 | 01000 | 02000 | 04000 | 0200000 | 0400000 | 02000000 | 010000000);
    case SG_KIND_AtFlags:
        return sg_bits(e, 0x100u | 0x200u | 0x400u | 0x1000u);
    case SG_KIND_Mode: {
        static const uint32_t modes[]
            = { 0, 0644, 0755, 0777, 07777, 0100644, 0010644, 0020666, 0060666, 0140777, 0120777, 0040755 };
        return sg_below(e, 4) == 0 ? sg_word(e) : SG_PICK(e, modes);
    }
    case SG_KIND_Pid:
        return sg_pid(e);
    case SG_KIND_Sig:
        return sg_below(e, 8) == 0 ? sg_word(e) : sg_below(e, 66);
    case SG_KIND_Uid:
    case SG_KIND_Gid: {
        static const uint32_t ids[] = { 0, 1, 1000, 65534, 65535, 0xFFFFFFFFu };
        return sg_below(e, 4) == 0 ? sg_word(e) : SG_PICK(e, ids);
    }
    case SG_KIND_Clock:
        return sg_below(e, 6) == 0 ? sg_word(e) : (uint32_t)((int32_t)sg_below(e, 16) - 4);
    case SG_KIND_FutexOp:
        return sg_below(e, 6) == 0 ? sg_word(e)
                                   : sg_below(e, 14) | (sg_below(e, 2) << 7) | (sg_below(e, 4) == 0 ? 256 : 0);
    case SG_KIND_Ioctl: {
        static const uint32_t requests[] = { 0x5401, 0x5402, 0x5403, 0x5404, 0x540B, 0x540E, 0x540F, 0x5410, 0x5413,
            0x5414, 0x541B, 0x5421, 0x5422, 0x5450, 0x5451, 0x5452, 0x5429, 0x80045430u, 0x40045431u, 0 };
        return sg_below(e, 4) == 0 ? sg_word(e) : SG_PICK(e, requests);
    }
    case SG_KIND_Fcntl:
        return sg_below(e, 6) == 0 ? sg_word(e) : (sg_below(e, 4) == 0 ? 1024 + sg_below(e, 12) : sg_below(e, 17));
    case SG_KIND_COUNT:
        break;
    }
    return sg_word(e);
}

/* Every argument of a call whose parameters have `kinds`; the arguments past `count` are noise, as the
 * registers a program leaves would be. */
static inline void sg_arguments(struct sg_env* e, const unsigned char* kinds, unsigned count, uint32_t args[6])
{
    for (unsigned i = 0; i < 6; ++i)
        args[i] = i < count ? sg_argument(e, kinds[i], i) : sg_word(e);
}

#endif
