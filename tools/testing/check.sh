#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: installs what is missing, checks the harness, bufpoolstat,
# lint, DKMS and make install on this machine, then proves bufpool in
# guests under QEMU:
#   debug  the debug kernel (KASAN, lockdep, kmemleak, ...) running the
#          KUnit suites, then bufpool in debug mode under a workload;
#   stock  Debian's stock kernel, insmod'ed as a driver developer would,
#          exercised by the sample client, with the tracepoints on;
#   rt     Debian's stock PREEMPT_RT kernel, under a stress of kthreads on
#          every CPU and a timer.
# check.sh kcsan (make check-kcsan) runs the KUnit suites under KCSAN only.
# Ends with "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 skipped=0
t0=$SECONDS

# tally LOG LABEL [--suite NAME...]: judge a guest log and add it up.
tally() {
	local log=$1 label=$2 out counts
	shift 2
	out=$(python3 "$BUFPOOL_TOP/tools/testing/verdict.py" "$log" --label "$label" "$@")
	printf '%s\n' "$out" | sed '$d'
	counts=($(printf '%s\n' "$out" | tail -n 1))
	passed=$((passed + counts[0]))
	failed=$((failed + counts[1]))
	skipped=$((skipped + counts[2]))
}

# host_checks LABEL COMMAND...: counts the "bufpool-check:" lines of a
# test that runs on this machine, and shows the ones that failed.
host_checks() {
	local label=$1 out ok bad
	shift
	out=$("$@" 2>&1)
	ok=$(printf '%s\n' "$out" | grep -c '^bufpool-check: ok ')
	bad=$(printf '%s\n' "$out" | grep -c '^bufpool-check: not ok ')
	printf '%s\n' "$out" | grep '^bufpool-check: not ok ' | sed "s/^bufpool-check: not ok /$label: FAIL /"
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		printf '%s\n' "$out" | tail -n 20
		broken "$label" "ran no check"
		return
	fi
	echo "$label: $ok checks passed, $bad failed"
	passed=$((passed + ok))
	failed=$((failed + bad))
}

# A step that fails outside a guest is one failure, and what it printed.
broken() {
	echo "$1: FAIL $2"
	failed=$((failed + 1))
}

summary() {
	msg "make check took $((SECONDS - t0)) s"
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
	exit
}

"$BUFPOOL_TOP/tools/testing/deps.sh" || { broken setup "installing the dependencies"; summary; }

# build_module KDIR OUT: builds bufpool (and its KUnit module where the
# kernel has KUnit), the sample client and bufpoolstat in a copy of the
# tree at OUT, so that builds against different kernels do not trample
# each other. Any compiler warning fails it.
build_module() {
	local kdir=$1 out=$2
	mkdir -p "$out"
	cp -rp "$BUFPOOL_TOP"/{Kbuild,Makefile,bufpool,include,kunit,tools} "$out"/
	make -C "$out" KDIR="$kdir" W=1 module client bufpoolstat > "$out.log" 2>&1 &&
		! grep -E 'warning:|error:' "$out.log"
}

mkdir -p "$BUFPOOL_OUT"

# On this machine: the judge of guest logs, and the bufpoolstat tool.
[ "${1:-}" = kcsan ] || host_checks verdict "$BUFPOOL_TOP/tools/testing/verdict-test.sh"
[ "${1:-}" = kcsan ] || host_checks bufpoolstat "$BUFPOOL_TOP/tools/testing/bufpoolstat-test.sh"
# kunit_guest VARIANT: the KUnit suites, and the debug-mode workload, in a
# guest of the test kernel VARIANT (debug: KASAN; kcsan: KCSAN).
kunit_guest() {
	local variant=$1 kdir out s suites=()

	for s in $(sed -n 's/^\s*\.name = "\(bufpool[^"]*\)".*/\1/p' "$BUFPOOL_TOP"/kunit/*_test.c); do
		# The KASAN suite exists only in a KASAN kernel.
		[ "$variant" = kcsan ] && [ "${s%_kasan}" != "$s" ] && continue
		suites+=(--suite "$s")
	done
	if ! kdir=$("$BUFPOOL_TOP/tools/testing/kernel.sh" "$variant"); then
		broken "$variant" "the $variant kernel did not build"
		return
	fi
	out=$BUFPOOL_OUT/$variant
	msg "$variant kernel: building the modules"
	if ! build_module "$kdir" "$out"; then
		tail -n 30 "$out.log"
		broken "$variant" "bufpool did not build cleanly against the $variant kernel"
		return
	fi
	msg "$variant kernel: running the KUnit suites in QEMU"
	"$BUFPOOL_TOP/tools/testing/initramfs.sh" "$out.cpio.gz" \
		"$BUFPOOL_TOP/tools/testing/guest/kunit.sh" \
		"$out/bufpool.ko" "$out/bufpool_kunit.ko" \
		"$out/tools/client/bufpool_client.ko"
	t=$SECONDS
	"$BUFPOOL_TOP/tools/testing/qemu.sh" "$kdir/arch/x86/boot/bzImage" \
		"$out.cpio.gz" "$out.serial.log" 600 debug_pagealloc=on slub_debug=FZP
	msg "$variant guest ran $((SECONDS - t)) s; log: $out.serial.log"
	tally "$out.serial.log" "$variant" "${suites[@]}"
}

# make check-kcsan: the same suites under the data-race detector.
if [ "${1:-}" = kcsan ]; then
	kunit_guest kcsan
	summary
fi

kunit_guest debug

# The kernel's linters (after the debug kernel: sparse uses it), then DKMS
# and make install against the stock headers.
host_checks lint "$BUFPOOL_TOP/tools/testing/lint.sh"
host_checks dkms "$BUFPOOL_TOP/tools/testing/dkms.sh"
host_checks install "$BUFPOOL_TOP/tools/testing/install-test.sh"

# Debian's stock kernels, as a driver developer meets them: the generic
# one with init_on_alloc=1 (its default, stated), and PREEMPT_RT under a
# stress of kthreads on every CPU and a timer.
stock_guest() {
	local flavour=$1 payload=$2 limit=$3 abi out
	shift 3
	abi=$(stock_abi "$flavour")
	out=$BUFPOOL_OUT/$payload
	msg "stock kernel $abi: building the modules"
	if ! build_module "/usr/src/linux-headers-$abi" "$out"; then
		tail -n 30 "$out.log"
		broken "$payload" "bufpool did not build cleanly against linux-headers-$abi"
		return
	fi
	msg "stock kernel $abi: loading bufpool in QEMU"
	"$BUFPOOL_TOP/tools/testing/initramfs.sh" "$out.cpio.gz" \
		"$BUFPOOL_TOP/tools/testing/guest/$payload.sh" \
		"$out/bufpool.ko" "$out/tools/client/bufpool_client.ko" \
		"$out/tools/bufpoolstat"
	t=$SECONDS
	"$BUFPOOL_TOP/tools/testing/qemu.sh" "$BUFPOOL_CACHE/stock/$abi/vmlinuz" \
		"$out.cpio.gz" "$out.serial.log" "$limit" "$@"
	msg "$payload guest ran $((SECONDS - t)) s; log: $out.serial.log"
	tally "$out.serial.log" "$payload"
}

stock_guest amd64 stock 300 init_on_alloc=1
stock_guest rt-amd64 rt 300

summary
