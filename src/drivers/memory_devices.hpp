// The memory character devices of major 1 (Linux's drivers/char/mem.c, Documentation/admin-guide/devices.txt):
// /dev/null (1,3), /dev/zero (1,5), /dev/full (1,7), /dev/random (1,8), /dev/urandom (1,9); and /dev/tty (5,0),
// which opens the caller's controlling terminal: until the TTY layer, always the console (5,1).
#pragma once

#include "lib/result.hpp"

namespace drivers {

// Registers all six with the VFS (fs/devices.hpp). Registering twice is harmless (a number already taken by
// these same devices is left as it is); another error stops the boot step.
Result<void> register_memory_devices();

} // namespace drivers
