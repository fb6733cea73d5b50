// getrandom(2): bytes from the kernel's ChaCha20 generator (kernel/random.hpp), which is seeded at first use
// and so never blocks: GRND_NONBLOCK and GRND_RANDOM change nothing (Linux 5.6 on behaves the same once its
// pool is ready), GRND_INSECURE is accepted. See random.hpp for how weak the seed is on this machine.
#include "arch/memory.hpp"
#include "kernel/random.hpp"
#include "lib/string.hpp"
#include "proc/process.hpp"
#include "proc/signal.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kGrndNonblock = 1, kGrndRandom = 2, kGrndInsecure = 4;
constexpr u32 kIntMax = 0x7FFFFFFF;
using arch::kPageBytes;

} // namespace

Result<i32> sys_getrandom(mm::UserOut<u8> buffer, u32 count, u32 flags)
{
    if (flags & ~(kGrndNonblock | kGrndRandom | kGrndInsecure))
        return Errno::INVAL;
    if ((flags & kGrndInsecure) && (flags & kGrndRandom))
        return Errno::INVAL; // man 2 getrandom: the two cannot be combined
    if (count > kIntMax)
        count = kIntMax;
    auto to = TRY(mm::OutBuffer::user(buffer, count));
    u8 block[256];
    u32 done = 0;
    while (done < count) {
        usize want = count - done < sizeof(block) ? count - done : sizeof(block);
        kernel::random_bytes(block, want);
        usize copied = to.put(block, want);
        done += static_cast<u32>(copied);
        if (copied < want)
            break; // a fault: what was copied counts, or EFAULT for nothing
        // As Linux's get_random_bytes_user: a signal ends a long request at a page boundary, with the count.
        if (done < count && done % kPageBytes == 0 && proc::has_deliverable_signal(*proc::current()))
            break;
    }
    fill_bytes(block, 0, sizeof(block));
    if (!done && count)
        return Errno::FAULT;
    return static_cast<i32>(done);
}

} // namespace sys
