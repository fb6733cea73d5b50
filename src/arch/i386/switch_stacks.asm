; Entering and leaving user mode before there is a scheduler: i386_enter_user saves the kernel's callee-saved
; registers and flags on its stack, records that stack, and irets to ring 3; i386_leave_user, called on the
; trap stack by a system call or trap handler, switches back to the recorded stack and returns from
; i386_enter_user with a value. Intel SDM 3A 6.12.1 (the ring-3 iret frame).

bits 32

USER_CODE equ 0x73                 ; GDT entry 14, RPL 3 (as Linux)
USER_DATA equ 0x7B                 ; GDT entry 15, RPL 3
EFLAGS_IF equ 0x202                ; IF set, bit 1 always one

section .text
; u32 i386_enter_user(u32 entry, u32 stack, u32* saved_stack)
global i386_enter_user
i386_enter_user:
    push ebp
    push ebx
    push esi
    push edi
    pushfd
    mov eax, [esp + 32]            ; saved_stack (5 pushes + return address = 24, then entry, stack)
    mov [eax], esp
    mov ecx, [esp + 24]            ; entry
    mov edx, [esp + 28]            ; stack
    push dword USER_DATA           ; ss
    push edx                       ; esp
    push dword EFLAGS_IF           ; eflags
    push dword USER_CODE           ; cs
    push ecx                       ; eip
    mov ax, USER_DATA
    mov ds, ax
    mov es, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    ; The i386 ELF ABI starts a program with edx = 0 (no atexit function) and everything else cleared.
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    iretd

; [[noreturn]] void i386_leave_user(u32 saved_stack, u32 value)
global i386_leave_user
i386_leave_user:
    mov eax, [esp + 8]
    mov esp, [esp + 4]
    popfd
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
