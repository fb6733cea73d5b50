// A small table is enough: a console issue's worth of devices. Lookup is linear in the devices registered.
#include "fs/devices.hpp"

namespace fs {

namespace {

struct CharDevice {
    u32 rdev;
    FileOperations* operations;
};

constexpr usize kMaxDevices = 64;
CharDevice g_devices[kMaxDevices];
usize g_device_count;
FileOperations* g_fifo_operations;

} // namespace

FileOperations* resolve_special_file(u32 mode, u32 rdev)
{
    if (is_fifo(mode))
        return g_fifo_operations;
    if (!is_chr(mode))
        return nullptr; // block devices arrive with the storage issue
    for (usize i = 0; i < g_device_count; ++i)
        if (g_devices[i].rdev == rdev)
            return g_devices[i].operations;
    return nullptr;
}

Result<void> register_char_device(u32 major, u32 minor, FileOperations& operations)
{
    u32 rdev = make_dev(major, minor);
    for (usize i = 0; i < g_device_count; ++i)
        if (g_devices[i].rdev == rdev)
            return Errno::BUSY;
    if (g_device_count == kMaxDevices)
        return Errno::NOMEM;
    g_devices[g_device_count++] = { rdev, &operations };
    return {};
}

void unregister_char_device(u32 major, u32 minor)
{
    u32 rdev = make_dev(major, minor);
    for (usize i = 0; i < g_device_count; ++i) {
        if (g_devices[i].rdev == rdev) {
            g_devices[i] = g_devices[--g_device_count];
            return;
        }
    }
}

void set_fifo_operations(FileOperations* operations)
{
    g_fifo_operations = operations;
}

} // namespace fs
