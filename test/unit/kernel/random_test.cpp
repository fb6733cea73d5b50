// The ChaCha20 block function against RFC 8439's vectors, and the generator built on it, including that each
// machine starts from an unseeded one.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "kernel/boot_state.hpp"
#include "kernel/random.hpp"
#include "sim/sim.hpp"

TEST_CASE("ChaCha20's block function gives RFC 8439's test vector (section 2.3.2)", "[random]")
{
    u8 key[32];
    for (int i = 0; i < 32; ++i)
        key[i] = static_cast<u8>(i);
    const u8 nonce[12] = { 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x4a, 0x00, 0x00, 0x00, 0x00 };
    const u8 expected[64] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71,
        0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2,
        0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c,
        0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e };
    u8 block[64];
    kernel::chacha20_block(key, 1, nonce, block);
    CHECK(std::memcmp(block, expected, 64) == 0);
}

TEST_CASE("ChaCha20 with RFC 8439's appendix A.1 vector #1 (all-zero key and nonce)", "[random]")
{
    u8 key[32] = {};
    u8 nonce[12] = {};
    const u8 expected_start[16]
        = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28 };
    u8 block[64];
    kernel::chacha20_block(key, 0, nonce, block);
    CHECK(std::memcmp(block, expected_start, 16) == 0);
}

TEST_CASE("random_bytes never repeats itself and mixing changes what follows", "[random]")
{
    std::vector<u8> a(100), b(100);
    kernel::random_bytes(a.data(), a.size());
    kernel::random_bytes(b.data(), b.size());
    CHECK(a != b);
    std::vector<u8> zeros(100, 0);
    CHECK(a != zeros);
    kernel::random_mix("seed", 4);
    kernel::random_bytes(b.data(), b.size());
    CHECK(a != b);
}

namespace {

std::vector<u8> first_bytes_after_reset()
{
    sim::reset();
    kernel::reset_boot_state();
    std::vector<u8> bytes(32);
    kernel::random_bytes(bytes.data(), bytes.size());
    return bytes;
}

} // namespace

TEST_CASE("reset_boot_state puts the generator back unseeded", "[random]")
{
    // The seed is the clock and a few addresses, all the same after a reset on the host: the same first bytes
    // show the key, counters and seeded flag went back, not just the key.
    std::vector<u8> first = first_bytes_after_reset();
    std::vector<u8> again(32);
    kernel::random_mix("earlier test", 12);
    kernel::random_bytes(again.data(), again.size());
    CHECK(again != first);
    CHECK(first_bytes_after_reset() == first);
}
