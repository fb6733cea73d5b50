// The kernel's random numbers, a service for every layer: a ChaCha20 generator (RFC 8439's block function, used
// with fast key erasure) behind getrandom(2), /dev/random, /dev/urandom and exec's AT_RANDOM. Honest warning:
// this machine has no hardware entropy source yet, so the seed is only what the kernel can observe (the RTC's
// time, the clock, addresses, timing of calls). Output is unpredictable to a casual observer but NOT to an attacker who can guess the boot
// time; do not generate long-term keys on this kernel until a hardware source (RDRAND, virtio-rng) is mixed in.
#pragma once

#include "lib/types.hpp"

namespace kernel {

// RFC 8439 §2.3: the 64-byte ChaCha20 block for a 256-bit key, a 32-bit block counter and a 96-bit nonce
// (key and nonce as bytes, read as little-endian words; the block serialised little-endian).
void chacha20_block(const u8 (&key)[32], u32 counter, const u8 (&nonce)[12], u8 (&out)[64]);

// Fills `buffer` with `count` random bytes. Seeds itself on first use; every call mixes in the time, and
// the key is replaced after each call (fast key erasure), so earlier output cannot be recomputed from a
// later state.
void random_bytes(void* buffer, usize count);
// Mixes `count` bytes into the generator (writes to /dev/random, event timings). No entropy is credited:
// there is no estimator, and the generator never blocks.
void random_mix(const void* data, usize count);
// Mixes the current time (clock and timer) into the generator: for event sources such as interrupts.
void random_mix_timing();

} // namespace kernel
