; Interrupt entry stubs: each pushes a uniform frame (see InterruptFrame in interrupts.hpp) and calls
; interrupt_dispatch. CPU exceptions that push an error code (Intel SDM 3A 6.13) skip the dummy push.

bits 32
extern interrupt_dispatch
extern task_first_entry

SYSENTER_VECTOR equ 0x180        ; kSysenterVector, kSysexitVector and kVdsoBase in interrupts.hpp
SYSEXIT_VECTOR equ 0x181
VDSO_BASE equ 0xFFFFE000
ARITHMETIC_FLAGS equ 0x8D5       ; CF PF AF ZF SF OF

%macro STUB_NOERR 1
interrupt_stub_%1:
    push dword 0
    push dword %1
    jmp interrupt_common
%endmacro

%macro STUB_ERR 1
interrupt_stub_%1:
    push dword %1
    jmp interrupt_common
%endmacro

section .text
interrupt_common:
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, 0x68                 ; kernel data selector (GDT entry 13, as on Linux)
    mov ds, ax
    mov es, ax
    ; The kernel never uses fs or gs, and must not run with a user TLS selector in them: that entry of the GDT
    ; changes on a task switch or an execve, and a nested interrupt's frame would then restore a selector
    ; whose descriptor is gone (#GP). The user's values are in the frame for the way back.
    xor eax, eax
    mov fs, ax
    mov gs, ax
    cld
    push esp                     ; InterruptFrame*
    call interrupt_dispatch
    add esp, 4
; The selectors popped here may come from user space (a signal frame, a TLS entry cleared while in use): one that
; no longer names a usable descriptor faults, and the fault handler zeroes its slot and retries the pop, as
; Linux does. A fault on the iretd itself becomes a signal for the process (interrupts.cpp).
global interrupt_return, interrupt_return_pop_gs, interrupt_return_pop_fs, interrupt_return_pop_es
global interrupt_return_pop_ds, interrupt_return_iret
interrupt_return:
interrupt_return_pop_gs:
    pop gs
interrupt_return_pop_fs:
    pop fs
interrupt_return_pop_es:
    pop es
interrupt_return_pop_ds:
    pop ds
    popad
    cmp dword [esp], SYSEXIT_VECTOR ; flags are the frame's again below, either way
    je sysexit_return
    add esp, 8                   ; vector and error code
interrupt_return_iret:
    iretd

; A system call entered by sysenter whose frame interrupt_dispatch found plain enough (interrupts.cpp): back to
; the vDSO's return point with ecx and edx, which its pops overwrite, carrying esp and eip (Intel SDM 2B SYSEXIT).
; The frame's flags are only arithmetic ones and IF. When the kernel's own flags hold nothing else either, those
; six are set without a popfd (which costs more than all the rest under QEMU's TCG): OF by an addition that
; overflows exactly when the frame's OF is set, the others by sahf; sti then holds interrupts off for one more
; instruction, the sysexit. Otherwise popfd loads the frame's flags with IF clear.
sysexit_return:
    pushfd
    test dword [esp], ~(ARITHMETIC_FLAGS | 0x202)
    lea esp, [esp + 4]           ; (lea keeps the flags of the test)
    jnz .with_popfd
    push eax
    mov ecx, [esp + 20]          ; the frame's eflags (past the push)
    shl ecx, 20                  ; OF (bit 11) to the sign bit
    add ecx, 0x80000000          ; signed overflow exactly when that sign is set
    mov ah, [esp + 20]           ; SF ZF AF PF CF are the low byte
    sahf
    pop eax
    mov edx, [esp + 8]           ; eip
    mov ecx, [esp + 20]          ; user esp
    sti
    sysexit
.with_popfd:
    mov edx, [esp + 8]
    mov ecx, [esp + 20]
    add esp, 16                  ; the frame's eflags
    and dword [esp], ~0x200
    popfd
    sti
    sysexit

; sysenter from the vDSO's __kernel_vsyscall (vdso/vdso.cpp): the CPU loaded cs, ss, eip and esp from the
; SYSENTER MSRs, cleared IF and saved nothing. SYSENTER_ESP points at TSS.esp0, so the first instruction finds
; the running task's kernel stack (a single-step trap after it already lands there). The frame pushed is the
; one int 0x80 would have pushed, returning to the vDSO's return point; vector SYSENTER_VECTOR tells
; interrupt_dispatch to fetch the sixth argument, which __kernel_vsyscall left on the user stack.
extern vdso_offset_sysenter_return
global sysenter_entry, sysenter_entry_end
sysenter_entry:
    mov esp, [esp]
    push dword 0x7B              ; ss: user data (GDT entry 15, RPL 3)
    push ebp                     ; esp: __kernel_vsyscall moved it to ebp
    pushfd
    or dword [esp], 0x200        ; the user's flags, with interrupts on as they were in user mode
    push dword 0x73              ; cs: user code (GDT entry 14, RPL 3)
    push dword [vdso_offset_sysenter_return]
    add dword [esp], VDSO_BASE   ; eip: the return point (the flags are in the frame already)
    push dword 0
    push dword SYSENTER_VECTOR
    sti                          ; system calls run with interrupts on, as through the int 0x80 trap gate
    jmp interrupt_common
sysenter_entry_end:

; Returns to user mode through the InterruptFrame at [esp + 4], abandoning the kernel stack below it.
global interrupt_resume_frame
interrupt_resume_frame:
    mov esp, [esp + 4]
    jmp interrupt_return

; A new task's first switch "returns" here with its InterruptFrame on top of its kernel stack (usermode.cpp):
; it goes to user mode the way every task does, through the scheduler's return hook (signals, CLONE_CHILD_SETTID).
global task_first_return
task_first_return:
    push esp                     ; InterruptFrame*
    call task_first_entry
    add esp, 4
    jmp interrupt_return

%assign i 0
%rep 256
%if i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30
    STUB_ERR i
%else
    STUB_NOERR i
%endif
%assign i i + 1
%endrep

section .rodata
global interrupt_stub_table
interrupt_stub_table:
%assign i 0
%rep 256
    dd interrupt_stub_ %+ i
%assign i i + 1
%endrep
