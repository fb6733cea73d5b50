// pread64, pwrite64, preadv, pwritev (man 2 pread, man 2 preadv) and sendfile, sendfile64 (man 2 sendfile):
// transfers at an explicit offset that leave the file position alone. The p-calls hand the user memory to the
// file as read_write.cpp's calls do; sendfile moves file to file through a kernel chunk. i386 passes a 64-bit
// offset in two registers, low word first.
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr usize kChunkBytes = 16 * 1024;

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
    count = clamp_rw_count(count);
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
    mm::Vector<u8> chunk;
    TRY(chunk.try_resize_uninitialised(kChunkBytes));
    u8* data = chunk.data();
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

Result<u32> sys_pread64(i32 fd, mm::UserOut<u8> buffer, u32 count, u32 offset_low, u32 offset_high)
{
    auto file = TRY(open_file_of(fd));
    auto to = TRY(mm::OutBuffer::user(buffer, clamp_rw_count(count)));
    return static_cast<u32>(TRY(file->pread(to, join_halves(offset_low, offset_high))));
}

Result<u32> sys_pwrite64(i32 fd, mm::UserIn<u8> buffer, u32 count, u32 offset_low, u32 offset_high)
{
    auto file = TRY(open_file_of(fd));
    auto from = TRY(mm::InBuffer::user(buffer, clamp_rw_count(count)));
    return static_cast<u32>(TRY(file->pwrite(from, join_halves(offset_low, offset_high))));
}

Result<u32> sys_preadv(i32 fd, mm::UserIn<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high)
{
    i64 offset = join_halves(offset_low, offset_high);
    return transfer_vector(fd, vectors, count, true, &offset);
}

Result<u32> sys_pwritev(i32 fd, mm::UserIn<IoVec> vectors, i32 count, u32 offset_low, u32 offset_high)
{
    i64 offset = join_halves(offset_low, offset_high);
    return transfer_vector(fd, vectors, count, false, &offset);
}

// sendfile(2) with a 32-bit off_t: the offset, and the transfer, stop at 2 GiB - 1 (MAX_NON_LFS).
Result<u32> sys_sendfile(i32 out_fd, i32 in_fd, mm::UserInOut<i32> offset, u32 count)
{
    if (offset.is_null())
        return send_file(out_fd, in_fd, nullptr, count, fs::kMaxNonLfsSize);
    i32 start;
    TRY(mm::copy_from_user(start, offset));
    i64 position = start;
    u32 done = TRY(send_file(out_fd, in_fd, &position, count, fs::kMaxNonLfsSize));
    TRY(mm::copy_to_user(offset, static_cast<i32>(position)));
    return done;
}

Result<u32> sys_sendfile64(i32 out_fd, i32 in_fd, mm::UserInOut<i64> offset, u32 count)
{
    if (offset.is_null())
        return send_file(out_fd, in_fd, nullptr, count, fs::kMaxFileSize);
    i64 position;
    TRY(mm::copy_from_user(position, offset));
    u32 done = TRY(send_file(out_fd, in_fd, &position, count, fs::kMaxFileSize));
    TRY(mm::copy_to_user(offset, position));
    return done;
}

} // namespace sys
