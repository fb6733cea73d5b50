// libFuzzer target for mm::PageCache. Each input is up to 128 operations (create, remove a range, truncate,
// byte writes, allocation failures injected before a create, a mapping's extra reference) applied to the
// cache and to a std::map model of index -> first byte. A difference in what is present, a byte, the order
// next_index walks, the charge count or a tree invariant traps, and so does any page not given back.
#include <fuzzer/FuzzedDataProvider.h>
#include <map>
#include <vector>

#include "arch/arch.hpp"
#include "mm/fault_injection.hpp"
#include "mm/page_cache.hpp"

#include "fuzz_machine.hpp"

namespace {

using fuzz::require;

struct Account final : mm::PageAccount {
    u64 pages { 0 };
    Result<void> charge() override
    {
        ++pages;
        return {};
    }
    void uncharge() override { --pages; }
};

// Indices near a few far-apart places, so that the tree grows and shrinks in height.
u64 pick_index(FuzzedDataProvider& in)
{
    static constexpr u64 kBases[] = { 0, 60, 4090, 1ull << 18, 1ull << 36, mm::PageCache::kMaxIndex - 8 };
    return kBases[in.ConsumeIntegralInRange<usize>(0, 5)] + in.ConsumeIntegralInRange<u64>(0, 8);
}

u8* bytes(PhysAddr frame) { return static_cast<u8*>(arch::phys_to_virt(frame, mm::kPageSize)); }

void check(const mm::PageCache& cache, const std::map<u64, u8>& model, const Account& account)
{
    require(cache.check_invariants());
    require(cache.page_count() == model.size());
    require(account.pages == model.size());
    u64 at = 0;
    for (const auto& [index, byte] : model) {
        u64 next = cache.next_index(at);
        require(next == index);
        require(bytes(cache.find(index))[0] == byte);
        at = index + 1;
    }
    if (at != 0) // past kMaxIndex wraps to 0
        require(cache.next_index(at) == mm::PageCache::kNone);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const u8* data, size_t size)
{
    auto& machine = fuzz::machine();
    FuzzedDataProvider in(data, size);
    std::vector<PhysAddr> mapped; // extra references, as mappings hold
    {
        Account account;
        mm::PageCache cache(&account);
        std::map<u64, u8> model;
        for (int step = 0; step < 128 && in.remaining_bytes() > 0; ++step) {
            switch (in.ConsumeIntegralInRange<int>(0, 5)) {
            case 0: { // find-or-create, maybe with an allocation failure injected
                u64 index = pick_index(in);
                bool fail = in.ConsumeBool();
                if (fail)
                    mm::inject_allocation_failures(in.ConsumeIntegralInRange<u64>(0, 8));
                auto frame = cache.find_or_create(index);
                mm::stop_allocation_failures();
                if (frame.is_error()) {
                    require(fail && frame.error() == Errno::NOMEM);
                    require(!model.contains(index));
                } else {
                    model.emplace(index, 0);
                    require(bytes(frame.value())[0] == model[index]);
                }
                break;
            }
            case 1: { // write one byte into an existing page
                if (model.empty())
                    break;
                auto it = model.lower_bound(pick_index(in));
                if (it == model.end())
                    it = model.begin();
                u8 byte = in.ConsumeIntegral<u8>();
                bytes(cache.find(it->first))[0] = byte;
                it->second = byte;
                break;
            }
            case 2: { // remove a range
                u64 first = pick_index(in);
                u64 count = in.ConsumeIntegralInRange<u64>(0, 20);
                if (in.ConsumeBool())
                    count = mm::PageCache::kNone;
                cache.remove(first, count);
                for (auto it = model.lower_bound(first);
                     it != model.end() && (count == mm::PageCache::kNone || it->first - first < count);)
                    it = model.erase(it);
                break;
            }
            case 3: { // truncate at a byte size within a page that may exist
                u64 index = pick_index(in);
                u64 within = in.ConsumeIntegralInRange<u64>(0, 1);
                if (index > (~u64 { 0 } >> mm::kPageShift) - 1)
                    break;
                cache.truncate((index << mm::kPageShift) + within);
                for (auto it = model.lower_bound(index + within); it != model.end();)
                    it = model.erase(it);
                break;
            }
            case 4: { // a mapping takes a reference, which must outlive the cache's
                if (model.empty() || mapped.size() >= 8)
                    break;
                PhysAddr frame = cache.find(model.begin()->first);
                mm::page_allocator().ref(frame);
                mapped.push_back(frame);
                break;
            }
            case 5:
                check(cache, model, account);
                break;
            }
        }
        check(cache, model, account);
    }
    for (PhysAddr frame : mapped)
        mm::page_allocator().unref(frame);
    mm::kmalloc_shrink();
    require(mm::page_allocator().free_pages() == machine.free_pages);
    return 0;
}
