// Pipes and FIFOs (man 7 pipe, man 7 fifo): a 64 KiB ring of bytes between the writers and the readers of one
// Pipe. Anonymous pipes (pipe(2)) get a fresh inode on a private pipefs; a FIFO (a S_IFIFO node on any
// filesystem) keeps its Pipe on its inode (Inode::pipe, Linux's i_pipe) while anyone has it open, and opens
// with FIFO rules: a reader waits for a writer and a writer for a reader, unless O_NONBLOCK or O_RDWR.
#pragma once

#include <utility>

#include "fs/open_file.hpp"
#include "mm/vector.hpp"
#include "proc/mutex.hpp"
#include "proc/wait_queue.hpp"

namespace fs {

// Writes of at most this many bytes are never interleaved with other writers' (POSIX PIPE_BUF).
inline constexpr usize kPipeBuf = 4096;
// The ring's size (Linux's default pipe size, 16 pages).
inline constexpr usize kPipeCapacity = 64 * 1024;

class Pipe : public RefCounted<Pipe> {
public:
    static Result<RefPtr<Pipe>> create();

    usize size() const { return m_size; }
    usize room() const { return kPipeCapacity - m_size; }
    u32 readers() const { return m_readers; }
    u32 writers() const { return m_writers; }

    // read(2): as many of the bytes there now as `to` has room for, copied straight from the ring; waits while
    // the pipe is empty and has a writer, unless `nonblock` (EAGAIN). 0 at end of file (no writer left), or
    // when `to` faulted at once. A signal while waiting: ERESTARTSYS.
    Result<usize> read(mm::OutBuffer& to, bool nonblock);
    // write(2): all of `from`, waiting for room; a write of at most kPipeBuf bytes goes in one piece. With no
    // reader: SIGPIPE to the calling thread and EPIPE. `nonblock`: what fits now (a small write all or
    // nothing), EAGAIN when nothing does. A signal while waiting: the count written so far, or ERESTARTSYS. A
    // fault in `from` ends the write short.
    Result<usize> write(mm::InBuffer& from, bool nonblock);
    // poll(2) bits for an end open for reading and/or writing. `writer_opens_at_open` is writer_opens() when
    // that end was opened: POLLHUP waits for a writer to have opened since, so that a FIFO reader opened
    // before any writer does not see a hang-up (Linux's pipe_poll and f_version).
    u32 poll(bool reading, bool writing, u32 writer_opens_at_open) const;

    // Opening and closing ends: the counts the rules above read, and wake-ups for those waiting on them.
    void open_end(bool reading, bool writing);
    void close_end(bool reading, bool writing);
    // How many writer (reader) opens there have ever been: a FIFO open waits for these to move.
    u32 writer_opens() const { return m_writer_opens; }
    u32 reader_opens() const { return m_reader_opens; }

    WaitQueue& queue() { return m_queue; }

    // Use create(); public only for make_ref. Takes the ring, kPipeCapacity bytes.
    explicit Pipe(mm::Vector<u8>&& ring)
        : m_ring(std::move(ring))
    {
    }

private:
    // Between the ring and a transfer's buffer; each returns the bytes moved (fewer on a fault).
    usize copy_in(mm::InBuffer& from, usize count);
    usize copy_out(mm::OutBuffer& to, usize count);

    mm::Vector<u8> m_ring;
    usize m_head { 0 }; // where the oldest byte is
    usize m_size { 0 };
    u32 m_readers { 0 }, m_writers { 0 };
    u32 m_reader_opens { 0 }, m_writer_opens { 0 };
    WaitQueue m_queue; // readers, writers, FIFO openers and pollers: every change wakes them all
    // Held by a read or write from its check of the ring to the end of its copy, which may sleep on a page
    // fault in user memory (Linux's pipe->mutex); never while waiting on m_queue.
    proc::Mutex m_mutex;
};

// pipe2(2) without the descriptors: the two open files, for reading and for writing, with `flags`'
// O_NONBLOCK (O_CLOEXEC is the caller's business). ENOMEM.
struct PipeFiles {
    RefPtr<OpenFile> read_end;
    RefPtr<OpenFile> write_end;
};
Result<PipeFiles> make_pipe(u32 flags);

// The operations pipes and FIFOs open with (resolve_special_file gives them to every S_IFIFO node).
FileOperations& pipe_file_operations();

// The Pipe behind an open pipe or FIFO, or nullptr for another file (F_GETPIPE_SZ and friends).
Pipe* pipe_of(OpenFile& file);

} // namespace fs
