// The memory one transfer moves through (Serenity's UserOrKernelBuffer, Linux's iov_iter): one or more runs
// of user memory, or one run of kernel memory, with a cursor. read, readv, pread64, preadv, write, writev,
// pwrite64, pwritev and sendfile all hand one to the file, which copies straight between its own storage (a
// page, a pipe's ring) and the caller's memory: no bounce buffer in between.
//
// The direction is the type: an OutBuffer is where a read's data goes (out of the kernel), an InBuffer is
// where a write's data comes from (into the kernel), as Zircon's user_out_ptr and user_in_ptr. A fault in user
// memory stops the copy where it happened: the copy returns the bytes moved before it and faulted() turns
// true, so the file returns a short count and the system call, when nothing moved, EFAULT.
#pragma once

#include "lib/result.hpp"
#include "lib/types.hpp"
#include "mm/uaccess.hpp"

namespace mm {

struct IoSegment {
    uptr base;
    usize length;
};

class IoBuffer {
public:
    // Bytes between the cursor and the end (or the limit).
    usize remaining() const { return m_remaining; }
    bool faulted() const { return m_faulted; }
    bool is_user() const { return m_space == Space::User; }
    // Ends the buffer `count` bytes past the cursor, when that is sooner (a write cut at a size limit).
    void limit(usize count)
    {
        if (count < m_remaining)
            m_remaining = count;
    }

protected:
    enum class Space : u8 { Kernel, User };
    IoBuffer(Space space, uptr base, usize length)
        : m_single { base, length }
        , m_count(1)
        , m_remaining(length)
        , m_space(space)
    {
    }
    IoBuffer(const IoSegment* segments, usize count, usize total)
        : m_segments(segments)
        , m_count(count)
        , m_remaining(total)
        , m_space(Space::User)
    {
    }
    // Calls `copy(address, length, done)` over the runs from the cursor for up to `count` bytes in all (`done`:
    // how many went before this run) and moves the cursor past what was copied. `copy` returns the bytes it
    // copied; fewer than asked is a fault, which stops the walk.
    template<typename Copy>
    usize walk(usize count, Copy copy);
    // Runs `step(chunk, length)` over `count` bytes a stack chunk (kIoChunkBytes) at a time; `step` returns
    // how many of them moved, and fewer stops it. Returns the bytes moved.
    template<typename Step>
    static usize by_chunks(usize count, Step step);

private:
    const IoSegment& segment(usize index) const { return m_segments ? m_segments[index] : m_single; }

    IoSegment m_single {};                // the run of a one-run buffer (copies of the buffer stay valid)
    const IoSegment* m_segments { nullptr }; // a vector's runs (the caller's array, which outlives the buffer)
    usize m_count;
    usize m_index { 0 };   // the run the cursor is in
    usize m_within { 0 };  // and how far into it
    usize m_remaining;
    Space m_space;
    bool m_faulted { false };
};

// Where a read's data goes.
class OutBuffer final : public IoBuffer {
public:
    // User memory at [base, base + length); EFAULT when it is not all in user space (access_ok).
    static Result<OutBuffer> user(UserOut<u8> base, usize length);
    // User memory in runs, already checked (readv's vector: syscall/read_write.cpp), `total` bytes in all.
    static OutBuffer user_segments(const IoSegment* segments, usize count, usize total);
    static OutBuffer kernel(void* base, usize length);

    // Copies `count` bytes (at most remaining()) from `from` to the cursor; returns how many went before a
    // fault.
    usize put(const void* from, usize count);
    usize put_zeros(usize count);
    // For data made on the fly (a random stream): `make(chunk, length)` fills a small kernel chunk at a time,
    // which is put; returns the bytes put, `count` at most.
    template<typename Make>
    usize put_made(usize count, Make make);

private:
    using IoBuffer::IoBuffer;
};

// Where a write's data comes from.
class InBuffer final : public IoBuffer {
public:
    static Result<InBuffer> user(UserIn<u8> base, usize length);
    static InBuffer user_segments(const IoSegment* segments, usize count, usize total);
    static InBuffer kernel(const void* base, usize length);

    // Copies `count` bytes (at most remaining()) at the cursor to `to`; returns how many came before a fault.
    usize take(void* to, usize count);
    // For a consumer of bytes (a console, the entropy pool): hands them to `use(chunk, length)` a small kernel
    // chunk at a time; returns the bytes taken, `count` at most.
    template<typename Use>
    usize take_chunks(usize count, Use use);

private:
    using IoBuffer::IoBuffer;
};

inline constexpr usize kIoChunkBytes = 256; // put_made and take_chunks' stack chunk

template<typename Copy>
usize IoBuffer::walk(usize count, Copy copy)
{
    if (count > m_remaining)
        count = m_remaining;
    usize done = 0;
    while (done < count && m_index < m_count) {
        const IoSegment& run = segment(m_index);
        usize left = run.length - m_within;
        if (left == 0) {
            ++m_index;
            m_within = 0;
            continue;
        }
        usize now = count - done < left ? count - done : left;
        usize copied = copy(run.base + m_within, now, done);
        done += copied;
        m_within += copied;
        m_remaining -= copied;
        if (copied < now) {
            m_faulted = true;
            break;
        }
    }
    return done;
}

template<typename Step>
usize IoBuffer::by_chunks(usize count, Step step)
{
    u8 chunk[kIoChunkBytes];
    usize done = 0;
    while (done < count) {
        usize now = count - done < sizeof(chunk) ? count - done : sizeof(chunk);
        usize moved = step(chunk, now);
        done += moved;
        if (moved < now)
            break;
    }
    return done;
}

template<typename Make>
usize OutBuffer::put_made(usize count, Make make)
{
    return by_chunks(count < remaining() ? count : remaining(), [&](u8* chunk, usize length) {
        make(chunk, length);
        return put(chunk, length);
    });
}

template<typename Use>
usize InBuffer::take_chunks(usize count, Use use)
{
    return by_chunks(count < remaining() ? count : remaining(), [&](u8* chunk, usize length) {
        usize taken = take(chunk, length);
        if (taken)
            use(static_cast<const u8*>(chunk), taken);
        return taken;
    });
}

} // namespace mm
