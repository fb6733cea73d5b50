// Pipes and FIFOs over one ring buffer each. Every change (bytes in or out, an end opened or closed) wakes the
// pipe's one queue: readers, writers, FIFO openers and poll/select sleepers all recheck what they wait for.
// A read or write holds the pipe's mutex from its look at the ring to the end of its copy, so a copy that
// sleeps on a page fault cannot interleave with another.
#include "fs/pipe.hpp"

#include <new>
#include <utility>

#include "fs/devices.hpp"
#include "fs/inode.hpp"
#include "lib/string.hpp"
#include "mm/uaccess.hpp"
#include "proc/process.hpp"
#include "proc/signal.hpp"

namespace fs {

namespace {

constexpr u32 kFionread = 0x541B;

// --- pipefs: where anonymous pipes' inodes live (never mounted in the tree; mount(2) cannot name it) ---

Result<MountSource> refuse_mount(const FileSystemType&, StringView, StringView) { return Errno::INVAL; }

FileSystemType& pipefs_type()
{
    static FileSystemType type("pipefs", false, refuse_mount);
    return type;
}

class PipefsSuperblock final : public Superblock {
public:
    explicit PipefsSuperblock(u32 dev)
        : Superblock(pipefs_type(), dev)
    {
    }
    u64 next_ino { 1 };
};

// The one pipefs mount, while any anonymous pipe is open: the pipes' Paths hold it, and its root clears this
// pointer when the last of them goes (so nothing outlives a test's machine on the host).
Mount* g_pipefs_mount;
u32 g_pipefs_dev;

class PipefsRoot final : public Inode {
public:
    explicit PipefsRoot(Superblock& superblock)
        : Inode(superblock, 1, kIfDir | 0700)
    {
    }
    ~PipefsRoot() override { g_pipefs_mount = nullptr; }
};

class PipeInode final : public Inode {
public:
    PipeInode(Superblock& superblock, u64 ino, RefPtr<Pipe> pipe)
        : Inode(superblock, ino, kIfIfo | 0600)
        , m_pipe(std::move(pipe))
    {
        set_pipe(m_pipe.get());
    }
    FileOperations& file_operations() override { return pipe_file_operations(); }

private:
    RefPtr<Pipe> m_pipe; // the inode's for its whole life, unlike a FIFO's
};

bool is_pipefs(const Inode& inode) { return &inode.superblock().type() == &pipefs_type(); }

Result<RefPtr<Mount>> pipefs_mount()
{
    if (g_pipefs_mount)
        return RefPtr<Mount>(g_pipefs_mount);
    if (!g_pipefs_dev)
        g_pipefs_dev = allocate_anonymous_dev();
    auto superblock = TRY(make_ref<PipefsSuperblock>(g_pipefs_dev));
    auto root = TRY(make_ref<PipefsRoot>(*superblock));
    RefPtr<Mount> mount = TRY(Mount::create_root(MountSource { superblock, root }));
    g_pipefs_mount = mount.get();
    return mount;
}

// --- FIFOs ---

// What an open pipe or FIFO keeps (OpenFile::private_data): its pipe, and the writer-open count when it was
// opened, for POLLHUP.
struct PipeEnd {
    RefPtr<Pipe> pipe;
    u32 writer_opens_at_open { 0 };
};

PipeEnd* end_of(OpenFile& file) { return static_cast<PipeEnd*>(file.private_data); }

// A FIFO's pipe leaves its inode with its last reader and writer (fifo_release's free_pipe_info): the next
// open starts an empty one.
void forget_fifo_if_unused(Inode& inode)
{
    Pipe* pipe = inode.pipe();
    if (pipe && !is_pipefs(inode) && !pipe->readers() && !pipe->writers())
        inode.set_pipe(nullptr);
}

// The FIFO open rules (man 7 fifo, Linux's fifo_open): O_RDWR never waits; a reader waits until a writer has
// opened, a writer until a reader has, unless O_NONBLOCK, where a writer with no reader gets ENXIO. A signal
// while waiting undoes the open: ERESTARTSYS.
Result<void> open_fifo(OpenFile& file, PipeEnd& end)
{
    Inode& inode = file.inode();
    RefPtr<Pipe> pipe(inode.pipe());
    if (!pipe) {
        pipe = TRY(Pipe::create());
        inode.set_pipe(pipe.get());
    }
    end.pipe = pipe;
    bool nonblock = file.flags() & kONonBlock;
    bool reading = file.readable(), writing = file.writable();
    if (reading && writing) {
        pipe->open_end(true, true);
        return {};
    }
    if (reading) {
        u32 seen = pipe->writer_opens();
        end.writer_opens_at_open = seen;
        pipe->open_end(true, false);
        if (pipe->writers() || nonblock)
            return {};
        if (pipe->queue().wait_until([&] { return pipe->writer_opens() != seen; }) == proc::WaitOutcome::Ready)
            return {};
        pipe->close_end(true, false);
        forget_fifo_if_unused(inode);
        return Errno::RESTARTSYS;
    }
    if (nonblock && !pipe->readers()) {
        forget_fifo_if_unused(inode);
        return Errno::NXIO;
    }
    u32 seen = pipe->reader_opens();
    pipe->open_end(false, true);
    if (pipe->readers()
        || pipe->queue().wait_until([&] { return pipe->reader_opens() != seen; }) == proc::WaitOutcome::Ready)
        return {};
    pipe->close_end(false, true);
    forget_fifo_if_unused(inode);
    return Errno::RESTARTSYS;
}

class PipeFileOperations final : public FileOperations {
public:
    Result<void> open(OpenFile& file) override
    {
        auto* end = new (std::nothrow) PipeEnd;
        if (!end)
            return Errno::NOMEM;
        Inode& inode = file.inode();
        if (is_pipefs(inode)) {
            // An anonymous pipe's end, from make_pipe (or reopened through /proc/self/fd, without waiting).
            end->pipe = inode.pipe();
            end->pipe->open_end(file.readable(), file.writable());
        } else if (auto opened = open_fifo(file, *end); opened.is_error()) {
            delete end;
            return opened.error();
        }
        file.private_data = end;
        return {};
    }

