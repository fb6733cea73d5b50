// The one device registry: every character and block device a driver serves, by number (major, minor), with
// the name of its node under /dev and of its driver in /proc/devices. A device node on any filesystem opens
// with the operations registered for its number; devtmpfs makes its nodes from this list and /proc/devices
// is printed from it. FIFOs need no registration: they always open as pipes.
#pragma once

#include "fs/file_operations.hpp"

namespace fs {

enum class DeviceKind : u8 { Char, Block };

struct DeviceInfo {
    DeviceKind kind;
    u32 major, minor;
    const char* node; // its name under /dev ("null"); nullptr: devtmpfs makes no node for it
    u32 permissions; // the node's mode bits, as Linux's devtmpfs gives them (0666, 0600 for the console)
    const char* driver; // its line in /proc/devices ("mem"); the strings must outlive the registration
};

// EBUSY when the number is taken, ENOMEM when the table is full, EINVAL for a number dev_t cannot hold.
Result<void> register_device(const DeviceInfo& info, FileOperations& operations);
void unregister_device(DeviceKind kind, u32 major, u32 minor);
// The registration for a number, or nullptr.
const DeviceInfo* find_device(DeviceKind kind, u32 major, u32 minor);

// Told of every registration and unregistration once set (devtmpfs, so that a device that comes after /dev
// was mounted gets its node, and loses it with the device, as Linux's devtmpfs_create_node/_delete_node).
using DeviceListener = void (*)(const DeviceInfo& info, bool registered);
void set_device_listener(DeviceListener listener);

// Every registered device in order of registration; `visit` returns false to stop.
void for_each_device(bool (*visit)(const DeviceInfo& info, void* context), void* context);

// /proc/devices (fs/proc/devices.c): "Character devices:" then "Block devices:", one "%3u %s" line per major
// and driver name, in order of major and then minor. Writes at most `size` bytes (no NUL); returns the whole
// length.
usize format_proc_devices(char* out, usize size);

} // namespace fs
