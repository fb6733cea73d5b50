// The GDT (kernel and user flat segments, TSS) laid out as Linux's i386 GDT. Intel SDM 3A 3.4.5, 7.2.
#include "arch/i386/cpu.hpp"
#include "arch/i386/interrupts.hpp"

namespace i386 {
namespace {

struct [[gnu::packed]] SegmentDescriptor {
    u16 limit_low;
    u16 base_low;
    u8 base_mid;
    u8 access;
    u8 limit_high_flags;
    u8 base_high;
};
static_assert(sizeof(SegmentDescriptor) == 8);

struct [[gnu::packed]] TaskStateSegment {
    u32 prev_task, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap_base;
};
static_assert(sizeof(TaskStateSegment) == 104);

struct [[gnu::packed]] DescriptorTablePointer {
    u16 limit;
    u32 base;
};

constexpr unsigned kGdtEntries = 32;
SegmentDescriptor g_gdt[kGdtEntries];
TaskStateSegment g_tss;
// The stack the CPU switches to on an interrupt or system call from user mode (TSS.esp0): this one until the
// first task runs, then the running task's.
alignas(16) u8 g_trap_stack[16384];
u8* g_trap_stack_base = g_trap_stack;
usize g_trap_stack_size = sizeof(g_trap_stack);

constexpr SegmentDescriptor make_descriptor(u32 base, u32 limit, u8 access, u8 flags)
{
    return SegmentDescriptor {
        static_cast<u16>(limit & 0xFFFF),
        static_cast<u16>(base & 0xFFFF),
        static_cast<u8>((base >> 16) & 0xFF),
        access,
        static_cast<u8>(((limit >> 16) & 0x0F) | (flags << 4)),
        static_cast<u8>(base >> 24),
    };
}

// Access bytes: present | DPL | code/data | type. Flags: 4 KiB granularity, 32-bit.
constexpr u8 kKernelCode = 0x9A, kKernelData = 0x92, kUserCode = 0xFA, kUserData = 0xF2, kTss32Available = 0x89;
constexpr u8 kFlat32 = 0xC;

} // namespace

void gdt_init()
{
    g_gdt[kKernelCodeSelector / 8] = make_descriptor(0, 0xFFFFF, kKernelCode, kFlat32);
    g_gdt[kKernelDataSelector / 8] = make_descriptor(0, 0xFFFFF, kKernelData, kFlat32);
    g_gdt[kUserCodeSelector / 8] = make_descriptor(0, 0xFFFFF, kUserCode, kFlat32);
    g_gdt[kUserDataSelector / 8] = make_descriptor(0, 0xFFFFF, kUserData, kFlat32);

    g_tss.ss0 = kKernelDataSelector;
    g_tss.esp0 = reinterpret_cast<u32>(g_trap_stack + sizeof(g_trap_stack)); // traps from ring 3 land here
    g_tss.iomap_base = sizeof(TaskStateSegment); // no I/O bitmap: ring 3 port access faults
    g_gdt[kTssSelector / 8]
        = make_descriptor(reinterpret_cast<uptr>(&g_tss), sizeof(TaskStateSegment) - 1, kTss32Available, 0);

    DescriptorTablePointer pointer { sizeof(g_gdt) - 1, reinterpret_cast<u32>(&g_gdt) };
    asm volatile("lgdt %0\n"
                 "ljmp %1, $1f\n"
                 "1:\n"
                 "mov %2, %%ds\n"
                 "mov %2, %%es\n"
                 "mov %2, %%ss\n"
                 "mov %3, %%fs\n"
                 "mov %3, %%gs\n"
                 "ltr %4\n"
                 :
                 : "m"(pointer), "i"(kKernelCodeSelector), "r"(static_cast<u32>(kKernelDataSelector)),
                 "r"(0u), "r"(static_cast<u16>(kTssSelector))
                 : "memory");
}

extern "C" const u8 sysenter_entry[];

bool g_sysenter; // whether the SYSENTER MSRs are set up (CPUID SEP)

void sysenter_init()
{
    // Intel SDM 2B SYSENTER: CS from IA32_SYSENTER_CS, SS from CS + 8; SYSEXIT uses CS + 16 and CS + 24, which
    // the Linux GDT layout (kernel code, kernel data, user code, user data) gives. Family 6 before model 3
    // reports SEP without a working SYSENTER (Intel's CPUID application note).
    u32 eax = 1, ebx, ecx, edx;
    asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    u32 family = (eax >> 8) & 0xF, model = (eax >> 4) & 0xF;
    if (!(edx & (1u << 11)) || (family == 6 && model < 3)) {
        vdso_disable_sysenter();
        return;
    }
    constexpr u32 kSysenterCs = 0x174, kSysenterEsp = 0x175, kSysenterEip = 0x176;
    write_msr(kSysenterCs, kKernelCodeSelector);
    write_msr(kSysenterEsp, reinterpret_cast<u32>(&g_tss.esp0)); // the entry's first move reads the stack here
    write_msr(kSysenterEip, reinterpret_cast<u32>(sysenter_entry));
    g_sysenter = true;
}

bool sysenter_ready() { return g_sysenter; }

void set_gdt_entry(u32 index, u32 base, u32 limit, u8 access, u8 flags)
{
    g_gdt[index] = make_descriptor(base, limit, access, flags);
}

void set_trap_stack(u8* base, usize size)
{
    g_trap_stack_base = base;
    g_trap_stack_size = size;
    g_tss.esp0 = reinterpret_cast<u32>(base + size);
}

uptr trap_stack_top() { return g_trap_stack_base ? reinterpret_cast<uptr>(g_trap_stack_base + g_trap_stack_size) : 0; }

bool on_kernel_stack(const void* pointer, usize bytes)
{
    auto* p = static_cast<const u8*>(pointer);
    return p >= g_trap_stack_base && p + bytes <= g_trap_stack_base + g_trap_stack_size;
}

} // namespace i386
