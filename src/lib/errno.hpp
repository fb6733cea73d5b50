// Linux's errno numbers, named without the leading E (the host's <errno.h> macros own those names) (asm-generic/errno-base.h, errno.h): the values user programs see in eax.
#pragma once

#include "lib/types.hpp"

enum class Errno : i32 {
    PERM = 1, NOENT = 2, SRCH = 3, INTR = 4, IO = 5, NXIO = 6, TOOBIG = 7 /* E2BIG */, NOEXEC = 8,
    BADF = 9, CHILD = 10, AGAIN = 11, NOMEM = 12, ACCES = 13, FAULT = 14, NOTBLK = 15,
    BUSY = 16, EXIST = 17, XDEV = 18, NODEV = 19, NOTDIR = 20, ISDIR = 21, INVAL = 22,
    NFILE = 23, MFILE = 24, NOTTY = 25, TXTBSY = 26, FBIG = 27, NOSPC = 28, SPIPE = 29,
    ROFS = 30, MLINK = 31, PIPE = 32, DOM = 33, RANGE = 34, DEADLK = 35,
    NAMETOOLONG = 36, NOLCK = 37, NOSYS = 38, NOTEMPTY = 39, LOOP = 40,
    NOMSG = 42, IDRM = 43, NODATA = 61, TIME = 62, OVERFLOW = 75, LIBBAD = 80, ILSEQ = 84,
    NOTSOCK = 88, OPNOTSUPP = 95, AFNOSUPPORT = 97, ADDRINUSE = 98, NOBUFS = 105,
    ISCONN = 106, NOTCONN = 107, TIMEDOUT = 110, CONNREFUSED = 111, ALREADY = 114,
    INPROGRESS = 115, STALE = 116, DQUOT = 122, CANCELED = 125,
    // Kernel-internal (include/linux/errno.h), never seen by programs: a blocking call interrupted by a signal
    // asks for a restart, which signal delivery turns into EINTR or a restarted call.
    RESTARTSYS = 512, RESTARTNOINTR = 513, RESTARTNOHAND = 514,
};

// "EINVAL" for Errno::INVAL; "E?" for a number without a name here.
const char* errno_name(Errno e);
