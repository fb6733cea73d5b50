// poll, ppoll, select, the old select and pselect6 (their man 2 pages): readiness from each file's
// FileOperations::poll, and a sleep on the files' poll queues (fs/poll_table.hpp) until one announces a change,
// the timeout passes or a signal arrives. Linux's fs/select.c is the model for every rule below: which bits
// count for select's three sets, POLLNVAL, the time left written back, and the temporary signal mask.
#include "fs/poll_table.hpp"
#include "lib/string.hpp"
#include "mm/kmalloc.hpp"
#include "proc/scheduler.hpp"
#include "proc/signal.hpp"
#include "syscall/files.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kPollNval = 0x020, kPollRdBand = 0x080, kPollWrBand = 0x200;
// What makes a descriptor ready for each of select's sets (POLLIN_SET, POLLOUT_SET, POLLEX_SET).
constexpr u32 kPollInSet = fs::kPollRdNorm | kPollRdBand | fs::kPollIn | fs::kPollHup | fs::kPollErr;
constexpr u32 kPollOutSet = kPollWrBand | fs::kPollWrNorm | fs::kPollOut | fs::kPollErr;
constexpr u32 kPollExSet = fs::kPollPri;
constexpr i64 kNanosecondsPerSecond = 1000000000;
constexpr u32 kSigsetBytes = 8;
constexpr u64 kUnblockable = proc::signal_bit(proc::kSigKill) | proc::signal_bit(proc::kSigStop);

proc::Thread& self() { return *proc::current(); }

// When a wait ends, on the monotonic clock.
class Deadline {
public:
    // `timeout_ns` < 0: never.
    explicit Deadline(i64 timeout_ns)
    {
        if (timeout_ns < 0)
            return;
        m_forever = false;
        m_zero = timeout_ns == 0;
        m_at = proc::deadline_after(static_cast<u64>(timeout_ns));
    }
    // For proc::wait_event.
    u64 at() const { return m_forever ? proc::kNoDeadline : m_at; }
    bool forever() const { return m_forever; }
    // poll_select_finish writes nothing back for a zero timeout.
    bool zero() const { return m_zero; }
    i64 left_ns() const
    {
        u64 now = arch::clock_ns();
        return m_at > now ? static_cast<i64>(m_at - now) : 0;
    }

private:
    bool m_forever { true };
    bool m_zero { false };
    u64 m_at { 0 };
};

// The loop every call shares (do_poll, do_select): scan, and while nothing is ready, sleep on every watched
// file's queue at once. The first scan registers on the queues; later ones only look. A signal beats a
// timeout (Linux checks it first, so even a zero timeout gives EINTR with a signal pending): ERESTARTNOHAND,
// EINTR once a handler runs.
template<typename Scan> Result<i32> wait_for_events(const Deadline& deadline, Scan scan)
{
    fs::PollTable table;
    bool registered = false;
    i32 ready = 0;
    Errno error {};
    bool failed = false;
    auto outcome = proc::wait_event(table, [&] {
        auto scanned = scan(registered || deadline.zero() ? nullptr : &table);
        registered = true;
        failed = scanned.is_error();
        if (failed)
            error = scanned.error();
        else
            ready = scanned.value();
        return failed || ready != 0;
    }, deadline.at(), proc::Interruptible::Yes);
    if (outcome == proc::WaitOutcome::Ready)
        return failed ? Result<i32>(error) : Result<i32>(ready);
    if (outcome == proc::WaitOutcome::Interrupted || proc::has_deliverable_signal(self()))
        return Errno::RESTARTNOHAND;
    return 0;
}

// A descriptor's readiness: POLLNVAL for one that is not open (or O_PATH, which poll cannot watch), else its
// file's answer; `table` puts the caller on the file's queue.
Result<u32> readiness(fs::FdTable& fds, i32 fd, fs::PollTable* table)
{
    auto file = fds.get(fd);
    if (file.is_error() || file.value()->is_path_only())
        return kPollNval;
    fs::OpenFile& open = *file.value();
    if (table)
        TRY(table->add(open));
    return open.operations().poll(open);
}

