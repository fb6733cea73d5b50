// The file system calls' handlers and ABI structures (stat64, statx, linux_dirent64, ...): open, stat,
// directories, names, attributes, descriptors and mounts.
#pragma once

#include "lib/result.hpp"
#include "mm/uaccess.hpp"

namespace sys {

} // namespace sys
