#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: installs what is missing, builds bufpool, the sample client
# and bufpoolstat against Debian's stock kernel headers, then boots that
# kernel in QEMU (2 vCPUs) and runs the client's workload there, watched by
# bufpoolstat (the guest side is guest/demo.sh). Shows the guest's
# commands, their output and bufpool's kernel messages as they come; the
# whole serial log is kept in .out/demo.serial.log. Exits non-zero when
# something did not build, the guest did not finish, or the kernel
# complained (a WARN, BUG, Oops, panic or stack dump).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
"$BUFPOOL_TOP/tools/testing/deps.sh" || die "installing the dependencies failed"

abi=$(stock_abi amd64)
kdir=/usr/src/linux-headers-$abi
kernel=$BUFPOOL_CACHE/stock/$abi/vmlinuz
out=$BUFPOOL_OUT/demo
log=$out.serial.log
[ -d "$kdir" ] || die "$kdir is missing (run tools/testing/deps.sh)"
[ -r "$kernel" ] || die "$kernel is missing (run tools/testing/deps.sh)"

# The sources only, into a tree of the demo's own, so that this build
# neither meets nor disturbs the ones of make, make check or an editor.
# Modification times are kept: a second run rebuilds only what changed.
msg "building bufpool, the sample client and bufpoolstat against linux-headers-$abi in $out"
srcs=(Kbuild Makefile bufpool include kunit tools/client)
[ -e "$BUFPOOL_TOP/tools/bufpoolstat.c" ] && srcs+=(tools/bufpoolstat.c)
mkdir -p "$out"
(cd "$BUFPOOL_TOP" &&
 find "${srcs[@]}" -type f \
	! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
	! -name '.*.cmd' ! -name '*.symvers' ! -name 'modules.order' |
 cpio -pdmu --quiet "$out") || die "cannot copy the sources to $out"

if ! make -C "$out" KDIR="$kdir" module client > "$out.log" 2>&1; then
	tail -n 30 "$out.log"
	die "bufpool or the client did not build; log: $out.log"
fi
files=("$out/bufpool.ko" "$out/tools/client/bufpool_client.ko")
if [ ! -e "$BUFPOOL_TOP/tools/bufpoolstat.c" ]; then
	msg "tools/bufpoolstat.c is not there: the demo runs without bufpoolstat"
elif make -C "$out" tools/bufpoolstat >> "$out.log" 2>&1; then
	files+=("$out/tools/bufpoolstat")
else
	tail -n 10 "$out.log"
	msg "bufpoolstat did not build (log: $out.log): the demo runs without it"
fi

"$BUFPOOL_TOP/tools/testing/initramfs.sh" "$out.cpio.gz" \
	"$BUFPOOL_TOP/tools/testing/guest/demo.sh" "${files[@]}" ||
	die "cannot build the guest's initramfs"

# Of the serial console, show the payload's own lines (the ones without a
# kernel timestamp, between the guest's start and done markers) and the
# kernel's lines about bufpool or about trouble.
show() {
	awk '
	{ sub(/\r$/, "") }
	/^bufpool-guest: start / {
		inside = 1
		print "guest: Linux " $3 " is up"
		fflush()
		next
	}
	/^bufpool-guest: done rc=/ { inside = 0; next }
	/^\[ *[0-9]+\.[0-9]+\]/ {
		sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "")
		if ($0 ~ /taint/)
			next
		if ($0 ~ /bufpool|WARNING:|BUG:|Oops|Kernel panic|Call Trace:/) {
			print "  kernel: " $0
			fflush()
		}
		next
	}
	inside { print "  " $0; fflush() }
	'
}

msg "booting Debian's $abi in QEMU (2 vCPUs, TCG) with the workload"
rm -f "$log"
t=$SECONDS
GUEST_CPUS=2 "$BUFPOOL_TOP/tools/testing/qemu.sh" "$kernel" "$out.cpio.gz" \
	"$log" 180 &
qemu=$!
tail -n +1 -F --pid=$qemu "$log" 2>/dev/null | show
wait $qemu
rc=$?
guest=$((SECONDS - t))

verdict=$(python3 "$BUFPOOL_TOP/tools/testing/verdict.py" "$log" --label demo)
read -r -a counts <<< "$(printf '%s\n' "$verdict" | tail -n 1)"
if [ $rc -ne 0 ] || [ "${counts[1]:-1}" -ne 0 ]; then
	printf '%s\n' "$verdict" | sed '$d'
	[ $rc -eq 124 ] && echo "demo: FAIL the guest ran past 180 s"
	msg "make demo FAILED after $((SECONDS - t0)) s; serial log: $log"
	exit 1
fi
msg "make demo passed in $((SECONDS - t0)) s (guest $guest s, ${counts[0]:-0} checks, no kernel complaints); serial log: $log"
