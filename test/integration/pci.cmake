# PCI: the functions QEMU's i440FX machine has, logged as Linux logs them, and /proc/bus/pci/devices line for
# line what Debian's Linux 6.1 prints on the same machine (captured in data/pci_devices.linux-6.1).
file(STRINGS ${CMAKE_CURRENT_SOURCE_DIR}/data/pci_devices.linux-6.1 PCI_LINUX_LINES)
set(PCI_LINE_EXPECTS)
foreach(line ${PCI_LINUX_LINES})
    list(APPEND PCI_LINE_EXPECTS --expect "^${line}$")
endforeach()
cadenza_program_case(pci "pci" LOGLEVEL 8
    --expect "pci 0000:00:00.0: \\[8086:1237\\] type 00 class 0x060000"
    --expect "pci 0000:00:01.1: \\[8086:7010\\] type 00 class 0x010180" --expect "pci: [0-9]+ functions"
    ${PCI_LINE_EXPECTS} --expect "^ok pci_ide_legacy_ports$" --expect "^checks done: 0 not ok"
    --expect "init: .*/pci exited with status 0" --exit success)
