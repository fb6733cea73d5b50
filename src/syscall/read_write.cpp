// read, write, readv, writev, ioctl and close (their man 2 pages): data between user memory and open files,
// through a kernel buffer (the VFS works on kernel memory; the user side may fault at any byte).
#include "mm/kmalloc.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kMaxRwCount = 0x7FFFF000; // MAX_RW_COUNT: one call moves at most this much
constexpr usize kBounceBytes = 64 * 1024;
constexpr u32 kFionbio = 0x5421, kFionclex = 0x5450, kFioclex = 0x5451;

// A kernel buffer for one call's transfer, freed with it.
class Bounce {
public:
    explicit Bounce(usize wanted) : m_size(wanted < kBounceBytes ? wanted : kBounceBytes) {}
    ~Bounce() { mm::kfree(m_heap); }
    Result<u8*> get()
    {
        if (m_size <= sizeof(m_local))
            return m_local;
        if (!m_heap)
            m_heap = static_cast<u8*>(TRY(mm::kmalloc(m_size)));
        return m_heap;
    }
    usize size() const { return m_size; }

private:
    usize m_size;
    u8 m_local[256];
    u8* m_heap { nullptr };
};

// Regular files are read and written chunk after chunk; anything else (a pipe, a terminal) in one chunk, so
// that a call that got something never blocks again for more.
bool streams(const fs::OpenFile& file) { return fs::is_reg(file.inode().mode()) || fs::is_blk(file.inode().mode()); }

// Reads into user memory at `buffer`. A fault or error after some bytes is a short count, as on Linux.
Result<u32> read_into(fs::OpenFile& file, u32 buffer, u32 count)
{
    if (!file.readable())
        return Errno::BADF;
    if (!mm::is_user_range(buffer, count))
        return Errno::FAULT;
    Bounce bounce(count);
    u8* chunk = TRY(bounce.get());
    u32 done = 0;
    while (done < count) {
        usize want = count - done < bounce.size() ? count - done : bounce.size();
        auto got = file.read(chunk, want);
        if (got.is_error())
            return done ? Result<u32>(done) : Result<u32>(got.error());
        usize copied = mm::copy_to_user_partial(buffer + done, chunk, got.value());
        done += static_cast<u32>(copied);
        if (copied < got.value()) // the bytes read past a fault are lost, as on Linux
            return done ? Result<u32>(done) : Result<u32>(Errno::FAULT);
        if (got.value() < want || !streams(file))
            break;
    }
    return done;
}

Result<u32> write_from(fs::OpenFile& file, u32 buffer, u32 count)
{
    if (!file.writable())
        return Errno::BADF;
    if (!mm::is_user_range(buffer, count))
        return Errno::FAULT;
    Bounce bounce(count);
    u8* chunk = TRY(bounce.get());
    u32 done = 0;
    while (done < count) {
        usize want = count - done < bounce.size() ? count - done : bounce.size();
        usize readable = mm::copy_from_user_partial(chunk, buffer + done, want);
        if (readable == 0)
            return done ? Result<u32>(done) : Result<u32>(Errno::FAULT);
        bool faulted = readable < want;
        want = readable;
        auto put = file.write(chunk, want);
        if (put.is_error())
            return done ? Result<u32>(done) : Result<u32>(put.error());
        done += static_cast<u32>(put.value());
        if (put.value() < want || faulted)
            break;
    }
    return done;
}

// readv and writev: the whole vector checked first, as Linux's import_iovec does (a length negative as ssize_t
// or a range outside user space fails the call before anything moves; a total past MAX_RW_COUNT is cut there),
// then one segment after another until one comes up short.
template<typename Transfer>
Result<u32> vectored(i32 fd, mm::UserPtr<IoVec> vectors, i32 count, Transfer transfer)
{
    auto file = TRY(open_file_of(fd));
    TRY(check_io_vectors(vectors, count));
    u32 total = 0;
    for (i32 i = 0; i < count && total < kMaxRwCount; ++i) {
        IoVec v;
        TRY(mm::copy_from_user(v, vectors.offset(i)));
        if (v.length > kMaxRwCount - total)
            v.length = kMaxRwCount - total;
        if (!v.length)
            continue;
        auto moved = transfer(*file, v.base, v.length);
        if (moved.is_error())
            return total ? Result<u32>(total) : moved;
        total += moved.value();
        if (moved.value() < v.length)
            break;
    }
    return total;
}

} // namespace

Result<void> check_io_vectors(mm::UserPtr<IoVec> vectors, i32 count)
{
    if (count < 0 || count > 1024) // UIO_MAXIOV
        return Errno::INVAL;
    for (i32 i = 0; i < count; ++i) {
        IoVec v;
        TRY(mm::copy_from_user(v, vectors.offset(i)));
        if (static_cast<i32>(v.length) < 0)
            return Errno::INVAL;
        if (v.length && !mm::is_user_range(v.base, v.length))
            return Errno::FAULT;
    }
    return {};
}

Result<u32> sys_read(i32 fd, u32 buffer, u32 count)
{
    auto file = TRY(open_file_of(fd));
    return read_into(*file, buffer, count > kMaxRwCount ? kMaxRwCount : count);
}

Result<u32> sys_write(i32 fd, u32 buffer, u32 count)
{
    auto file = TRY(open_file_of(fd));
    return write_from(*file, buffer, count > kMaxRwCount ? kMaxRwCount : count);
}

Result<u32> sys_readv(i32 fd, mm::UserPtr<IoVec> vectors, i32 count)
{
    return vectored(fd, vectors, count, [](fs::OpenFile& file, u32 base, u32 length) {
        return read_into(file, base, length);
    });
}

Result<u32> sys_writev(i32 fd, mm::UserPtr<IoVec> vectors, i32 count)
{
    return vectored(fd, vectors, count, [](fs::OpenFile& file, u32 base, u32 length) {
        return write_from(file, base, length);
    });
}

Result<i32> sys_ioctl(i32 fd, u32 request, u32 argument)
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
        TRY(mm::copy_from_user(on, mm::UserPtr<i32>(argument)));
        u32 flags = file->flags();
        file->set_status_flags(on ? flags | fs::kONonBlock : flags & ~fs::kONonBlock);
        return 0;
    }
    default:
        if (file->is_path_only())
            return Errno::BADF;
        return file->operations().ioctl(*file, request, argument);
    }
}

Result<i32> sys_close(i32 fd)
{
    TRY(proc::current()->files->close(fd));
    return 0;
}

} // namespace sys
