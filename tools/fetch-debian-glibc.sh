#!/usr/bin/env bash
# Fetch Debian bookworm's glibc (libc6:i386) and a handful of its dynamically linked i386 programs with every
# shared library they need, unpack them into a tree laid out as an installed Debian system (merged /usr), and
# make an initramfs of it: what a user who copies programs from a Debian i386 machine would run on Cadenza.
#
# Usage: tools/fetch-debian-glibc.sh [--out DIR] [CACHE_DIR]
#   CACHE_DIR (default build/glibc-cache under the repository root) keeps the .debs and one tree per set of
#   package versions, so a second run, or a CI run whose package versions did not change, downloads nothing.
#   Prints the tree's directory and its cpio archive on stdout, the rest on stderr.
#   --out DIR: instead, link them as DIR/glibc_tree and DIR/glibc_tree.cpio (what the build does), or, when the
#   packages cannot be fetched, remove those and write the reason to DIR/glibc_tree.unavailable; exits 0
#   either way so a machine without Debian's registry still builds.
# Exit status: 0 ready, 2 the packages cannot be fetched (no usable Debian registry), 1 anything else.
# The .debs are only unpacked with dpkg-deb -x, never installed on this machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out=
if [[ ${1:-} == --out ]]; then
    out=$2
    shift 2
fi
cache=${1:-$root/build/glibc-cache}

# The programs the tests run; their libraries come from the packages' Depends below.
programs=(libc6 coreutils bash dash grep sed findutils mawk diffutils gzip tar procps)
# What the tree is made from besides the versions; change "layout" when the way it is made changes.
recipe="layout 2: ${programs[*]}"

log() { printf 'fetch-debian-glibc: %s\n' "$*" >&2; }

# unavailable REASON: the packages cannot be fetched here; status 2 (or the --out marker).
unavailable() {
    log "unavailable: $*"
    if [[ -n $out ]]; then
        mkdir -p "$out"
        rm -rf "$out/glibc_tree" "$out/glibc_tree.cpio"
        printf '%s\n' "$*" >"$out/glibc_tree.unavailable"
        exit 0
    fi
    exit 2
}

# ready TREE CPIO: report or link the result.
ready() {
    if [[ -n $out ]]; then
        mkdir -p "$out"
        rm -f "$out/glibc_tree.unavailable"
        ln -sfn "$1" "$out/glibc_tree"
        ln -sfn "$2" "$out/glibc_tree.cpio"
        exit 0
    fi
    printf '%s\n%s\n' "$1" "$2"
    exit 0
}

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)


# Versions change only when apt's lists do: a tree made after the lists' last update is still the right one,
# and reusing it skips apt-cache's seconds of start-up.
lists=/var/lib/apt/lists
if [[ -s $cache/current/tree.cpio && -d $lists && $(cat "$cache/current/recipe" 2>/dev/null) == "$recipe" ]] &&
    [[ -z $(find "$lists" -maxdepth 1 -newer "$cache/current/tree.cpio" -print -quit) ]]; then
    current=$(readlink -f "$cache/current")
    log "cached in $current (apt's lists unchanged since)"
    ready "$current/tree" "$current/tree.cpio"
fi

# --- apt: are i386 packages visible? --------------------------------------------------------------------------
apt_knows() { apt-cache show --no-all-versions libc6:i386 >/dev/null 2>&1; }
if ! command -v apt-cache >/dev/null || ! command -v dpkg-deb >/dev/null; then
    unavailable "no apt-cache/dpkg-deb on this machine (not a Debian system)"
fi
if ! apt_knows; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        log "the i386 architecture is not enabled (tools/deps.sh enables it)"
    fi
    log "apt-get update (the lists do not know libc6:i386)"
    # A mirror error makes update exit non-zero; the lists it did fetch may still do.
    if [[ $(id -u) == 0 ]]; then
        timeout 300 apt-get update -qq >&2 || log "apt-get update reported an error; trying the lists we have"
    else
        timeout 300 sudo -n apt-get update -qq >&2 || log "apt-get update failed; trying the lists we have"
    fi
    if ! apt_knows; then
        # Offline with no lists: the tree made last time is better than none.
        if [[ -s $cache/current/tree.cpio && $(cat "$cache/current/recipe" 2>/dev/null) == "$recipe" ]]; then
            previous=$(readlink -f "$cache/current")
            log "apt knows no libc6:i386; using the tree cached in $previous"
            ready "$previous/tree" "$previous/tree.cpio"
        fi
        unavailable "apt knows no libc6:i386 (no Debian i386 package lists)"
    fi
fi

