#!/usr/bin/env bash
# Installs what Cadenza's build, tests and benchmarks need from Debian's packages.
# Idempotent and quiet when everything is present; run by ./cadenza before any build.
set -euo pipefail

# Tools a full build, test and bench needs; each entry is "command-or-path:package".
need=(
  cmake:cmake ninja:ninja-build g++:g++ clang++:clang python3:python3
  i686-linux-gnu-g++:g++-i686-linux-gnu i686-linux-gnu-ld:binutils-i686-linux-gnu
  nasm:nasm qemu-system-i386:qemu-system-x86
  grub-mkrescue:grub-common /usr/lib/grub/i386-pc/multiboot.mod:grub-pc-bin
  xorriso:xorriso mformat:mtools sfdisk:fdisk sgdisk:gdisk
  /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
  i386-linux-musl-gcc:musl-dev:i386
)

missing=()
for entry in "${need[@]}"; do
  what=${entry%%:*} pkg=${entry#*:}
  if [[ $what == /* ]]; then [[ -e $what ]] || missing+=("$pkg")
  else command -v "$what" >/dev/null 2>&1 || missing+=("$pkg"); fi
done
# Catch2 v3 lives in bookworm-backports (main has 2.13, whose API differs).
catch2_ok() { [[ -f /usr/include/catch2/catch_test_macros.hpp ]]; }

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

if ((${#missing[@]} == 0)) && catch2_ok; then exit 0; fi

echo "cadenza: installing Debian packages: ${missing[*]} $(catch2_ok || echo catch2/bookworm-backports)" >&2
backports=/etc/apt/sources.list.d/cadenza-backports.list
if ! catch2_ok && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' | as_root tee "$backports" >/dev/null
fi
# User programs for the integration tests are built against Debian's i386 musl (musl-dev:i386).
if [[ " ${missing[*]} " == *":i386 "* ]] && ! dpkg --print-foreign-architectures | grep -qx i386; then
  as_root dpkg --add-architecture i386
fi
# A transient mirror error makes update exit non-zero; the lists it did fetch are still usable.
as_root apt-get update -qq || echo "cadenza: apt-get update reported an error; trying with the lists we have" >&2
if ((${#missing[@]})); then
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! catch2_ok; then
  as_root apt-get install -y -qq --no-install-recommends -t bookworm-backports catch2 >/dev/null
fi
