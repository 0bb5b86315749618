#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT PAYLOAD [FILE...]: a busybox initramfs whose /init runs
# PAYLOAD; each FILE is copied to / by its base name.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 payload=$2
shift 2

gen=$BUFPOOL_CACHE/bin/gen_init_cpio
if [ ! -x "$gen" ]; then
	mkdir -p "$(dirname "$gen")"
	gcc -O2 -o "$gen" "$(source_tree)/usr/gen_init_cpio.c" ||
		die "cannot build gen_init_cpio"
fi
busybox=$(command -v busybox) || die "busybox is missing (apt-get install busybox-static)"

guest=$BUFPOOL_TOP/tools/testing/guest
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /proc /sys /dev /tmp; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "file /init $guest/init 0755 0 0"
	echo "file /checks.sh $guest/checks.sh 0644 0 0"
	echo "file /payload.sh $payload 0644 0 0"
	for f in "$@"; do
		echo "file /$(basename "$f") $(readlink -f "$f") 0755 0 0"
	done
} > "$out.list"
"$gen" "$out.list" | gzip -1 > "$out"
rm -f "$out.list"
