#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo [KERNEL=6.1|6.12|7.3]: installs what is missing, builds
# bufpool, the sample client and bufpoolstat against the kernel's headers
# (Debian's stock kernel of that version, the default 6.1; for the newest,
# which has no stock image here, the kernel kernel.sh builds with Debian's
# configuration), then boots that kernel in QEMU (2 vCPUs) and runs the
# client's workload there, watched by
# bufpoolstat (the guest side is guest/demo.sh). Shows the guest's
# commands, their output and bufpool's kernel messages as they come; the
# whole serial log is kept in .out/demo.serial.log. Exits non-zero when
# something did not build, the guest did not finish, or the kernel
# complained (a WARN, BUG, Oops, panic or stack dump).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
deps || die "installing the dependencies failed"
run_kernel "${KERNEL:-6.1}" || die "no kernel ${KERNEL:-6.1} to boot"
out=$BUFPOOL_OUT/demo
log=$out.serial.log

# In a tree of the demo's own, so that this build neither meets nor
# disturbs the ones of make, make check or an editor.
msg "building bufpool, the sample client and bufpoolstat against $RUN_NAME in $out"
if ! build_module "$RUN_KDIR" "$out"; then
	tail -n 30 "$out.log"
	die "bufpool, the client or bufpoolstat did not build cleanly; log: $out.log"
fi
files=("$out/bufpool.ko" "$out/tools/client/bufpool_client.ko" "$out/tools/bufpoolstat")
initramfs "$out.cpio.gz" demo "${files[@]}"

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

msg "booting $RUN_NAME in QEMU (2 vCPUs, TCG) with the workload"
rm -f "$log"
t=$SECONDS
GUEST_CPUS=2 qemu_boot "$RUN_IMAGE" "$out.cpio.gz" "$log" 180 &
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
