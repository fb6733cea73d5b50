// Copies between a transfer's runs and kernel memory: plain copies for kernel runs, the arch's fault-recovering
// ones for user runs (whose range was checked when the buffer was made).
#include "mm/io_buffer.hpp"

#include "arch/user.hpp"
#include "lib/string.hpp"

namespace mm {

namespace {

Result<void> check_user_range(uptr base, usize length, bool source)
{
    if (!(source ? is_user_readable_range(base, length) : is_user_range(base, length)))
        return Errno::FAULT;
    return {};
}

} // namespace

Result<OutBuffer> OutBuffer::user(UserOut<u8> base, usize length)
{
    TRY(check_user_range(base.address(), length, false));
    return OutBuffer(Space::User, base.address(), length);
}

OutBuffer OutBuffer::user_segments(const IoSegment* segments, usize count, usize total)
{
    return OutBuffer(segments, count, total);
}

OutBuffer OutBuffer::kernel(void* base, usize length)
{
    return OutBuffer(Space::Kernel, reinterpret_cast<uptr>(base), length);
}

usize OutBuffer::put(const void* from, usize count)
{
    auto* bytes = static_cast<const u8*>(from);
    bool user = is_user();
    return walk(count, [&](uptr at, usize length, usize done) {
        if (!user) {
            copy_bytes(reinterpret_cast<void*>(at), bytes + done, length);
            return length;
        }
        return length - arch::copy_to_user_raw(at, bytes + done, length);
    });
}

usize OutBuffer::put_zeros(usize count)
{
    return put_made(count, [](u8* chunk, usize length) { fill_bytes(chunk, 0, length); });
}

Result<InBuffer> InBuffer::user(UserIn<u8> base, usize length)
{
    TRY(check_user_range(base.address(), length, true)); // a write may come from the vDSO's pages
    return InBuffer(Space::User, base.address(), length);
}

InBuffer InBuffer::user_segments(const IoSegment* segments, usize count, usize total)
{
    return InBuffer(segments, count, total);
}

InBuffer InBuffer::kernel(const void* base, usize length)
{
    return InBuffer(Space::Kernel, reinterpret_cast<uptr>(base), length);
}

usize InBuffer::take(void* to, usize count)
{
    auto* bytes = static_cast<u8*>(to);
    bool user = is_user();
    return walk(count, [&](uptr at, usize length, usize done) {
        if (!user) {
            copy_bytes(bytes + done, reinterpret_cast<const void*>(at), length);
            return length;
        }
        return length - arch::copy_from_user_raw(bytes + done, at, length);
    });
}

} // namespace mm
