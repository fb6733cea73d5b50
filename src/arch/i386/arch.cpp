// The arch interface (src/arch/arch.hpp) on a real i386 PC.
#include "arch/arch.hpp"
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"
#include "kernel/panic.hpp"
#include "kernel/selftest.hpp"

extern "C" const u8 __ksyms_start[], __ksyms_end[];
extern "C" const SelfTest __selftests_start[], __selftests_end[];
extern "C" u8 boot_stack_bottom[], boot_stack_top[];
extern "C" u8 __kernel_end[];

namespace arch {

void interrupts_enable() { asm volatile("sti" ::: "memory"); }
void interrupts_disable() { asm volatile("cli" ::: "memory"); }
bool interrupts_enabled() { return i386::read_eflags() & i386::kEflagsIF; }

u8 port_read8(u16 port) { return i386::inb(port); }
void port_write8(u16 port, u8 value) { i386::outb(port, value); }
u16 port_read16(u16 port) { return i386::inw(port); }
void port_write16(u16 port, u16 value) { i386::outw(port, value); }
u32 port_read32(u16 port) { return i386::inl(port); }
void port_write32(u16 port, u32 value) { i386::outl(port, value); }

void* phys_to_virt(PhysAddr phys, usize length)
{
    if (phys >= i386::kDirectMapBytes || length > i386::kDirectMapBytes - phys)
        return nullptr;
    return reinterpret_cast<void*>(i386::kKernelVirtBase + phys);
}

PhysAddr virt_to_phys(const void* pointer)
{
    auto address = reinterpret_cast<uptr>(pointer);
    if (address < i386::kKernelVirtBase || address - i386::kKernelVirtBase >= i386::kDirectMapBytes)
        panic("virt_to_phys(%p): not in the direct map", pointer);
    return static_cast<PhysAddr>(address - i386::kKernelVirtBase);
}

void set_page_fault_handler(PageFaultHandler handler) { i386::set_page_fault_handler(handler); }

u64 direct_map_limit() { return i386::kDirectMapBytes; }

PhysSpan kernel_image()
{
    // The linker script loads the image at 1 MiB and ends it at __kernel_end (a virtual address).
    return { 0x100000, static_cast<PhysAddr>(reinterpret_cast<uptr>(__kernel_end) - i386::kKernelVirtBase) };
}

namespace {

constexpr u32 kCpuidFxsr = 1u << 24, kCpuidSse = 1u << 25;
bool g_fxsr;
alignas(16) u8 g_initial_fpu[kFpuStateBytes];

} // namespace

void fpu_save(void* state)
{
    if (g_fxsr)
        asm volatile("fxsave (%0)" : : "r"(state) : "memory");
    else
        asm volatile("fnsave (%0); frstor (%0)" : : "r"(state) : "memory"); // fnsave reinitialises: reload
}

void fpu_restore(const void* state)
{
    if (g_fxsr)
        asm volatile("fxrstor (%0)" : : "r"(state) : "memory");
    else
        asm volatile("frstor (%0)" : : "r"(state) : "memory");
}

void fpu_initial_state(void* state) { copy_bytes(state, g_initial_fpu, kFpuStateBytes); }

u32 cpu_features()
{
    // Every CPU this kernel runs on has CPUID (i586 and later). Intel SDM 2A, CPUID leaf 1.
    u32 eax = 1, ebx, ecx, edx;
    asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    return edx;
}

void wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }

void halt_forever()
{
    for (;;)
        asm volatile("cli; hlt");
}

void exit_emulator(bool success)
{
    // QEMU's isa-debug-exit at 0xf4 exits with (value << 1) | 1: 33 for success, 35 for failure.
    i386::outb(0xF4, success ? 0x10 : 0x11);
    halt_forever();
}

