; Switching between tasks' kernel stacks. Intel SDM 3A 6.12.1 has the ring-3 iret frame the first switch to a
; new task returns through (interrupt_return in interrupts.asm).

bits 32

section .text
; void i386_switch_stacks(u32* save, u32 next): saves the callee-saved registers on the current kernel stack,
; stores its pointer in *save, and continues on `next`, whose top holds the same four registers and a return
; address (an earlier switch, or a frame built by usermode.cpp).
global i386_switch_stacks
i386_switch_stacks:
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    push ebp
    push ebx
    push esi
    push edi
    mov [eax], esp
    mov esp, edx
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
