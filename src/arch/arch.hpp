// The arch interface: everything portable code may ask of the machine (GUIDE §2), one header per topic.
// Implemented twice: src/arch/i386 (the real machine) and src/sim (host memory, for tests). Including this
// header includes them all; a file that needs one topic may include just that one.
#pragma once

#include "arch/cpu.hpp"
#include "arch/diagnostics.hpp"
#include "arch/interrupts.hpp"
#include "arch/memory.hpp"
#include "arch/ports.hpp"
#include "arch/tasks.hpp"
#include "arch/time.hpp"
#include "arch/user.hpp"
