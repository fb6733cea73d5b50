// Fixed-width integer names used across the kernel; identical on the i386 kernel and the 64-bit host.
#pragma once

#include <stddef.h>
#include <stdint.h>

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using usize = size_t;
using isize = ptrdiff_t;
using uptr = uintptr_t;

// A physical address is 32 bits on i386 (no PAE) on both flavours, so layouts agree.
using PhysAddr = u32;

#define CADENZA_PACKED __attribute__((packed))
