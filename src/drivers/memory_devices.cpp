// The memory devices: reads and writes that touch no storage. They keep the default seekable() (lseek
// succeeds and means nothing, as Linux's null_lseek and noop_llseek do).
#include "drivers/memory_devices.hpp"

#include "fs/devices.hpp"
#include "fs/open_file.hpp"
#include "kernel/random.hpp"
#include "lib/string.hpp"

namespace drivers {

namespace {

// /dev/null: reads end at once, writes vanish.
class NullDevice final : public fs::FileOperations {
public:
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer&) override { return usize { 0 }; }
    Result<usize> write(fs::OpenFile&, u64, mm::InBuffer& from) override { return from.remaining(); }
};

// /dev/zero: endless zeros; writes vanish.
class ZeroDevice final : public fs::FileOperations {
public:
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer& to) override { return to.put_zeros(to.remaining()); }
    Result<usize> write(fs::OpenFile&, u64, mm::InBuffer& from) override { return from.remaining(); }
    // Mapping it gives anonymous memory, private or shared, as on Linux.
    Result<mm::VmBacking*> mmap_pages(fs::OpenFile&) override { return nullptr; }
};

// /dev/full: reads as /dev/zero; every write fails with ENOSPC (man 4 full).
class FullDevice final : public fs::FileOperations {
public:
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer& to) override { return to.put_zeros(to.remaining()); }
    Result<usize> write(fs::OpenFile&, u64, mm::InBuffer&) override { return Errno::NOSPC; }
};

// /dev/random and /dev/urandom (man 4 random): the same generator, which never blocks (Linux 5.6 on:
// /dev/random blocks only until the pool is first initialised, which here is at first use). Writes mix
// their bytes in without crediting entropy, as on Linux.
class RandomDevice final : public fs::FileOperations {
public:
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer& to) override
    {
        return to.put_made(to.remaining(), [](u8* chunk, usize length) { kernel::random_bytes(chunk, length); });
    }
    Result<usize> write(fs::OpenFile&, u64, mm::InBuffer& from) override
    {
        return from.take_chunks(
            from.remaining(), [](const u8* chunk, usize length) { kernel::random_mix(chunk, length); });
    }
};

// /dev/tty: every call goes to the console's operations, looked up by number at each call, so whatever
// serves (5,1) serves /dev/tty too. The TTY layer will replace this with the controlling terminal (ENXIO
// without one).
class TtyAlias final : public fs::FileOperations {
public:
    Result<void> open(fs::OpenFile& file) override { return TRY(target())->open(file); }
    void release(fs::OpenFile& file) override
    {
        if (auto console = target(); !console.is_error())
            console.value()->release(file);
    }
    Result<usize> read(fs::OpenFile& file, u64 offset, mm::OutBuffer& to) override
    {
        return TRY(target())->read(file, offset, to);
    }
    Result<usize> write(fs::OpenFile& file, u64 offset, mm::InBuffer& from) override
    {
        return TRY(target())->write(file, offset, from);
    }
    Result<i32> ioctl(fs::OpenFile& file, u32 request, uptr argument) override
    {
        return TRY(target())->ioctl(file, request, argument);
    }
    u32 poll(fs::OpenFile& file) override
    {
        auto console = target();
        return console.is_error() ? fs::kPollErr : console.value()->poll(file);
    }
    fs::WaitQueue* poll_queue(fs::OpenFile& file) override
    {
        auto console = target();
        return console.is_error() ? nullptr : console.value()->poll_queue(file);
    }
    bool seekable() const override { return false; }

private:
    static Result<fs::FileOperations*> target()
    {
        fs::FileOperations* console = fs::resolve_special_file(fs::kIfChr, fs::make_dev(5, 1));
        if (!console)
            return Errno::NXIO;
        return console;
    }
};

NullDevice g_null;
ZeroDevice g_zero;
FullDevice g_full;
RandomDevice g_random;
RandomDevice g_urandom;
TtyAlias g_tty;

// /proc/devices names major 1 "mem" and major 5's minor 0 "/dev/tty", as Linux does.
Result<void> register_one(u32 major, u32 minor, const char* node, const char* driver, fs::FileOperations& operations)
{
    auto registered = fs::register_device({ fs::DeviceKind::Char, major, minor, node, 0666, driver }, operations);
    if (registered.is_error() && registered.error() == Errno::BUSY
        && fs::resolve_special_file(fs::kIfChr, fs::make_dev(major, minor)) == &operations)
        return {}; // ours already
    return registered;
}

} // namespace

Result<void> register_memory_devices()
{
    TRY(register_one(1, 3, "null", "mem", g_null));
    TRY(register_one(1, 5, "zero", "mem", g_zero));
    TRY(register_one(1, 7, "full", "mem", g_full));
    TRY(register_one(1, 8, "random", "mem", g_random));
    TRY(register_one(1, 9, "urandom", "mem", g_urandom));
    TRY(register_one(5, 0, "tty", "/dev/tty", g_tty));
    return {};
}

} // namespace drivers
