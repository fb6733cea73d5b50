; Multiboot entry: runs at the physical load address, maps the kernel into the top gigabyte, and jumps there.
; Multiboot 0.6.96 §3.1 (header), §3.2 (machine state on entry: eax magic, ebx info, paging off).

bits 32

KERNEL_VIRT_BASE  equ 0xC0000000
DIRECT_MAP_BYTES  equ 256 * 1024 * 1024      ; physical memory reachable at KERNEL_VIRT_BASE during boot
MB_MAGIC          equ 0x1BADB002
MB_FLAGS          equ (1 << 0) | (1 << 1)     ; modules page-aligned, memory map wanted
PAGE_PRESENT      equ 1 << 0
PAGE_WRITABLE     equ 1 << 1
PAGE_LARGE        equ 1 << 7                 ; 4 MiB page (CR4.PSE), Intel SDM 3A 4.3
CR4_PSE           equ 1 << 4
CR0_PG            equ 1 << 31
CR0_WP            equ 1 << 16

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .boot.data
align 4096
boot_page_directory:
    times 1024 dd 0

section .boot.text
global _start
_start:
    cli
    ; Fill the directory: identity map the first 4 MiB (we are running there) and the direct map.
    mov edi, boot_page_directory
    mov dword [edi], PAGE_PRESENT | PAGE_WRITABLE | PAGE_LARGE
    mov ecx, DIRECT_MAP_BYTES / (4 * 1024 * 1024)
    mov edx, PAGE_PRESENT | PAGE_WRITABLE | PAGE_LARGE
    lea esi, [edi + (KERNEL_VIRT_BASE >> 22) * 4]
.map:
    mov [esi], edx
    add edx, 4 * 1024 * 1024
    add esi, 4
    loop .map

    mov ecx, cr4
    or ecx, CR4_PSE
    mov cr4, ecx
    mov ecx, boot_page_directory
    mov cr3, ecx
    mov ecx, cr0
    or ecx, CR0_PG | CR0_WP
    mov cr0, ecx

    lea ecx, [higher_half]
    jmp ecx

section .text
extern i386_boot
higher_half:
    ; Drop the identity map: from here on a stray low address faults, as it will for user memory.
    mov dword [boot_page_directory + KERNEL_VIRT_BASE], 0
    mov ecx, cr3
    mov cr3, ecx

    mov esp, boot_stack_top
    xor ebp, ebp                 ; ends the frame-pointer chain for backtraces
    push ebx                     ; Multiboot information (physical address)
    push eax                     ; Multiboot magic
    call i386_boot
.hang:
    cli
    hlt
    jmp .hang

; The physical address of the boot page directory, for code that later builds the real page tables.
global boot_page_directory_phys
section .rodata
boot_page_directory_phys: dd boot_page_directory

section .bss
align 16
global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    resb 16384
boot_stack_top:
