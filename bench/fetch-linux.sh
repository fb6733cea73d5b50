#!/usr/bin/env bash
# Fetch Debian's own i386 Linux kernel and a tiny busybox initramfs, so the
# benchmarks can boot a reference Linux in the same QEMU as Cadenza.
#
# Usage: bench/fetch-linux.sh [CACHE_DIR]   (default: build/bench-cache under
#        the repository root; a relative CACHE_DIR is taken from the caller's
#        current directory)
#
# Prints two lines on stdout, everything else goes to stderr:
#   <absolute path of the vmlinuz>
#   <absolute path of the initramfs (cpio newc, gzip)>
#
# Idempotent: when the cache already holds the kernel and the initramfs it
# touches neither apt nor the network.  Delete the cache directory to refresh.
# The .deb packages are only unpacked with dpkg-deb -x, never installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cache=${1:-$root/build/bench-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

kernel_link=$cache/vmlinuz
initrd=$cache/initramfs.cpio.gz
versions=$cache/versions.txt

log() { printf 'fetch-linux: %s\n' "$*" >&2; }

if [[ -s $kernel_link && -s $initrd && -s $versions ]]; then
    log "cached in $cache"
    cat "$versions" >&2
    printf '%s\n%s\n' "$(readlink -f "$kernel_link")" "$initrd"
    exit 0
fi

debs=$cache/debs
mkdir -p "$debs"
find_deb() { find "$debs" -maxdepth 1 -name "$1" | sort | head -n1; }
kdeb=$(find_deb 'linux-image-6.1.0-*-686_*_i386.deb')
bdeb=$(find_deb 'busybox-static_*_i386.deb')

# apt is needed only when a .deb is not cached yet.
if [[ -z $kdeb || -z $bdeb ]]; then
    # --- apt: make i386 packages visible ----------------------------------
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        log "adding foreign architecture i386"
        dpkg --add-architecture i386
    fi

    # A failing mirror (apt-get update exits 100 when one list fails, e.g.
    # "Mirror sync in progress") is tolerated as long as the lists we need
    # are usable afterwards.
    log "apt-get update"
    if ! timeout 900 apt-get update >&2; then
        log "apt-get update exited non-zero; checking whether the lists are usable"
    fi
    if ! apt-cache show linux-image-686:i386 busybox-static:i386 >/dev/null 2>&1; then
        log "ERROR: apt lists do not know linux-image-686:i386 / busybox-static:i386"
        exit 1
    fi

    # --- resolve the exact kernel package ----------------------------------
    # linux-image-686 is a metapackage; its candidate depends on the real
    # image, e.g. linux-image-6.1.0-50-686.
    kpkg=$(apt-cache depends linux-image-686:i386 \
            | sed -n 's/^ *Depends: *//p' \
            | sed 's/:i386$//' \
            | grep -E '^linux-image-6\.1\.0-[0-9]+-686$' \
            | head -n1 || true)
    if [[ -z $kpkg ]]; then
        # Fall back to the Depends field of the candidate version.
        kpkg=$(apt-cache show --no-all-versions linux-image-686:i386 \
                | sed -n 's/^Depends: *//p' | tr ',' '\n' \
                | sed 's/^ *//; s/ .*//; s/:i386$//' \
                | grep -E '^linux-image-6\.1\.0-[0-9]+-686$' \
                | head -n1 || true)
    fi
    if [[ -z $kpkg ]]; then
        log "ERROR: cannot resolve the linux-image-6.1.0-*-686 package behind linux-image-686:i386"
        exit 1
    fi
    log "kernel package: $kpkg:i386"

    # --- download (never install) -------------------------------------------
    # download PKG: apt-get download PKG:i386 into $debs, print the .deb path.
    # apt's _apt sandbox user may not write to $debs; apt then downloads as
    # root with a warning, which is fine.
    download() {
        local pkg=$1 deb
        log "apt-get download $pkg:i386"
        (cd "$debs" && timeout 900 apt-get download "$pkg:i386" >&2)
        deb=$(find_deb "${pkg}_*_i386.deb")
        [[ -n $deb ]] || { log "ERROR: download of $pkg:i386 produced no .deb"; exit 1; }
        printf '%s\n' "$deb"
    }
    [[ -n $kdeb ]] || kdeb=$(download "$kpkg")
    [[ -n $bdeb ]] || bdeb=$(download busybox-static)
