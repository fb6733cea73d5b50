#include "drivers/console_device.hpp"

#include "fs/devices.hpp"
#include "kernel/log.hpp"
#include "mm/uaccess.hpp"

namespace drivers {

namespace {

constexpr u32 kTiocgwinsz = 0x5413;

struct WindowSize {
    u16 rows, columns, x_pixels, y_pixels;
};

class ConsoleOperations final : public fs::FileOperations {
public:
    Result<usize> read(fs::OpenFile&, u64, mm::OutBuffer&) override { return usize { 0 }; }
    Result<usize> write(fs::OpenFile&, u64, mm::InBuffer& from) override
    {
        return from.take_chunks(from.remaining(), [](const u8* chunk, usize length) {
            console_write(reinterpret_cast<const char*>(chunk), length);
        });
    }
    Result<i32> ioctl(fs::OpenFile&, u32 request, uptr argument) override
    {
        if (request != kTiocgwinsz)
            return Errno::NOTTY;
        // The VGA text console's size; the TTY layer will keep a size per terminal.
        TRY(mm::copy_to_user(mm::UserOut<WindowSize>(argument), WindowSize { 25, 80, 0, 0 }));
        return 0;
    }
    bool seekable() const override { return false; }
};

ConsoleOperations g_console;

} // namespace

Result<void> register_console_device()
{
    return fs::register_device({ fs::DeviceKind::Char, 5, 1, "console", 0600, "/dev/console" }, g_console);
}

} // namespace drivers
