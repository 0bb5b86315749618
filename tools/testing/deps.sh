#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [kmsan]: installs, with apt-get and only when missing, the tools
# `make check`, `make demo` and `make bench` need (and, with kmsan, those
# of `make check-kmsan`) from this machine's own apt sources.
# Safe to run again and again. The kernels of the matrix are not
# installed: lib.sh fetches their packages (from this machine's sources,
# or from a backports suite through a private apt configuration) and
# unpacks them into the cache. The one exception is the stock 6.1
# headers, which the DKMS check (dkms.sh) installs into, as a user would.
# The arm64 guests take the cross compiler and qemu-system-aarch64 from
# here, and their busybox from Debian's arm64 packages (lib.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(gcc make libc6-dev bc bison flex cpio xz-utils kmod libelf-dev libssl-dev
      dwarves python3 qemu-system-x86 busybox-static sparse dkms linux-headers-amd64
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
# make check-kmsan's compiler: KMSAN is clang's (LLVM=1).
[ "${1:-}" = kmsan ] && pkgs+=(clang lld llvm)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
msg "installing: ${missing[*]}"
apt-get update -qq > /dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	"${missing[@]}" > /dev/null || die "apt-get install failed for: ${missing[*]}"