usize capture_backtrace(uptr* out, usize max, usize skip)
{
    // Walk saved frame pointers (the kernel is built with -fno-omit-frame-pointer). Stop at a frame
    // outside the boot stack so that a corrupt chain cannot fault inside the panic path.
    auto* frame = static_cast<uptr*>(__builtin_frame_address(0));
    usize count = 0;
    // Inside an exception, the interesting chain is the one interrupted: start at the faulting eip.
    if (auto* f = i386::current_exception_frame()) {
        if (max > 0)
            out[count++] = f->eip;
        frame = reinterpret_cast<uptr*>(f->ebp);
        skip = 0;
    }
    auto in_stack = [](uptr* p) {
        return (reinterpret_cast<u8*>(p) >= boot_stack_bottom && reinterpret_cast<u8*>(p + 2) <= boot_stack_top)
            || i386::on_kernel_stack(p, 2 * sizeof(uptr));
    };
    while (frame && in_stack(frame) && count < max) {
        uptr return_address = frame[1];
        if (!return_address)
            break;
        if (skip)
            --skip;
        else
            out[count++] = return_address;
        auto* next = reinterpret_cast<uptr*>(frame[0]);
        if (next <= frame)
            break; // frames grow upwards as we unwind; anything else is a broken chain
        frame = next;
    }
    return count;
}

void dump_registers(void (*line)(const char*))
{
    char buffer[128];
    if (auto* f = i386::current_exception_frame()) {
        format(buffer, sizeof(buffer), "eax=%08x ebx=%08x ecx=%08x edx=%08x", f->eax, f->ebx, f->ecx, f->edx);
        line(buffer);
        format(buffer, sizeof(buffer), "esi=%08x edi=%08x ebp=%08x esp=%08x", f->esi, f->edi, f->ebp,
            f->esp_at_pushad + 12);
        line(buffer);
        format(buffer, sizeof(buffer), "eip=%08x cs=%04x eflags=%08x vector=%u error=%#x", f->eip, f->cs,
            f->eflags, f->vector, f->error_code);
        line(buffer);
    } else {
        u32 esp, ebp;
        asm volatile("mov %%esp, %0; mov %%ebp, %1" : "=r"(esp), "=r"(ebp));
        format(buffer, sizeof(buffer), "esp=%08x ebp=%08x eflags=%08x (registers at panic)", esp, ebp,
            i386::read_eflags());
        line(buffer);
    }
    format(buffer, sizeof(buffer), "cr0=%08x cr2=%08x cr3=%08x cr4=%08x", i386::read_cr0(), i386::read_cr2(),
        i386::read_cr3(), i386::read_cr4());
    line(buffer);
}

Bytes kernel_symbols() { return { __ksyms_start, static_cast<usize>(__ksyms_end - __ksyms_start) }; }

SelfTests self_tests() { return { __selftests_start, static_cast<usize>(__selftests_end - __selftests_start) }; }

} // namespace arch

void i386::fpu_init()
{
    constexpr u32 kCr0Mp = 1u << 1, kCr0Em = 1u << 2, kCr0Ts = 1u << 3, kCr0Ne = 1u << 5;
    constexpr u32 kCr4Osfxsr = 1u << 9, kCr4Osxmmexcpt = 1u << 10;
    write_cr0((read_cr0() & ~(kCr0Em | kCr0Ts)) | kCr0Mp | kCr0Ne);
    u32 features = arch::cpu_features();
    arch::g_fxsr = features & arch::kCpuidFxsr;
    if (arch::g_fxsr)
        write_cr4(read_cr4() | kCr4Osfxsr | ((features & arch::kCpuidSse) ? kCr4Osxmmexcpt : 0));
    asm volatile("fninit");
    if (arch::g_fxsr) {
        u32 mxcsr = 0x1F80; // all SSE exceptions masked, round to nearest: the reset value
        asm volatile("ldmxcsr %0" : : "m"(mxcsr));
    }
    arch::fpu_save(arch::g_initial_fpu);
}
