#!/usr/bin/env python3
"""Checks the linked vDSO and embeds it in the kernel. The checks are what the C libraries' lookups rely on
(musl's __vdsosym, glibc's dl_vdso_vsym): an ELF32 i386 ET_DYN with one read+execute PT_LOAD at address 0 and a
PT_DYNAMIC; DT_HASH, DT_GNU_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM and DT_VERDEF; every export a defined global
function of the version Linux gives it; nothing to relocate or load (no DT_REL*, DT_TEXTREL, DT_NEEDED, PT_INTERP).

Usage: vdso_embed.py DEBUG_SO STRIPPED_SO OUTPUT_ASM   (DEBUG_SO for the local labels the kernel needs)
       vdso_embed.py --tools READELF OBJDUMP SO        (the same facts as binutils sees them, for ctest)"""
import struct
import subprocess
import sys

# Each export and its version, as in Linux's i386 vDSO.
EXPORTS = {"__kernel_vsyscall": "LINUX_2.5", "__vdso_clock_gettime": "LINUX_2.6", "__vdso_clock_gettime64": "LINUX_2.6",
           "__vdso_gettimeofday": "LINUX_2.6", "__vdso_time": "LINUX_2.6"}
MAX_PAGES = 2  # 0xFFFFE000 to the top of the address space (interrupts.hpp)
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT = {"NULL": 0, "NEEDED": 1, "HASH": 4, "STRTAB": 5, "SYMTAB": 6, "RELA": 7, "STRSZ": 10, "REL": 17,
      "TEXTREL": 22, "JMPREL": 23, "GNU_HASH": 0x6FFFFEF5, "VERSYM": 0x6FFFFFF0, "VERDEF": 0x6FFFFFFC}
FORBIDDEN = ["NEEDED", "RELA", "REL", "TEXTREL", "JMPREL"]


def fail(message):
    sys.exit(f"vdso_embed.py: {message}")


def cstring(data, offset):
    return data[offset:data.index(b"\0", offset)].decode()


