// The kernel's version, as uname(2) and /proc/version report it after Linux's own numbers.
#pragma once

inline constexpr const char* kKernelVersion = "0.1.0";