    void release(OpenFile& file) override
    {
        PipeEnd* end = end_of(file);
        file.private_data = nullptr;
        end->pipe->close_end(file.readable(), file.writable());
        forget_fifo_if_unused(file.inode());
        delete end;
    }

    Result<usize> read(OpenFile& file, u64, mm::OutBuffer& to) override
    {
        return end_of(file)->pipe->read(to, file.flags() & kONonBlock);
    }

    Result<usize> write(OpenFile& file, u64, mm::InBuffer& from) override
    {
        return end_of(file)->pipe->write(from, file.flags() & kONonBlock);
    }

    Result<i32> ioctl(OpenFile& file, u32 request, uptr argument) override
    {
        if (request != kFionread)
            return Errno::NOTTY;
        // FIONREAD: the bytes waiting to be read (man 7 pipe, "I/O on pipes and FIFOs").
        i32 waiting = static_cast<i32>(end_of(file)->pipe->size());
        TRY(mm::copy_to_user(mm::UserOut<i32>(argument), waiting));
        return 0;
    }

    u32 poll(OpenFile& file) override
    {
        PipeEnd* end = end_of(file);
        return end ? end->pipe->poll(file.readable(), file.writable(), end->writer_opens_at_open) : 0;
    }

    WaitQueue* poll_queue(OpenFile& file) override
    {
        PipeEnd* end = end_of(file);
        return end ? &end->pipe->queue() : nullptr;
    }

