// /dev/console (character device 5:1): what a program writes goes to every kernel console (serial, VGA),
// as the log does. Keyboard and serial input arrive with the TTY layer; until then reading gives end of file.
#pragma once

#include "lib/result.hpp"

namespace drivers {

Result<void> register_console_device();

} // namespace drivers