// ppoll and pselect6's mask: in force while the call waits; kept for the handler frame when the call is
// interrupted (the signal code restores it after the handler, as for rt_sigsuspend), else restored at once.
void set_temporary_mask(u64 mask)
{
    self().saved_signal_mask = self().signal_blocked;
    self().has_saved_signal_mask = true;
    self().signal_blocked = mask & ~kUnblockable;
}

template<typename T> Result<T> finish_temporary_mask(Result<T> result)
{
    bool interrupted = result.is_error() && result.error() == Errno::RESTARTNOHAND;
    if (self().has_saved_signal_mask && !interrupted) {
        self().signal_blocked = self().saved_signal_mask;
        self().has_saved_signal_mask = false;
    }
    return result;
}

// Reads a sigset_t of `size` bytes at `address` (0: none, so no temporary mask). EINVAL for a size other
// than the kernel's.
Result<void> apply_user_mask(mm::UserIn<u64> address, u32 size)
{
    if (address.is_null())
        return {};
    if (size != kSigsetBytes)
        return Errno::INVAL;
    u64 mask;
    TRY(mm::copy_from_user(mask, address));
    set_temporary_mask(mask);
    return {};
}

// The time left goes back to the caller's timeout (Linux's poll_select_finish), unless the timeout was zero.
// If it cannot be written, an interrupted call must not restart (its timeout would be the old one): EINTR.
Timeval32 time_from_ns(i64 ns, Timeval32*)
{
    return { static_cast<i32>(ns / kNanosecondsPerSecond), static_cast<i32>(ns % kNanosecondsPerSecond / 1000) };
}
Timespec32 time_from_ns(i64 ns, Timespec32*)
{
    return { static_cast<i32>(ns / kNanosecondsPerSecond), static_cast<i32>(ns % kNanosecondsPerSecond) };
}
Timespec64 time_from_ns(i64 ns, Timespec64*) { return { ns / kNanosecondsPerSecond, ns % kNanosecondsPerSecond }; }

template<typename T, typename Time>
Result<T> write_time_left(Result<T> result, const Deadline& deadline, mm::UserInOut<Time> timeout)
{
    if (timeout.is_null() || deadline.forever() || deadline.zero())
        return result;
    auto written = mm::copy_to_user(timeout, time_from_ns(deadline.left_ns(), static_cast<Time*>(nullptr)));
    if (written.is_error() && result.is_error() && result.error() == Errno::RESTARTNOHAND)
        return Errno::INTR;
    return result;
}

// --- poll ---

// A kernel copy of the caller's pollfd array, freed with it.
class PollFds {
public:
    Result<void> read(mm::UserIn<PollFd> fds, u32 count)
    {
        TRY(m_fds.try_resize_uninitialised(count));
        return mm::copy_array_from_user(m_fds.data(), fds, count);
    }
    PollFd* begin() { return m_fds.begin(); }
    PollFd* end() { return m_fds.end(); }

private:
    mm::Vector<PollFd, 8> m_fds;
};

// do_sys_poll: EINVAL for more entries than RLIMIT_NOFILE allows. revents are written back whatever the
// outcome, as Linux does.
Result<i32> do_poll(mm::UserInOut<PollFd> user_fds, u32 count, const Deadline& deadline)
{
    fs::Caller caller = file_caller();
    if (count > caller.fd_limit)
        return Errno::INVAL;
    PollFds fds;
    TRY(fds.read(user_fds, count));
    auto result = wait_for_events(deadline, [&](fs::PollTable* table) -> Result<i32> {
        i32 ready = 0;
        for (PollFd& entry : fds) {
            entry.revents = 0;
            if (entry.fd < 0)
                continue; // ignored (man 2 poll)
            u32 mask = TRY(readiness(caller.fds, entry.fd, table));
            // POLLERR, POLLHUP and POLLNVAL are reported whether asked for or not.
            mask &= static_cast<u16>(entry.events) | fs::kPollErr | fs::kPollHup | kPollNval;
            entry.revents = static_cast<i16>(mask);
            if (mask) {
                ++ready;
                table = nullptr; // something is ready: no sleep follows, so no more registering
            }
        }
        return ready;
    });
    u32 index = 0;
    for (PollFd& entry : fds) {
        auto revents = user_fds.offset(index++).as<u8>().offset(offsetof(PollFd, revents)).as<i16>();
        if (mm::copy_to_user(revents, entry.revents).is_error())
            return Errno::FAULT;
    }
    return result;
}

