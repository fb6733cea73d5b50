// kernel_main: the portable half of boot, entered from src/arch/i386/boot.cpp once the CPU tables are set up.
#pragma once

#include "lib/types.hpp"

#include "kernel/version.hpp"

// Brings up the consoles, reads the Multiboot information and the command line, logs what it found, then
// runs the self-tests named by test= or idles. Never returns.
[[noreturn]] void kernel_main(u32 multiboot_magic, PhysAddr multiboot_info);
