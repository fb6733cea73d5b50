/* /proc/bus/pci/devices as programs read it (lspci -p, busybox, hwinfo): printed line by line for the harness
 * to compare with what Debian's Linux 6.1 prints on the same QEMU machine (data/pci_devices.linux-6.1), and
 * the file's shape checked here. */
#include <stdio.h>
#include <string.h>

#include "check.h"

int main(void)
{
    FILE *file = fopen("/proc/bus/pci/devices", "r");
    CHECK("pci_devices_opens", file != NULL);
    if (!file)
        return check_summary();
    char line[512];
    int lines = 0, well_formed = 0, ide = 0;
    while (fgets(line, sizeof(line), file)) {
        ++lines;
        fputs(line, stdout);
        unsigned devfn, ids, irq;
        int tabs = 0;
        for (char *c = line; *c; ++c)
            tabs += *c == '\t';
        if (sscanf(line, "%4x\t%8x\t%x", &devfn, &ids, &irq) == 3 && tabs == 17)
            ++well_formed;
        if (strncmp(line, "0009\t80867010\t", 14) == 0 && strstr(line, "\t             1f0\t"))
            ++ide;
    }
    fclose(file);
    CHECK("pci_devices_has_lines", lines >= 4);
    CHECK("pci_devices_well_formed", well_formed == lines);
    CHECK("pci_ide_legacy_ports", ide == 1);
    return check_summary();
}