fi

# --- unpack ---------------------------------------------------------------------
# unpack DEB DIR: dpkg-deb -x into DIR unless already done
unpack() {
    local deb=$1 dir=$2
    if [[ ! -e $dir/.unpacked ]]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        log "dpkg-deb -x $(basename "$deb")"
        dpkg-deb -x "$deb" "$dir"
        touch "$dir/.unpacked"
    fi
}

unpack "$kdeb" "$cache/linux-image"
unpack "$bdeb" "$cache/busybox-static"

vmlinuz=$(find "$cache/linux-image/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1)
[[ -n $vmlinuz ]] || { log "ERROR: no boot/vmlinuz-* in $kdeb"; exit 1; }
busybox=$cache/busybox-static/bin/busybox
[[ -x $busybox ]] || { log "ERROR: no bin/busybox in $bdeb"; exit 1; }

# --- initramfs ----------------------------------------------------------------
# cpio newc written by python3 (no cpio(1) needed, no mknod needed for
# /dev/console, deterministic: mtime 0, uid/gid 0).
tmp_initrd=$initrd.tmp
python3 - "$busybox" "$tmp_initrd" <<'PY'
import gzip, sys

busybox_path, out_path = sys.argv[1], sys.argv[2]

INIT = b"""#!/bin/busybox sh
echo "linux-init-ready"
/bin/busybox poweroff -f
"""

entries = []  # (name, mode, data, rdevmajor, rdevminor)
entries.append(("dev", 0o040755, b"", 0, 0))
entries.append(("dev/console", 0o020600, b"", 5, 1))
entries.append(("bin", 0o040755, b"", 0, 0))
with open(busybox_path, "rb") as f:
    entries.append(("bin/busybox", 0o100755, f.read(), 0, 0))
entries.append(("init", 0o100755, INIT, 0, 0))
entries.append(("proc", 0o040755, b"", 0, 0))
entries.append(("sys", 0o040755, b"", 0, 0))


def pad4(n):
    return (4 - n % 4) % 4


def record(ino, name, mode, data, rmaj, rmin):
    nameb = name.encode() + b"\0"
    nlink = 2 if mode & 0o170000 == 0o040000 else 1
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rmaj, rmin,
              len(nameb), 0]
    hdr = b"070701" + b"".join(b"%08X" % v for v in fields)
    out = hdr + nameb + b"\0" * pad4(len(hdr) + len(nameb))
    return out + data + b"\0" * pad4(len(data))


blob = b"".join(record(i + 1, *e) for i, e in enumerate(entries))
blob += record(0, "TRAILER!!!", 0, b"", 0, 0)
with open(out_path, "wb") as f:
    f.write(gzip.compress(blob, compresslevel=9, mtime=0))
PY
mv "$tmp_initrd" "$initrd"

ln -sfn "${vmlinuz#"$cache"/}" "$kernel_link"

{
    printf '%s %s\n' "$(dpkg-deb -f "$kdeb" Package):i386" "$(dpkg-deb -f "$kdeb" Version)"
    printf '%s %s\n' "$(dpkg-deb -f "$bdeb" Package):i386" "$(dpkg-deb -f "$bdeb" Version)"
} > "$versions.tmp"
mv "$versions.tmp" "$versions"

log "ready in $cache"
cat "$versions" >&2
printf '%s\n%s\n' "$vmlinuz" "$initrd"
