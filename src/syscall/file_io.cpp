// pread64, pwrite64, preadv, pwritev (man 2 pread, man 2 preadv) and sendfile, sendfile64 (man 2 sendfile):
// transfers at an explicit offset that leave the file position alone, through a kernel buffer. i386 passes a
// 64-bit offset in two registers, low word first.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kMaxRwCount = 0x7FFFF000; // MAX_RW_COUNT
constexpr usize kChunkBytes = 16 * 1024;

// The kernel buffer one call moves its data through.
class Chunk {
public:
    Result<u8*> get() { return m_memory.get(kChunkBytes); }

private:
    KernelBuffer m_memory;
};

// A short count once anything moved, the error otherwise (Linux's rule for every transfer).
Result<u32> partial(u32 done, Errno error) { return done ? Result<u32>(done) : Result<u32>(error); }

// Reads `count` bytes at `offset` into user memory; the first call always happens, so a count of 0 still
// reports the file's errors (EBADF, ESPIPE, EISDIR).
Result<u32> pread_into(fs::OpenFile& file, u32 buffer, u32 count, i64 offset, Chunk& chunk)
{
    if (!mm::is_user_range(buffer, count))
        return Errno::FAULT;
    u8* data = TRY(chunk.get());
    u32 done = 0;
    do {
        usize want = count - done < kChunkBytes ? count - done : kChunkBytes;
        auto got = file.pread(data, want, offset + done);
        if (got.is_error())
            return partial(done, got.error());
        usize copied = mm::copy_to_user_partial(buffer + done, data, got.value());
        done += static_cast<u32>(copied);
        if (copied < got.value())
            return partial(done, Errno::FAULT);
        if (got.value() < want)
            break;
    } while (done < count);
    return done;
}

Result<u32> pwrite_from(fs::OpenFile& file, u32 buffer, u32 count, i64 offset, Chunk& chunk)
{
    if (!mm::is_user_range(buffer, count))
        return Errno::FAULT;
    u8* data = TRY(chunk.get());
    u32 done = 0;
    do {
        usize want = count - done < kChunkBytes ? count - done : kChunkBytes;
        usize readable = mm::copy_from_user_partial(data, buffer + done, want);
        if (readable == 0 && want)
            return partial(done, Errno::FAULT);
        auto put = file.pwrite(data, readable, offset + done);
        if (put.is_error())
            return partial(done, put.error());
        done += static_cast<u32>(put.value());
        if (put.value() < want)
            break;
    } while (done < count);
    return done;
}

// preadv and pwritev: the vector checked whole first (import_iovec: EINVAL for a count above UIO_MAXIOV or a
// length negative as ssize_t, EFAULT for a segment outside user space), then segment after segment at
// consecutive offsets until one comes up short.
template<typename Transfer>
Result<u32> vectored_at(i32 fd, mm::UserPtr<IoVec> vectors, i32 count, i64 offset, Transfer transfer)
{
    auto file = TRY(open_file_of(fd));
    if (offset < 0)
        return Errno::INVAL;
    TRY(check_io_vectors(vectors, count));
    Chunk chunk;
    u32 total = 0;
    // No segment at all still checks the file (a 0-byte transfer at the offset).
    if (count == 0)
        return transfer(*file, 0, 0, offset, chunk);
    for (i32 i = 0; i < count && total < kMaxRwCount; ++i) {
        IoVec v;
        TRY(mm::copy_from_user(v, vectors.offset(i)));
        if (v.length > kMaxRwCount - total)
            v.length = kMaxRwCount - total;
        if (!v.length)
            continue;
        auto moved = transfer(*file, v.base, v.length, offset + total, chunk);
        if (moved.is_error())
            return partial(total, moved.error());
        total += moved.value();
        if (moved.value() < v.length)
            break;
    }
    return total;
}

