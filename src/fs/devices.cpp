// A small table is enough for the devices a PC of this kernel has; lookups are linear in the devices
// registered, and registrations are rare.
#include "fs/devices.hpp"
#include "kernel/boot_state.hpp"

#include "fs/pipe.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"

namespace fs {

namespace {

struct Device {
    DeviceInfo info;
    FileOperations* operations;
};

constexpr usize kMaxDevices = 128;
Device g_devices[kMaxDevices];
usize g_device_count;
DeviceListener g_listener;
kernel::BootStateReset g_boot_state([] { // no driver has registered yet, and nobody listens
    g_device_count = 0;
    g_listener = nullptr;
});

Device* find(DeviceKind kind, u32 major, u32 minor)
{
    for (usize i = 0; i < g_device_count; ++i) {
        const DeviceInfo& info = g_devices[i].info;
        if (info.kind == kind && info.major == major && info.minor == minor)
            return &g_devices[i];
    }
    return nullptr;
}

} // namespace

FileOperations* resolve_special_file(u32 mode, u32 rdev)
{
    if (is_fifo(mode))
        return &pipe_file_operations();
    DeviceKind kind;
    if (is_chr(mode))
        kind = DeviceKind::Char;
    else if (is_blk(mode))
        kind = DeviceKind::Block;
    else
        return nullptr;
    Device* device = find(kind, dev_major(rdev), dev_minor(rdev));
    return device ? device->operations : nullptr;
}

Result<void> register_device(const DeviceInfo& info, FileOperations& operations)
{
    if (info.major > 0xfff || info.minor > 0xfffff)
        return Errno::INVAL;
    if (find(info.kind, info.major, info.minor))
        return Errno::BUSY;
    if (g_device_count == kMaxDevices)
        return Errno::NOMEM;
    g_devices[g_device_count++] = { info, &operations };
    if (g_listener)
        g_listener(info, true);
    return {};
}

void set_device_listener(DeviceListener listener) { g_listener = listener; }

void unregister_device(DeviceKind kind, u32 major, u32 minor)
{
    Device* device = find(kind, major, minor);
    if (!device)
        return;
    if (g_listener)
        g_listener(device->info, false);
    // Keep the order of registration: /proc/devices and devtmpfs list in it.
    for (Device* next = device + 1; next < g_devices + g_device_count; ++next)
        next[-1] = *next;
    --g_device_count;
}

const DeviceInfo* find_device(DeviceKind kind, u32 major, u32 minor)
{
    Device* device = find(kind, major, minor);
    return device ? &device->info : nullptr;
}

void for_each_device(bool (*visit)(const DeviceInfo& info, void* context), void* context)
{
    for (usize i = 0; i < g_device_count; ++i)
        if (!visit(g_devices[i].info, context))
            return;
}

usize format_proc_devices(char* out, usize size)
{
    usize length = 0;
    auto add = [&](const char* text) {
        usize n = string_length(text);
        for (usize i = 0; i < n; ++i, ++length)
            if (length < size)
                out[length] = text[i];
    };
    for (DeviceKind kind : { DeviceKind::Char, DeviceKind::Block }) {
        add(kind == DeviceKind::Char ? "Character devices:\n" : "\nBlock devices:\n");
        // In order of major; within one, each driver name once, in order of registration.
        for (i64 last = -1;;) {
            i64 major = -1;
            for (usize i = 0; i < g_device_count; ++i) {
                const DeviceInfo& info = g_devices[i].info;
                if (info.kind == kind && info.driver && info.major > last && (major < 0 || info.major < major))
                    major = info.major;
            }
            if (major < 0)
                break;
            last = major;
            // Within a major in order of minor, as Linux keeps its char device regions; a driver at its first.
            for (i64 last_minor = -1;;) {
                const DeviceInfo* next = nullptr;
                for (usize i = 0; i < g_device_count; ++i) {
                    const DeviceInfo& info = g_devices[i].info;
                    if (info.kind == kind && info.major == major && info.driver && info.minor > last_minor
                        && (!next || info.minor < next->minor))
                        next = &info;
                }
                if (!next)
                    break;
                last_minor = next->minor;
                bool shown = false;
                for (usize i = 0; i < g_device_count && !shown; ++i) {
                    const DeviceInfo& info = g_devices[i].info;
                    shown = info.kind == kind && info.major == major && info.driver && info.minor < next->minor
                        && compare_strings(info.driver, next->driver) == 0;
                }
                if (shown)
                    continue;
                char line[48];
                format(line, sizeof(line), "%3u %s\n", static_cast<u32>(major), next->driver);
                add(line);
            }
        }
    }
    return length;
}

} // namespace fs
