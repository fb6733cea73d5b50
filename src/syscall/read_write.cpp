// read, write, readv, writev, ioctl and close (their man 2 pages): data between user memory and open files.
// The user memory goes to the file as an mm::OutBuffer or mm::InBuffer, and the file copies straight between
// it and its own storage; file_io.cpp does the same at an explicit offset.
#include "mm/kmalloc.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kFionbio = 0x5421, kFionclex = 0x5450, kFioclex = 0x5451;
constexpr i32 kUioMaxIov = 1024;


} // namespace

Result<void> UserIoVector::import(mm::UserIn<IoVec> vectors, i32 count, bool source)
{
    if (count < 0 || count > kUioMaxIov)
        return Errno::INVAL;
    auto n = static_cast<usize>(count);
    TRY(m_segments.try_resize_uninitialised(n));
    mm::IoSegment* segments = m_segments.data();
    // Fetched a few at a time, each element once: what is checked is what moves.
    usize total = 0;
    for (usize i = 0; i < n;) {
        IoVec batch[kInline];
        usize now = n - i < kInline ? n - i : kInline;
        TRY(mm::copy_array_from_user(batch, vectors.offset(i), now));
        for (usize j = 0; j < now; ++j, ++i) {
            const IoVec& v = batch[j];
            if (static_cast<i32>(v.length) < 0)
                return Errno::INVAL;
            if (v.length && !(source ? mm::is_user_readable_range(v.base, v.length) : mm::is_user_range(v.base, v.length)))
                return Errno::FAULT;
            usize length = v.length < kMaxRwCount - total ? v.length : kMaxRwCount - total;
            segments[i] = { v.base, length };
            total += length;
        }
    }
    m_total = total;
    return {};
}

Result<u32> sys_read(i32 fd, mm::UserOut<u8> buffer, u32 count)
{
    auto file = TRY(open_file_of(fd));
    if (!file->readable())
        return Errno::BADF;
    auto to = TRY(mm::OutBuffer::user(buffer, clamp_rw_count(count)));
    return static_cast<u32>(TRY(file->read(to)));
}

Result<u32> sys_write(i32 fd, mm::UserIn<u8> buffer, u32 count)
{
    auto file = TRY(open_file_of(fd));
    if (!file->writable())
        return Errno::BADF;
    auto from = TRY(mm::InBuffer::user(buffer, clamp_rw_count(count)));
    return static_cast<u32>(TRY(file->write(from)));
}

Result<u32> transfer_vector(i32 fd, mm::UserIn<IoVec> vectors, i32 count, bool reading, const i64* offset)
{
    auto file = TRY(open_file_of(fd));
    if (offset && *offset < 0)
        return Errno::INVAL;
    UserIoVector vector;
    TRY(vector.import(vectors, count, !reading));
    if (reading) {
        auto to = vector.destination();
        return static_cast<u32>(TRY(offset ? file->pread(to, *offset) : file->read(to)));
    }
    auto from = vector.source();
    return static_cast<u32>(TRY(offset ? file->pwrite(from, *offset) : file->write(from)));
}

// readv and writev move the whole vector in one transfer, as Linux's do: a pipe sees one read or write.
Result<u32> sys_readv(i32 fd, mm::UserIn<IoVec> vectors, i32 count)
{
    return transfer_vector(fd, vectors, count, true, nullptr);
}

Result<u32> sys_writev(i32 fd, mm::UserIn<IoVec> vectors, i32 count)
{
    return transfer_vector(fd, vectors, count, false, nullptr);
}

Result<i32> sys_ioctl(i32 fd, u32 request, mm::UserInOut<u8> argument)
{
    auto file = TRY(open_file_of(fd));
    // The requests every file answers (do_vfs_ioctl); the rest are the driver's.
    switch (request) {
    case kFioclex:
    case kFionclex:
        TRY(proc::current()->files->set_close_on_exec(fd, request == kFioclex));
        return 0;
    case kFionbio: {
        i32 on;
        TRY(mm::copy_from_user(on, argument.as<i32>()));
        u32 flags = file->flags();
        file->set_status_flags(on ? flags | fs::kONonBlock : flags & ~fs::kONonBlock);
        return 0;
    }
    default:
        if (file->is_path_only())
            return Errno::BADF;
        return file->operations().ioctl(*file, request, argument.address());
    }
}

Result<i32> sys_close(i32 fd)
{
    TRY(proc::current()->files->close(fd));
    return 0;
}

} // namespace sys
