// The ChaCha20 block function against RFC 8439's test vector, and getrandom(2)'s flags, counts and faults.
#include <catch2/catch_test_macros.hpp>
#include <cstring>
#include <vector>

#include "../proc/process_machine.hpp"
#include "drivers/random.hpp"

using namespace proc_test;

namespace {

constexpr u32 kSysGetrandom = sys::nr("getrandom");

} // namespace

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
    drivers::chacha20_block(key, 1, nonce, block);
    CHECK(std::memcmp(block, expected, 64) == 0);
}

TEST_CASE("ChaCha20 with RFC 8439's appendix A.1 vector #1 (all-zero key and nonce)", "[random]")
{
    u8 key[32] = {};
    u8 nonce[12] = {};
    const u8 expected_start[16]
        = { 0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28 };
    u8 block[64];
    drivers::chacha20_block(key, 0, nonce, block);
    CHECK(std::memcmp(block, expected_start, 16) == 0);
}

TEST_CASE("random_bytes never repeats itself and mixing changes what follows", "[random]")
{
    std::vector<u8> a(100), b(100);
    drivers::random_bytes(a.data(), a.size());
    drivers::random_bytes(b.data(), b.size());
    CHECK(a != b);
    std::vector<u8> zeros(100, 0);
    CHECK(a != zeros);
    drivers::random_mix("seed", 4);
    drivers::random_bytes(b.data(), b.size());
    CHECK(a != b);
}

TEST_CASE("getrandom: flags checked, counts returned, faults reported", "[random]")
{
    ProcessMachine m;
    run_program(m, [&] {
        u32 box = scratch(4 * kPage);
        CHECK(call(kSysGetrandom, box, 16, 8) == err(Errno::INVAL));
        CHECK(call(kSysGetrandom, box, 16, 2 | 4) == err(Errno::INVAL)); // GRND_RANDOM with GRND_INSECURE
        for (u32 flags : { 0u, 1u, 2u, 4u, 1u | 2u, 1u | 4u })
            CHECK(call(kSysGetrandom, box, 16, flags) == 16);
        CHECK(call(kSysGetrandom, box, 0, 0) == 0);
        CHECK(call(kSysGetrandom, 0xC0000000, 16, 0) == err(Errno::FAULT));
        // Bytes up to the end of the mapping count; the rest is lost, as Linux reports it.
        CHECK(call(kSysGetrandom, box + 4 * kPage - 10, 100, 0) == 10);
        // Two reads differ (with overwhelming probability).
        CHECK(call(kSysGetrandom, box, 32, 0) == 32);
        CHECK(call(kSysGetrandom, box + 32, 32, 0) == 32);
        CHECK(peek<u64>(box) != peek<u64>(box + 32));
        CHECK(call(kSysGetrandom, box, 3 * kPage, 0) == static_cast<i32>(3 * kPage));
    });
}
