// kmalloc/kfree pairs per second on the host, over the simulated page allocator, beside glibc's malloc/free
// doing the same pattern (the nearest counterpart a host has). Prints "name value unit glibc=value ratio=x".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "sim/sim.hpp"

namespace {

constexpr usize kRamBytes = 64 << 20;
constexpr usize kBatch = 512;

template<typename Allocate, typename Free>
double pairs_per_second(usize size, usize rounds, Allocate allocate, Free release)
{
    std::vector<void*> batch(kBatch);
    auto start = std::chrono::steady_clock::now();
    for (usize round = 0; round < rounds; ++round) {
        // Alternate one-at-a-time pairs with batches, so that both the fast path and slab turnover count.
        for (usize i = 0; i < kBatch; ++i)
            release(allocate(size));
        for (usize i = 0; i < kBatch; ++i)
            batch[i] = allocate(size);
        for (usize i = kBatch; i-- > 0;)
            release(batch[i]);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return 2.0 * kBatch * rounds / seconds;
}

} // namespace

int main()
{
    static std::vector<u8> ram(kRamBytes);
    sim::reset();
    sim::attach_phys_memory(0, ram.data(), ram.size());
    mm::PhysRangeSet usable, in_use;
    if (usable.add(0, kRamBytes).is_error() || mm::init_physical_memory(usable, in_use).is_error()) {
        std::fprintf(stderr, "kmalloc_bench: could not set up simulated memory\n");
        return 1;
    }
    for (usize size : { 32, 256, 2048, 16384 }) {
        usize rounds = size > 4096 ? 200 : 2000;
        double ours = pairs_per_second(size, rounds, [](usize n) { return mm::kmalloc(n).value(); }, mm::kfree);
        double glibc = pairs_per_second(size, rounds, [](usize n) { return std::malloc(n); }, std::free);
        std::printf("kmalloc_pairs_%zu %.0f pairs/s glibc=%.0f pairs/s ratio=%.2f\n", size, ours, glibc, ours / glibc);
    }
    return 0;
}
