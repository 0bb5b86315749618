#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs, with apt-get and only when missing, what `make check`,
# `make demo` and `make bench` need. Safe to run again and again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(gcc make libc6-dev bc bison flex cpio xz-utils kmod libelf-dev libssl-dev
      python3 qemu-system-x86 busybox-static sparse dkms linux-source-6.1
      linux-headers-amd64 linux-headers-rt-amd64)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
	msg "installing: ${missing[*]}"
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install failed for: ${missing[*]}"
fi

# The stock kernel images are unpacked into the cache, never installed:
# installing a kernel into a container or a developer's box is not ours
# to do.
for flavour in amd64 rt-amd64; do
	abi=$(stock_abi "$flavour")
	dir=$BUFPOOL_CACHE/stock/$abi
	[ -r "$dir/vmlinuz" ] && continue
	msg "fetching linux-image-$abi"
	tmp=$(mktemp -d) && chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -qq "linux-image-$abi" >/dev/null) ||
		die "apt-get download linux-image-$abi failed"
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb |
		tar -xO --wildcards './boot/vmlinuz-*' > "$dir/vmlinuz.tmp"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	rm -rf "$tmp"
done
