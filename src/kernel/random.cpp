// ChaCha20 (RFC 8439 §2.1-2.3) and the generator built on it. Mixing input into the key is
// key' = ChaCha20_block(key XOR input, 0, mixing nonce)[0..32]: the block function is a PRF of its key, so the
// new key depends on every input bit and on the old key, in a nonce domain apart from the output's.
#include "kernel/random.hpp"

#include "kernel/boot_state.hpp"
#include "kernel/clock.hpp"
#include "lib/string.hpp"

namespace kernel {

namespace {

constexpr u32 rotl(u32 value, int bits) { return (value << bits) | (value >> (32 - bits)); }

// RFC 8439 §2.1: the quarter round on four words of the state.
void quarter_round(u32 (&s)[16], int a, int b, int c, int d)
{
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 12);
    s[a] += s[b];
    s[d] = rotl(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = rotl(s[b] ^ s[c], 7);
}

u32 load32(const u8* p) { return u32 { p[0] } | u32 { p[1] } << 8 | u32 { p[2] } << 16 | u32 { p[3] } << 24; }

void store32(u8* p, u32 value)
{
    p[0] = static_cast<u8>(value);
    p[1] = static_cast<u8>(value >> 8);
    p[2] = static_cast<u8>(value >> 16);
    p[3] = static_cast<u8>(value >> 24);
}

struct Generator {
    u8 key[32] {};
    u64 requests { 0 }; // the output nonce: a fresh one per call
    u64 mixes { 0 }; // the mixing nonce
    bool seeded { false };
};

Generator g_generator;

// Each host machine starts unseeded, as at power-on, so no test inherits another's key.
BootStateReset g_boot_state([] { g_generator = Generator {}; });

// Output and mixing use different third nonce words, so their keystreams never meet.
constexpr u32 kOutputDomain = 0, kMixDomain = 0x78696d; // "mix"

void make_nonce(u8 (&nonce)[12], u64 counter, u32 domain)
{
    store32(nonce, static_cast<u32>(counter));
    store32(nonce + 4, static_cast<u32>(counter >> 32));
    store32(nonce + 8, domain);
}

void mix_chunk(const u8* data, usize count)
{
    for (usize i = 0; i < count; ++i)
        g_generator.key[i] ^= data[i];
    u8 nonce[12];
    make_nonce(nonce, g_generator.mixes++, kMixDomain);
    u8 block[64];
    chacha20_block(g_generator.key, 0, nonce, block);
    copy_bytes(g_generator.key, block, sizeof(g_generator.key));
    fill_bytes(block, 0, sizeof(block));
}

void mix(const void* data, usize count)
{
    auto* bytes = static_cast<const u8*>(data);
    while (count) {
        usize n = count < 32 ? count : 32;
        mix_chunk(bytes, n);
        bytes += n;
        count -= n;
    }
}

void mix_time()
{
    struct {
        u64 monotonic;
        i64 realtime;
    } now { monotonic_ns(), realtime_ns() };
    mix(&now, sizeof(now));
}

// The first seed: all the kernel can see that varies from boot to boot (little; see random.hpp).
void seed_once()
{
    if (g_generator.seeded)
        return;
    g_generator.seeded = true;
    int on_stack = 0;
    struct {
        uptr stack, state, code;
    } addresses { reinterpret_cast<uptr>(&on_stack), reinterpret_cast<uptr>(&g_generator),
        reinterpret_cast<uptr>(&seed_once) };
    mix(&addresses, sizeof(addresses));
    mix_time();
}

} // namespace

void chacha20_block(const u8 (&key)[32], u32 counter, const u8 (&nonce)[12], u8 (&out)[64])
{
    // RFC 8439 §2.3: constants, key, counter, nonce; 20 rounds (10 column + diagonal pairs); add the input.
    u32 input[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; ++i)
        input[4 + i] = load32(key + 4 * i);
    input[12] = counter;
    for (int i = 0; i < 3; ++i)
        input[13 + i] = load32(nonce + 4 * i);
    u32 state[16];
    for (int i = 0; i < 16; ++i)
        state[i] = input[i];
    for (int round = 0; round < 10; ++round) {
        quarter_round(state, 0, 4, 8, 12);
        quarter_round(state, 1, 5, 9, 13);
        quarter_round(state, 2, 6, 10, 14);
        quarter_round(state, 3, 7, 11, 15);
        quarter_round(state, 0, 5, 10, 15);
        quarter_round(state, 1, 6, 11, 12);
        quarter_round(state, 2, 7, 8, 13);
        quarter_round(state, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; ++i)
        store32(out + 4 * i, state[i] + input[i]);
}

void random_bytes(void* buffer, usize count)
{
    seed_once();
    mix_time();
    auto* out = static_cast<u8*>(buffer);
    u8 nonce[12];
    make_nonce(nonce, g_generator.requests++, kOutputDomain);
    u8 block[64];
    // Fast key erasure: block 0 becomes the next key, the output comes from blocks 1 on.
    u8 next_key[32];
    chacha20_block(g_generator.key, 0, nonce, block);
    copy_bytes(next_key, block, sizeof(next_key));
    u32 counter = 1;
    while (count) {
        if (counter == 0) { // 256 GiB in one call: a new key and nonce rather than a repeated block
            copy_bytes(g_generator.key, next_key, sizeof(next_key));
            make_nonce(nonce, g_generator.requests++, kOutputDomain);
            chacha20_block(g_generator.key, 0, nonce, block);
            copy_bytes(next_key, block, sizeof(next_key));
            counter = 1;
        }
        chacha20_block(g_generator.key, counter++, nonce, block);
        usize n = count < sizeof(block) ? count : sizeof(block);
        copy_bytes(out, block, n);
        out += n;
        count -= n;
    }
    copy_bytes(g_generator.key, next_key, sizeof(next_key));
    fill_bytes(next_key, 0, sizeof(next_key));
    fill_bytes(block, 0, sizeof(block));
}

void random_mix(const void* data, usize count)
{
    seed_once();
    mix(data, count);
}

void random_mix_timing()
{
    seed_once();
    mix_time();
}

} // namespace kernel
