// Character devices by number (major, minor), and the operations FIFOs open with: drivers and pipes register
// here, and a device node on any filesystem opens with the operations registered for its number.
#pragma once

#include "fs/file_operations.hpp"

namespace fs {

// EBUSY when the number is taken, ENOMEM when the table is full.
Result<void> register_char_device(u32 major, u32 minor, FileOperations& operations);
void unregister_char_device(u32 major, u32 minor);
// The operations a FIFO opens with (the pipe implementation's).
void set_fifo_operations(FileOperations* operations);

} // namespace fs