def sections(data):
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 46)
    headers = [struct.unpack_from("<10I", data, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx][4]
    return {cstring(data, names + h[0]): h for h in headers}


def check(data):
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        fail("not a little-endian ELF32 file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type != 3 or e_machine != 3:
        fail(f"e_type {e_type}, e_machine {e_machine}: want ET_DYN, EM_386")
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    loads, dynamic = [], None
    for i in range(phnum):
        p_type, p_offset, p_vaddr, _, p_filesz, p_memsz, p_flags, _ = struct.unpack_from(
            "<8I", data, phoff + i * phentsize)
        if p_type == PT_LOAD:
            loads.append((p_offset, p_vaddr, p_filesz, p_memsz, p_flags))
        elif p_type == PT_DYNAMIC:
            dynamic = p_offset
        elif p_type == PT_INTERP:
            fail("PT_INTERP in the vDSO")
    if len(loads) != 1 or loads[0][:2] != (0, 0) or loads[0][2] != loads[0][3] or loads[0][4] != 5:
        fail(f"want one read+execute PT_LOAD at offset 0, address 0, no bss: {loads}")
    if dynamic is None:
        fail("no PT_DYNAMIC")
    tags = {}
    while True:
        tag, value = struct.unpack_from("<iI", data, dynamic)
        dynamic += 8
        if tag == 0:
            break
        tags[tag] = value
    for name in ["HASH", "GNU_HASH", "SYMTAB", "STRTAB", "VERSYM", "VERDEF"]:
        if DT[name] not in tags:
            fail(f"no DT_{name}")
    for name in FORBIDDEN:
        if DT[name] in tags:
            fail(f"DT_{name}: the vDSO must need no loading or relocation")
    for name, header in sections(data).items():
        if header[1] in (4, 9):  # SHT_RELA, SHT_REL
            fail(f"relocation section {name}")
    # Version definitions: index -> name.
    versions, at = {}, tags[DT["VERDEF"]]
    while True:
        _, _, index, count, _, aux, following = struct.unpack_from("<HHHHIII", data, at)
        name, = struct.unpack_from("<I", data, at + aux)
        versions[index] = cstring(data, tags[DT["STRTAB"]] + name)
        if not following:
            break
        at += following
    nchain, = struct.unpack_from("<I", data, tags[DT["HASH"]] + 4)
    found = {}
    for i in range(nchain):
        st_name, st_value, _, st_info, _, st_shndx = struct.unpack_from("<IIIBBH", data, tags[DT["SYMTAB"]] + 16 * i)
        version, = struct.unpack_from("<H", data, tags[DT["VERSYM"]] + 2 * i)
        name = cstring(data, tags[DT["STRTAB"]] + st_name)
        if name in EXPORTS:
            if st_info != 0x12 or st_shndx == 0:  # STB_GLOBAL, STT_FUNC, defined
                fail(f"{name} is not a defined global function")
            if versions.get(version & 0x7FFF) != EXPORTS[name]:
                fail(f"{name} has version {versions.get(version & 0x7FFF)}, not {EXPORTS[name]}")
            found[name] = st_value
    missing = set(EXPORTS) - set(found)
    if missing:
        fail(f"not exported: {sorted(missing)}")
    return found


def local_symbols(data):
    """Every named symbol of .symtab (the unstripped object's labels) -> value."""
    table = sections(data)
    symtab, strtab = table[".symtab"], table[".strtab"]
    result = {}
    for at in range(symtab[4], symtab[4] + symtab[5], 16):
        st_name, st_value = struct.unpack_from("<II", data, at)
        if st_name:
            result[cstring(data, strtab[4] + st_name)] = st_value
    return result


def embed(debug, stripped, output):
    with open(debug, "rb") as f:
        labels = local_symbols(f.read())
    with open(stripped, "rb") as f:
        data = f.read()
    exports = check(data)
    if len(data) > MAX_PAGES * 4096:
        fail(f"{len(data)} bytes: more than the {MAX_PAGES} pages kept for the vDSO")
    for label in ["vdso_sysenter", "vdso_sysenter_return"]:
        if label not in labels:
            fail(f"no label {label}")
    with open(output, "w") as f:
        f.write(f"""; Generated by vdso_embed.py from {stripped}: the vDSO image and the offsets the kernel needs.
section .vdso progbits alloc noexec write align=4096
global vdso_image_start, vdso_image_end
vdso_image_start:
    incbin "{stripped}"
    align 4096, db 0
vdso_image_end:
section .rodata
global vdso_offset_kernel_vsyscall, vdso_offset_sysenter, vdso_offset_sysenter_return
vdso_offset_kernel_vsyscall: dd {exports['__kernel_vsyscall']:#x}
vdso_offset_sysenter: dd {labels['vdso_sysenter']:#x}
vdso_offset_sysenter_return: dd {labels['vdso_sysenter_return']:#x}
""")


def tools_check(readelf, objdump, so):
    """The same facts through binutils: a second reader of the file than ours."""
    dynamic = subprocess.run([readelf, "-d", "-V", "-l", "-r", so], check=True, capture_output=True, text=True).stdout
    symbols = subprocess.run([objdump, "-T", so], check=True, capture_output=True, text=True).stdout
    problems = []
    for tag in ["(HASH)", "(GNU_HASH)", "(SYMTAB)", "(STRTAB)", "(VERSYM)", "(VERDEF)"]:
        if tag not in dynamic:
            problems.append(f"readelf shows no {tag}")
    if "There are no relocations in this file." not in dynamic:
        problems.append("readelf shows relocations")
    for version in sorted(set(EXPORTS.values())):
        if "Name: " + version not in dynamic:
            problems.append(f"readelf shows no version definition {version}")
    for name, version in EXPORTS.items():
        if not any(line.split()[-2:] == [version, name] and " DF .text" in line for line in symbols.splitlines()
                   if line.split()):
            problems.append(f"objdump -T shows no {name} of version {version}")
    for problem in problems:
        print(problem)
    print("vdso exports: " + ("ok" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--tools":
        sys.exit(tools_check(*sys.argv[2:]))
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    embed(*sys.argv[1:])