// do_sendfile(): from `in` (at *offset when given, else at its position) to `out` at its position, at most
// MAX_RW_COUNT bytes, and never past `max_offset` (EOVERFLOW once there, a short count when crossing it).
Result<u32> send_file(i32 out_fd, i32 in_fd, i64* offset, u32 count, u64 max_offset)
{
    auto in = TRY(open_file_of(in_fd));
    if (!in->readable())
        return Errno::BADF;
    bool seekable = in->operations().seekable();
    if (offset && !seekable)
        return Errno::SPIPE;
    i64 position = offset ? *offset : static_cast<i64>(in->offset());
    if (position < 0)
        return Errno::INVAL;
    if (count > kMaxRwCount)
        count = kMaxRwCount;
    auto out = TRY(open_file_of(out_fd));
    if (!out->writable())
        return Errno::BADF;
    if (out->flags() & fs::kOAppend)
        return Errno::INVAL; // splice refuses an O_APPEND output
    if (static_cast<u64>(position) + count > max_offset) {
        if (static_cast<u64>(position) >= max_offset)
            return Errno::OVERFLOW;
        count = static_cast<u32>(max_offset - static_cast<u64>(position));
    }
    Chunk chunk;
    u8* data = TRY(chunk.get());
    u32 done = 0;
    while (done < count) {
        usize want = count - done < kChunkBytes ? count - done : kChunkBytes;
        auto got = seekable ? in->pread(data, want, position + done) : in->read(data, want);
        if (got.is_error()) {
            if (done)
                break;
            return got.error();
        }
        if (got.value() == 0)
            break;
        auto put = out->write(data, got.value());
        if (put.is_error()) {
            if (done)
                break;
            return put.error();
        }
        done += static_cast<u32>(put.value());
        if (put.value() < got.value() || got.value() < want)
            break;
    }
    // Without an offset pointer the input's position moves past what was sent.
    if (offset)
        *offset = position + done;
    else if (seekable)
        TRY(in->seek(position + done, fs::kSeekSet));
    return done;
}

} // namespace

Result<u32> sys_pread64(i32 fd, u32 buffer, u32 count, u32 offset_low, u32 offset_high)
{
    auto file = TRY(open_file_of(fd));
    Chunk chunk;
    return pread_into(
        *file, buffer, count > kMaxRwCount ? kMaxRwCount : count, join_halves(offset_low, offset_high), chunk);
}

Result<u32> sys_pwrite64(i32 fd, u32 buffer, u32 count, u32 offset_low, u32 offset_high)
{
    auto file = TRY(open_file_of(fd));
    Chunk chunk;
    return pwrite_from(
        *file, buffer, count > kMaxRwCount ? kMaxRwCount : count, join_halves(offset_low, offset_high), chunk);
}

Result<u32> sys_preadv(i32 fd, mm::UserPtr<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high)
{
    return vectored_at(fd, vectors, count, join_halves(offset_low, offset_high), pread_into);
}

Result<u32> sys_pwritev(i32 fd, mm::UserPtr<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high)
{
    return vectored_at(fd, vectors, count, join_halves(offset_low, offset_high), pwrite_from);
}

// sendfile(2) with a 32-bit off_t: the offset, and the transfer, stop at 2 GiB - 1 (MAX_NON_LFS).
Result<u32> sys_sendfile(i32 out_fd, i32 in_fd, u32 offset, u32 count)
{
    if (!offset)
        return send_file(out_fd, in_fd, nullptr, count, fs::kMaxNonLfsSize);
    i32 start;
    TRY(mm::copy_from_user(start, mm::UserPtr<i32>(offset)));
    i64 position = start;
    u32 done = TRY(send_file(out_fd, in_fd, &position, count, fs::kMaxNonLfsSize));
    TRY(mm::copy_to_user(mm::UserPtr<i32>(offset), static_cast<i32>(position)));
    return done;
}

Result<u32> sys_sendfile64(i32 out_fd, i32 in_fd, u32 offset, u32 count)
{
    if (!offset)
        return send_file(out_fd, in_fd, nullptr, count, fs::kMaxFileSize);
    i64 position;
    TRY(mm::copy_from_user(position, mm::UserPtr<i64>(offset)));
    u32 done = TRY(send_file(out_fd, in_fd, &position, count, fs::kMaxFileSize));
    TRY(mm::copy_to_user(mm::UserPtr<i64>(offset), position));
    return done;
}

} // namespace sys
