// The handlers of pipes, poll and select, and getrandom, with their ABI structures.
#pragma once

#include "lib/result.hpp"
#include "mm/uaccess.hpp"

namespace sys {

} // namespace sys