# --- resolve: the programs and, transitively, the library packages they depend on ------------------------------
# Only dependencies named lib* are followed: the rest (base-files, debianutils, dpkg) are not needed to run
# the programs. The first alternative of an "a | b" is taken, as apt does.
# One apt-cache call per level of the walk: each call costs a second or two, whatever it asks.
declare -A version=()
level=("${programs[@]}")
while ((${#level[@]})); do
    records=$(apt-cache show --no-all-versions "${level[@]/%/:i386}" 2>/dev/null) ||
        unavailable "apt knows no ${level[*]} for i386"
    next=()
    # "package version dependency..." per record.
    while read -r pkg ver deps; do
        version[$pkg]=$ver
        for dep in $deps; do
            [[ $dep == lib* && -z ${version[$dep]:-} && " ${level[*]} ${next[*]} " != *" $dep "* ]] && next+=("$dep")
        done
    done < <(awk '
        /^Package: / { pkg = $2 } /^Version: / { ver = $2 }
        /^(Pre-)?Depends: / { sub(/^[^:]*: /, ""); deps = deps "," $0 }
        /^$/ { if (pkg != "") emit(); pkg = ""; deps = "" }
        END { if (pkg != "") emit() }
        function emit(   n, i, parts, name) {
            n = split(deps, parts, ","); line = pkg " " ver
            for (i = 1; i <= n; i++) {
                name = parts[i]; sub(/^ +/, "", name); sub(/[ |(:].*$/, "", name)
                if (name != "") line = line " " name
            }
            print line
        }' <<<"$records")
    level=("${next[@]}")
done
manifest=$(for pkg in "${!version[@]}"; do printf '%s:i386 %s\n' "$pkg" "${version[$pkg]}"; done | sort)
# Bump when the tree's layout changes, so old caches are not reused.
key=$(printf '%s\n%s\n' "$recipe" "$manifest" | sha256sum | cut -c1-16)
dir=$cache/$key
if [[ -s $dir/tree.cpio && -s $dir/versions.txt ]]; then
    touch "$dir/tree.cpio"
    ln -sfn "$key" "$cache/current"
    log "cached in $dir ($(wc -l <"$dir/versions.txt") packages)"
    ready "$dir/tree" "$dir/tree.cpio"
fi

# --- download (never install) -------------------------------------------------------------------------------
debs=$cache/debs
mkdir -p "$debs"
deb_of() { printf '%s/%s_%s_i386.deb' "$debs" "$1" "${2//:/%3a}"; }
wanted=()
for pkg in "${!version[@]}"; do
    [[ -s $(deb_of "$pkg" "${version[$pkg]}") ]] || wanted+=("$pkg:i386=${version[$pkg]}")
done
if ((${#wanted[@]})); then
    log "apt-get download ${wanted[*]}"
    # apt's _apt sandbox user may not write here; apt then downloads as root with a warning, which is fine.
    (cd "$debs" && timeout 600 apt-get download -q "${wanted[@]}" >&2) || unavailable "apt-get download failed"
fi
for pkg in "${!version[@]}"; do
    [[ -s $(deb_of "$pkg" "${version[$pkg]}") ]] || { log "ERROR: no $(deb_of "$pkg" "${version[$pkg]}")"; exit 1; }
done

# --- unpack into Debian's installed layout --------------------------------------------------------------------
work=$dir.tmp
rm -rf "$work"
mkdir -p "$work/tree"
for pkg in "${!version[@]}"; do
    dpkg-deb -x "$(deb_of "$pkg" "${version[$pkg]}")" "$work/tree"
done
tree=$work/tree
# bookworm's packages still ship /bin, /sbin and /lib; an installed system has merged them into /usr and left
# symlinks (usrmerge), which is where programs and the loader are then found.
for top in bin sbin lib; do
    [[ -d $tree/$top && ! -L $tree/$top ]] || continue
    mkdir -p "$tree/usr/$top"
    cp -a "$tree/$top/." "$tree/usr/$top/"
    rm -rf "${tree:?}/$top"
    ln -s "usr/$top" "$tree/$top"
done
# What running the programs in the C locale never reads: documentation and character-set converters.
rm -rf "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/info" "$tree/usr/share/locale" \
    "$tree/usr/share/lintian" "$tree/usr/lib/i386-linux-gnu/gconv"
# The one alternative a postinst would set up that the programs use: awk is mawk (update-alternatives).
if [[ ! -e $tree/usr/bin/awk && -e $tree/usr/bin/mawk ]]; then
    mkdir -p "$tree/etc/alternatives"
    ln -s /usr/bin/mawk "$tree/etc/alternatives/awk"
    ln -s /etc/alternatives/awk "$tree/usr/bin/awk"
fi
[[ -e $tree/lib/ld-linux.so.2 ]] || { log "ERROR: no /lib/ld-linux.so.2 in the unpacked tree"; exit 1; }

# Every library a program or library names must be in the tree, or the test would fail for a reason that is
# the fetch's fault, not the kernel's.
have=$(find "$tree/usr/lib" -name '*.so*' -printf '%f\n' | sort -u)
# (readelf fails on the shell scripts among them: ignored.)
missing=$({ find "$tree/usr/bin" "$tree/usr/sbin" "$tree/usr/lib" -type f \( -perm -u+x -o -name '*.so*' \) \
        -exec readelf -d {} + 2>/dev/null || true; } |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u | comm -23 - <(printf '%s\n' "$have"))
[[ -z $missing ]] || { log "ERROR: libraries named but not fetched: $(tr '\n' ' ' <<<"$missing")"; exit 1; }

python3 "$here/initramfs.py" "$tree" "$work/tree.cpio"
printf '%s\n' "$manifest" >"$work/versions.txt"
printf '%s\n' "$recipe" >"$work/recipe"
rm -rf "$dir"
mv "$work" "$dir"
ln -sfn "$key" "$cache/current"
# Only the newest tree and its packages are kept: the cache stays the size of one.
for old in "$cache"/*/; do
    old=${old%/}
    [[ -L $old || $old == "$dir" || $old == "$debs" ]] || rm -rf "$old"
done
for deb in "$debs"/*.deb; do
    keep=0
    for pkg in "${!version[@]}"; do [[ $deb == "$(deb_of "$pkg" "${version[$pkg]}")" ]] && keep=1; done
    ((keep)) || rm -f "$deb"
done
log "ready in $dir: $(du -sh "$dir/tree" | cut -f1) tree, $(du -h "$dir/tree.cpio" | cut -f1) cpio"
cat "$dir/versions.txt" >&2
ready "$dir/tree" "$dir/tree.cpio"