    bool seekable() const override { return false; }
};

} // namespace

// --- the ring ---

Result<RefPtr<Pipe>> Pipe::create()
{
    mm::Vector<u8> ring;
    TRY(ring.try_resize_uninitialised(kPipeCapacity));
    return make_ref<Pipe>(std::move(ring));
}

usize Pipe::copy_in(mm::InBuffer& from, usize count)
{
    usize tail = (m_head + m_size) % kPipeCapacity;
    usize first = count < kPipeCapacity - tail ? count : kPipeCapacity - tail;
    usize taken = from.take(m_ring.data() + tail, first);
    if (taken == first && count > first)
        taken += from.take(m_ring.data(), count - first);
    m_size += taken;
    return taken;
}

usize Pipe::copy_out(mm::OutBuffer& to, usize count)
{
    usize first = count < kPipeCapacity - m_head ? count : kPipeCapacity - m_head;
    usize put = to.put(m_ring.data() + m_head, first);
    if (put == first && count > first)
        put += to.put(m_ring.data(), count - first);
    m_head = (m_head + put) % kPipeCapacity;
    m_size -= put;
    if (!m_size)
        m_head = 0; // keeps small writes contiguous
    return put;
}

Result<usize> Pipe::read(mm::OutBuffer& to, bool nonblock)
{
    usize count = to.remaining();
    if (!count)
        return usize { 0 };
    for (;;) {
        {
            proc::MutexGuard guard(m_mutex);
            if (m_size) {
                usize put = copy_out(to, count < m_size ? count : m_size);
                if (put)
                    m_queue.wake_all(); // room for writers
                return put;
            }
            if (!m_writers)
                return usize { 0 }; // end of file
        }
        if (nonblock)
            return Errno::AGAIN;
        if (m_queue.wait_until([this] { return m_size || !m_writers; }) != proc::WaitOutcome::Ready)
            return Errno::RESTARTSYS; // nothing moved: the signal code restarts or says EINTR
    }
}

Result<usize> Pipe::write(mm::InBuffer& from, bool nonblock)
{
    // Linux checks the length before the readers: an empty write succeeds even on a widowed pipe.
    usize count = from.remaining();
    if (!count)
        return usize { 0 };
    bool atomic = count <= kPipeBuf; // all at once or not at all
    usize done = 0;
    for (;;) {
        usize needed = atomic ? count : 1;
        {
            proc::MutexGuard guard(m_mutex);
            if (!m_readers)
                break;
            if (room() >= needed) {
                usize n = count - done < room() ? count - done : room();
                usize taken = copy_in(from, n);
                done += taken;
                if (taken)
                    m_queue.wake_all(); // data for readers
                if (done == count || taken < n)
                    return done;
                continue;
            }
        }
        if (nonblock)
            return done ? Result<usize>(done) : Result<usize>(Errno::AGAIN);
        if (m_queue.wait_until([&] { return !m_readers || room() >= needed; }) != proc::WaitOutcome::Ready)
            return done ? Result<usize>(done) : Result<usize>(Errno::RESTARTSYS);
    }
    // man 7 pipe: SIGPIPE to the writing thread, and EPIPE (unless some bytes went in).
    proc::Thread& self = *proc::current();
    proc::send_thread_signal(self, proc::kSigPipe, { proc::kSiUser, self.tgid(), self.credentials.uid, 0, 0 });
    return done ? Result<usize>(done) : Result<usize>(Errno::PIPE);
}

u32 Pipe::poll(bool reading, bool writing, u32 writer_opens_at_open) const
{
    u32 mask = 0;
    if (reading) {
        if (m_size)
            mask |= kPollIn | kPollRdNorm;
        if (!m_writers && m_writer_opens != writer_opens_at_open)
            mask |= kPollHup;
    }
    if (writing) {
        // Writable when a PIPE_BUF write would not wait (Linux: while a page slot is free).
        if (room() >= kPipeBuf)
            mask |= kPollOut | kPollWrNorm;
        if (!m_readers)
            mask |= kPollErr;
    }
    return mask;
}

void Pipe::open_end(bool reading, bool writing)
{
    if (reading) {
        ++m_readers;
        ++m_reader_opens;
    }
    if (writing) {
        ++m_writers;
        ++m_writer_opens;
    }
    m_queue.wake_all(); // FIFO openers waiting for a partner
}

void Pipe::close_end(bool reading, bool writing)
{
    if (reading)
        --m_readers;
    if (writing)
        --m_writers;
    m_queue.wake_all(); // readers see EOF, writers EPIPE, pollers POLLHUP or POLLERR
}

// --- anonymous pipes ---

Result<PipeFiles> make_pipe(u32 flags)
{
    auto pipe = TRY(Pipe::create());
    RefPtr<Mount> mount = TRY(pipefs_mount());
    auto& superblock = static_cast<PipefsSuperblock&>(mount->superblock());
    auto inode = TRY(make_ref<PipeInode>(superblock, ++superblock.next_ino, pipe));
    if (proc::Thread* self = proc::current()) {
        inode->attributes().uid = self->credentials.fsuid;
        inode->attributes().gid = self->credentials.fsgid;
    }
    inode->attributes().nlink = 1;
    Path path { mount, RefPtr<Inode>(inode.get()) };
    u32 status = flags & (kONonBlock | kODirect);
    // The read end first: its POLLHUP snapshot predates the writer's open, as Linux's f_version of 0 does.
    PipeFiles files;
    files.read_end = TRY(OpenFile::create(path, kORdOnly | status, pipe_file_operations()));
    files.write_end = TRY(OpenFile::create(path, kOWrOnly | status, pipe_file_operations()));
    return files;
}

FileOperations& pipe_file_operations()
{
    static PipeFileOperations operations;
    return operations;
}

Pipe* pipe_of(OpenFile& file)
{
    if (&file.operations() != &pipe_file_operations())
        return nullptr;
    PipeEnd* end = end_of(file);
    return end ? end->pipe.get() : nullptr;
}

} // namespace fs
