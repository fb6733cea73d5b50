// printf-style formatting into a caller's buffer, with snprintf's contract (C11 7.21.6.1), for logs and procfs.
#pragma once

#include <stdarg.h>

#include "lib/types.hpp"

// Conversions: d i u x X o c s p %. Flags: - 0 + space #. Field width and precision, each may be '*'.
// Length modifiers: hh h l ll z t j. %s of nullptr prints "(null)", or nothing when a precision below 6
// would cut it (as glibc). Differences from glibc: an unknown or unfinished conversion is copied to the
// output as written; %n, floating point and wide characters are not supported.
//
// Writes at most `size` bytes, always NUL-terminated when size > 0, and returns the length the whole
// output would have had (without its NUL): a result >= size means it was truncated. `buffer` may be
// nullptr when size is 0, to measure.
usize format(char* buffer, usize size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
usize vformat(char* buffer, usize size, const char* fmt, va_list args) __attribute__((format(printf, 3, 0)));
