// i386_boot: the first C++ code, called by boot.asm on the boot stack with paging on.
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "kernel/main.hpp"

using Constructor = void (*)();
extern "C" Constructor __init_array_start[], __init_array_end[];

extern "C" [[noreturn]] void i386_boot(u32 multiboot_magic, u32 multiboot_info)
{
    for (auto* constructor = __init_array_start; constructor != __init_array_end; ++constructor)
        (*constructor)();
    i386::gdt_init();
    i386::sysenter_init();
    i386::fpu_init();
    i386::idt_init();
    i386::pic_init();
    i386::pit_init(1000);
    i386::clock_init();
    kernel_main(multiboot_magic, multiboot_info);
}