template<typename Timespec>
Result<i32> ppoll(mm::UserInOut<PollFd> fds, u32 count, mm::UserInOut<Timespec> timeout, mm::UserIn<u64> sigmask,
    u32 sigset_size)
{
    i64 timeout_ns = timeout.is_null() ? -1 : TRY(copy_timespec_from_user(mm::UserIn<Timespec>(timeout)));
    Deadline deadline(timeout_ns);
    TRY(apply_user_mask(sigmask, sigset_size));
    auto result = finish_temporary_mask(do_poll(fds, count, deadline));
    return write_time_left(result, deadline, timeout);
}

// --- select ---

// The three sets in and out (kernel copies, n bits each rounded up to 32-bit words), freed together.
class SelectSets {
public:
    Result<void> read(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
        mm::UserInOut<u32> except_fds)
    {
        m_words = (static_cast<u32>(count) + 31) / 32;
        m_user[0] = read_fds, m_user[1] = write_fds, m_user[2] = except_fds;
        if (!m_words)
            return {};
        TRY(m_storage.try_resize(usize { m_words } * 6));
        m_bits = m_storage.data();
        for (int set = 0; set < 3; ++set)
            if (!m_user[set].is_null())
                TRY(mm::copy_array_from_user(in(set), mm::UserIn<u32>(m_user[set]), m_words));
        return {};
    }
    u32* in(int set) { return m_bits + m_words * set; }
    u32* out(int set) { return m_bits + m_words * (3 + set); }
    u32 words() const { return m_words; }
    Result<void> write_back()
    {
        for (int set = 0; set < 3; ++set)
            if (!m_user[set].is_null() && m_words)
                TRY(mm::copy_array_to_user(mm::UserOut<u32>(m_user[set]), out(set), m_words));
        return {};
    }

private:
    mm::Vector<u32> m_storage;
    u32* m_bits { nullptr };
    u32 m_words { 0 };
    mm::UserInOut<u32> m_user[3] {};
};

bool test_bit(const u32* bits, u32 index) { return bits[index / 32] & (u32 { 1 } << (index % 32)); }
void set_bit(u32* bits, u32 index) { bits[index / 32] |= u32 { 1 } << (index % 32); }

// core_sys_select: EINVAL for a negative count; descriptors past the table's limit are not looked at;
// EBADF for a set bit naming no open descriptor. The sets are written back only on success (zeros on a
// timeout).
Result<i32> do_select(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, const Deadline& deadline)
{
    if (count < 0)
        return Errno::INVAL;
    fs::Caller caller = file_caller();
    if (static_cast<u32>(count) > caller.fd_limit)
        count = static_cast<i32>(caller.fd_limit);
    SelectSets sets;
    TRY(sets.read(count, read_fds, write_fds, except_fds));
    constexpr u32 kWanted[3] = { kPollInSet, kPollOutSet, kPollExSet };
    auto result = wait_for_events(deadline, [&](fs::PollTable* table) -> Result<i32> {
        i32 ready = 0;
        fill_bytes(sets.out(0), 0, usize { sets.words() } * 4 * 3);
        for (u32 fd = 0; fd < static_cast<u32>(count); ++fd) {
            bool watched[3] = { test_bit(sets.in(0), fd), test_bit(sets.in(1), fd), test_bit(sets.in(2), fd) };
            if (!watched[0] && !watched[1] && !watched[2])
                continue;
            u32 mask = TRY(readiness(caller.fds, static_cast<i32>(fd), table));
            if (mask == kPollNval)
                return Errno::BADF;
            for (int set = 0; set < 3; ++set) {
                if (watched[set] && (mask & kWanted[set])) {
                    set_bit(sets.out(set), fd);
                    ++ready;
                    table = nullptr;
                }
            }
        }
        return ready;
    });
    if (result.is_error())
        return result;
    TRY(sets.write_back());
    return result;
}

