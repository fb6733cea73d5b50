# Writes a grub.cfg that boots /boot/cadenza.elf at once with COMMAND_LINE (cmake -P script).
file(WRITE ${OUT} "set timeout=0
set default=0
menuentry \"Cadenza\" {
    multiboot /boot/cadenza.elf ${COMMAND_LINE}
    boot
}
")
