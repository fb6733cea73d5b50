// The kernel symbol table embedded at build time (tools/gen-ksyms.py), for symbolized backtraces.
// Layout, little-endian u32 fields: "KSYM" magic, count, strings size, then count entries
// {address, name offset} sorted by address, then NUL-terminated names. Validated on every lookup.
#pragma once

#include "lib/result.hpp"

struct SymbolTableBytes {
    const u8* data;
    usize size;
};

struct Symbol {
    const char* name; // points into the table; NUL-terminated
    u32 address;
    u32 offset; // of the looked-up address from `address`
};

constexpr u32 kSymbolTableMagic = 0x4D59534B; // "KSYM"

// The function containing `address`: ENOENT when it precedes every symbol or the table is empty,
// EINVAL when the table is malformed.
Result<Symbol> symbolize(SymbolTableBytes table, uptr address);