// select's timeval: negative parts are EINVAL, microseconds of a second or more carry into the seconds.
Result<i64> timeval_ns(mm::UserIn<Timeval32> timeout)
{
    Timeval32 value;
    TRY(mm::copy_from_user(value, timeout));
    if (value.seconds < 0 || value.microseconds < 0)
        return Errno::INVAL;
    return i64 { value.seconds } * kNanosecondsPerSecond + i64 { value.microseconds } * 1000;
}

template<typename Timespec>
Result<i32> pselect6(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timespec> timeout, mm::UserIn<SigsetArgPack> sigmask)
{
    i64 timeout_ns = timeout.is_null() ? -1 : TRY(copy_timespec_from_user(mm::UserIn<Timespec>(timeout)));
    Deadline deadline(timeout_ns);
    if (!sigmask.is_null()) {
        SigsetArgPack pack;
        TRY(mm::copy_from_user(pack, sigmask));
        TRY(apply_user_mask(mm::UserIn<u64>(pack.set), pack.size)); // an address the caller's memory held
    }
    auto result = finish_temporary_mask(do_select(count, read_fds, write_fds, except_fds, deadline));
    return write_time_left(result, deadline, timeout);
}

} // namespace

Result<i32> sys_poll(mm::UserInOut<PollFd> fds, u32 count, i32 timeout_ms)
{
    // Linux restarts an interrupted poll with the time left (restart_block); here a restart (a signal with no
    // handler) starts the full timeout again.
    Deadline deadline(timeout_ms < 0 ? -1 : i64 { timeout_ms } * 1000000);
    return do_poll(fds, count, deadline);
}

Result<i32> sys_ppoll(
    mm::UserInOut<PollFd> fds, u32 count, mm::UserInOut<Timespec32> timeout, mm::UserIn<u64> sigmask, u32 sigset_size)
{
    return ppoll(fds, count, timeout, sigmask, sigset_size);
}

Result<i32> sys_ppoll_time64(
    mm::UserInOut<PollFd> fds, u32 count, mm::UserInOut<Timespec64> timeout, mm::UserIn<u64> sigmask, u32 sigset_size)
{
    return ppoll(fds, count, timeout, sigmask, sigset_size);
}

Result<i32> sys_select(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timeval32> timeout)
{
    i64 timeout_ns = timeout.is_null() ? -1 : TRY(timeval_ns(timeout));
    Deadline deadline(timeout_ns);
    auto result = do_select(count, read_fds, write_fds, except_fds, deadline);
    return write_time_left(result, deadline, timeout);
}

Result<i32> sys_old_select(mm::UserIn<SelectArgs> arguments)
{
    SelectArgs args;
    TRY(mm::copy_from_user(args, arguments));
    return sys_select(static_cast<i32>(args.count), mm::UserInOut<u32>(args.read_fds),
        mm::UserInOut<u32>(args.write_fds), mm::UserInOut<u32>(args.except_fds),
        mm::UserInOut<Timeval32>(args.timeout));
}

Result<i32> sys_pselect6(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timespec32> timeout, mm::UserIn<SigsetArgPack> sigmask)
{
    return pselect6(count, read_fds, write_fds, except_fds, timeout, sigmask);
}

Result<i32> sys_pselect6_time64(i32 count, mm::UserInOut<u32> read_fds, mm::UserInOut<u32> write_fds,
    mm::UserInOut<u32> except_fds, mm::UserInOut<Timespec64> timeout, mm::UserIn<SigsetArgPack> sigmask)
{
    return pselect6(count, read_fds, write_fds, except_fds, timeout, sigmask);
}

} // namespace sys
