#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check [KERNELS="6.1 6.12 7.3"]: installs what is missing, checks the
# harness, bufpoolstat, lint, DKMS and make install on this machine, then
# proves bufpool in guests under QEMU, for every kernel of KERNELS (the
# matrix of tools/testing/kernels/, all of it by default):
#   debug-VER  the debug kernel (KASAN, lockdep, kmemleak, ...) built from
#              kernel VER's source, running the KUnit suites, then bufpool
#              in debug mode under a workload;
#   stock-VER  Debian's stock kernel VER, insmod'ed as a driver developer
#              would, exercised by the sample client, tracepoints on;
#   rt-VER     Debian's stock PREEMPT_RT kernel VER, under a stress of
#              kthreads on every CPU and a timer;
#   debug-TARGET-VER, stock-arm64-VER  the same on the kernel's other
#              targets (arm64 with 4 KB and 64 KB pages; K_TARGETS) and
#              Debian's stock arm64 kernel, cross-built, under
#              qemu-system-aarch64.
# check.sh kcsan (make check-kcsan) runs the KUnit suites under KCSAN,
# on 6.1 and the newest kernel unless KERNELS says otherwise; check.sh
# kmsan (make check-kmsan) under KMSAN, built with clang, on 6.12 (7.3
# wants LLVM 17, newer than this machine's clang).
# The guests and host checks run two at a time (CHECK_JOBS). Ends with
# "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-all}
# TARGETS narrows the machines (x86_64, arm64-4k, arm64-64k): the x86_64
# guests always run, the arm64 ones where a kernel's K_TARGETS and
# TARGETS both name them (Debian's stock arm64 kernel with arm64-4k).
targets=${TARGETS:-x86_64 arm64-4k arm64-64k}
wanted() { case " $targets " in *" $1 "*) return 0 ;; esac; return 1; }
if [ "$mode" = kcsan ]; then
	kernels=${KERNELS:-6.1 $BUFPOOL_NEWEST}
elif [ "$mode" = kmsan ]; then
	kernels=${KERNELS:-6.12}
else
	kernels=${KERNELS:-$BUFPOOL_KERNELS}
fi
passed=0 failed=0 skipped=0
t0=$SECONDS
jobs_dir=$BUFPOOL_OUT/jobs

# tally LOG LABEL [--suite NAME...]: judge a guest log and add it up.
tally() {
	local log=$1 label=$2 out counts
	shift 2
	out=$(python3 "$BUFPOOL_TOP/tools/testing/verdict.py" "$log" --label "$label" "$@" 2>&1)
	printf '%s\n' "$out" | sed '$d'
	# Its last line is "passed failed skipped"; anything else (a
	# traceback) is the verdict failing, one failure.
	if ! printf '%s\n' "$out" | tail -n 1 | grep -Eq '^[0-9]+ [0-9]+ [0-9]+$'; then
		printf '%s\n' "$out" | tail -n 1
		broken "$label" "verdict.py gave no verdict"
		return
	fi
	read -r -a counts <<< "$(printf '%s\n' "$out" | tail -n 1)"
	echo "$label: ${counts[0]:-0} passed, ${counts[1]:-1} failed"
	passed=$((passed + ${counts[0]:-0}))
	failed=$((failed + ${counts[1]:-1}))
	skipped=$((skipped + ${counts[2]:-0}))
}

# count_checks LABEL FILE RC: adds up the "bufpool-check:" lines a host
# check printed into FILE, showing the ones that failed ("ok NAME # SKIP
# why" is a skipped one). RC is how the check exited: non-zero without a
# failed check is a check that died part way, one failure.
count_checks() {
	local label=$1 out=$2 rc=${3:-0} ok bad skip
	skip=$(grep -c '^bufpool-check: ok .* # SKIP' "$out")
	ok=$(($(grep -c '^bufpool-check: ok ' "$out") - skip))
	bad=$(grep -c '^bufpool-check: not ok ' "$out")
	grep '^bufpool-check: not ok ' "$out" | sed "s/^bufpool-check: not ok /$label: FAIL /"
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$skip" -eq 0 ]; then
		tail -n 20 "$out"
		broken "$label" "ran no check"
		return
	fi
	if [ "$skip" -gt 0 ]; then
		echo "$label: $ok checks passed, $bad failed, $skip skipped"
	else
		echo "$label: $ok checks passed, $bad failed"
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped=$((skipped + skip))
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		tail -n 20 "$out"
		broken "$label" "exited with $rc after its last check"
	fi
}

# A step that fails outside a guest is one failure, and what it printed.
broken() {
	echo "$1: FAIL $2"
	failed=$((failed + 1))
}

summary() {
	msg "make check took $((SECONDS - t0)) s"
	# The last line is "N passed, N failed", whatever was skipped.
	[ "$skipped" -gt 0 ] && echo "$skipped skipped (KUnit cases, guest and host checks a kernel or this machine cannot run)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# -- The jobs --------------------------------------------------------------
#
# Each job is a function run in the background with its output in
# $jobs_dir/NAME.out. It writes what to judge into $jobs_dir/NAME.judge,
# a line each: "host FILE" (FILE holds check lines), "guest LABEL LOG
# [--suite S...]" (a serial log), or "broken WHY". The jobs are judged in
# the order they were started.

# host_job NAME COMMAND...: a check that runs on this machine.
host_job() {
	local name=$1
	shift
	"$@" > "$jobs_dir/$name.checks" 2>&1
	echo "host $jobs_dir/$name.checks $?" >> "$jobs_dir/$name.judge"
}

# kunit_suites VARIANT: the --suite arguments of every KUnit suite the
# VARIANT kernel runs (the KASAN suite needs a KASAN kernel, the KMSAN
# suite a KMSAN one).
kunit_suites() {
	local s
	for s in $(sed -n 's/^\s*\.name = "\(bufpool[^"]*\)".*/\1/p' "$BUFPOOL_TOP"/kunit/*_test.c); do
		[ "$1" != debug ] && [ "${s%_kasan}" != "$s" ] && continue
		[ "$1" != kmsan ] && [ "${s%_kmsan}" != "$s" ] && continue
		printf -- '--suite %s ' "$s"
	done
}

# debug_args TARGET: what a debug kernel's command line adds on TARGET.
# On x86_64, 4-level paging (no5lvl): QEMU's -cpu max offers LA57, and
# the 6.12 and 7.3 debug kernels, taking an interrupt while identify_cpu()
# rebuilds the boot CPU's feature bits, sees LA57 off for a moment and
# KASAN reports the interrupt's first access to the 5-level direct map
# as wild (seen at boot, on 2 vCPUs and on 8). Every guest that boots a
# debug kernel takes it. Few x86 machines have 5
# levels; bufpool's code does not depend on it.
debug_args() {
	[ "$1" = x86_64 ] && echo no5lvl
	return 0
}

# kunit_job VARIANT VER [TARGET]: the KUnit suites, and the debug-mode
# workload, in a guest of kernel VER's test kernel VARIANT (debug: KASAN;
# kcsan: KCSAN; kmsan: KMSAN) for TARGET (x86_64; arm64-4k, arm64-64k: cross-built).
kunit_job() {
	local variant=$1 kver=$2 target=${3:-x86_64} name kdir out margs
	name=$variant-$kver
	[ "$target" = x86_64 ] || name=$variant-$target-$kver
	out=$BUFPOOL_OUT/$name
	if ! kdir=$("$BUFPOOL_TOP/tools/testing/kernel.sh" "$kver" "$variant" "$target"); then
		echo "broken the $variant kernel $kver ($target) did not build" >> "$jobs_dir/$name.judge"
		return
	fi
	target_conf "$target"
	mapfile -t margs < <(target_make_args)
	# With the kernel's compiler: KMSAN's is clang.
	[ "$variant" = kmsan ] && margs+=(LLVM=1)
	msg "$name: building the modules"
	if ! build_module "$kdir" "$out" "${margs[@]}"; then
		tail -n 30 "$out.log"
		echo "broken bufpool did not build cleanly against the $variant kernel $kver ($target)" \
			>> "$jobs_dir/$name.judge"
		return
	fi
	msg "$name: running the KUnit suites in QEMU"
	kernel_conf "$kver"
	# shellcheck disable=SC2086,SC2046 # K_ZEROING, debug_args are words
	GUEST_TARGET=$target guest_run "$name" "$kdir/$T_IMAGE" kunit 600 \
		"$out/bufpool.ko" "$out/bufpool_kunit.ko" \
		"$out/tools/client/bufpool_client.ko" -- \
		debug_pagealloc=on slub_debug=FZP $K_ZEROING $(debug_args "$target")
	echo "guest $name $out.serial.log $(kunit_suites "$variant")" >> "$jobs_dir/$name.judge"

	# A kernel without a stock image to boot (the newest): the insmod
	# path of the stock guest, in its debug kernel.
	kernel_conf "$kver"
	[ "$variant" = debug ] && [ "$target" = x86_64 ] || return
	kernel_has_stock amd64 && return
	msg "insmod-$kver: loading bufpool into the debug kernel $kver in QEMU"
	# shellcheck disable=SC2046 # debug_args is words
	guest_run "insmod-$kver" "$kdir/arch/x86/boot/bzImage" stock 300 \
		"$out/bufpool.ko" "$out/tools/client/bufpool_client.ko" \
		"$out/tools/bufpoolstat" -- init_on_alloc=1 $(debug_args x86_64)
	echo "guest insmod-$kver $BUFPOOL_OUT/insmod-$kver.serial.log" >> "$jobs_dir/$name.judge"
}

# many_job VER: the concurrency and chunk suites alone, in a guest of
# kernel VER's debug kernel with MANY_CPUS vCPUs (8) on two NUMA nodes: no
# overlap, no splat, and every CPU takes part; the chunk suite's cases
# that want two CPUs of one node run only here. KUnit filters a module's
# suites from 6.6 on (kunit.filter_glob, one glob: bufpool_c* is these
# two); slow under emulation, so nothing else runs.
many_job() {
	local kver=$1 name=many-$1 kdir out
	if ! kdir=$("$BUFPOOL_TOP/tools/testing/kernel.sh" "$kver" debug); then
		echo "broken the debug kernel $kver did not build" >> "$jobs_dir/$name.judge"
		return
	fi
	msg "$name: building the modules"
	if ! build_module "$kdir" "$BUFPOOL_OUT/$name"; then
		echo "broken bufpool did not build cleanly against the debug kernel $kver" \
			>> "$jobs_dir/$name.judge"
		return
	fi
	out=$BUFPOOL_OUT/$name
	msg "$name: the concurrency and chunk suites on ${MANY_CPUS:-8} vCPUs in QEMU"
	# shellcheck disable=SC2046 # debug_args is words
	GUEST_CPUS=${MANY_CPUS:-8} guest_run "$name" "$kdir/arch/x86/boot/bzImage" \
		kunit 600 "$out/bufpool.ko" "$out/bufpool_kunit.ko" -- \
		debug_pagealloc=on 'kunit.filter_glob=bufpool_c*' \
		bufpool_guest=many $(debug_args x86_64)
	echo "guest $name $out.serial.log --suite bufpool_concurrency --suite bufpool_chunk" \
		>> "$jobs_dir/$name.judge"
}

# stock_job VER FLAVOUR PAYLOAD [CMDLINE...]: Debian's stock kernel VER of
# FLAVOUR, bufpool built against its headers (cross-built for another
# architecture's flavour), running guest/PAYLOAD.sh.
stock_job() {
	local kver=$1 flavour=$2 payload=$3 name=${STOCK_NAME:-$3-$1} dir out margs
	shift 3
	out=$BUFPOOL_OUT/$name
	if ! dir=$(stock_dir "$kver" "$flavour"); then
		echo "broken no stock $flavour kernel $kver" >> "$jobs_dir/$name.judge"
		return
	fi
	flavour_arch "$flavour"
	target_conf "$K_TARGET"
	mapfile -t margs < <(target_make_args)
	msg "$name: building the modules against $(basename "$dir")"
	if ! build_module "$dir/kdir" "$out" "${margs[@]}"; then
		tail -n 30 "$out.log"
		echo "broken bufpool did not build cleanly against the headers of $(basename "$dir")" \
			>> "$jobs_dir/$name.judge"
		return
	fi
	msg "$name: loading bufpool into $(basename "$dir") in QEMU"
	GUEST_TARGET=$K_TARGET guest_run "$name" "$dir/vmlinuz" "$payload" 300 \
		"$out/bufpool.ko" "$out/tools/client/bufpool_client.ko" \
		"$out/tools/bufpoolstat" -- "$@"
	echo "guest $name $out.serial.log" >> "$jobs_dir/$name.judge"
}

# many_rt_job VER: the PREEMPT_RT stress of Debian's stock -rt kernel VER
# on MANY_CPUS vCPUs (8), every one of which must slice.
many_rt_job() {
	STOCK_NAME=many-rt-$1 GUEST_CPUS=${MANY_CPUS:-8} stock_job "$1" rt-amd64 rt
}

names=() pids=()
# start NAME FUNCTION ARGS...: starts a job once fewer than CHECK_JOBS
# of them run.
start() {
	local name=$1 pid live
	shift
	while :; do
		live=()
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2> /dev/null && live+=("$pid")
		done
		pids=("${live[@]}")
		[ ${#pids[@]} -lt "${CHECK_JOBS:-2}" ] && break
		wait -n "${pids[@]}"
	done
	names+=("$name")
	rm -f "$jobs_dir/$name.judge"
	"$@" > "$jobs_dir/$name.out" 2>&1 &
	pids+=($!)
}

judge_all() {
	local name how arg log rest
	wait
	for name in "${names[@]}"; do
		grep -v '^bufpool-check:' "$jobs_dir/$name.out" | grep '^==> ' >&2
		if [ ! -s "$jobs_dir/$name.judge" ]; then
			tail -n 20 "$jobs_dir/$name.out"
			broken "$name" "the job ended without a result"
			continue
		fi
		while read -r how arg log rest; do
			case $how in
			host)	count_checks "$name" "$arg" "$log" ;;
			guest)	# shellcheck disable=SC2086 # the suites are words
				tally "$log" "$arg" $rest ;;
			*)	grep -v '^==> ' "$jobs_dir/$name.out" | tail -n 30
				broken "$name" "$arg $log $rest" ;;
			esac
		done < "$jobs_dir/$name.judge"
	done
}

# -- The run ---------------------------------------------------------------

deps "$([ "$mode" = kmsan ] && echo kmsan)" ||
	{ broken setup "installing the dependencies"; summary; }
for k in $kernels; do
	(kernel_conf "$k") || { broken setup "unknown kernel $k"; summary; }
done
rm -rf "$jobs_dir" && mkdir -p "$jobs_dir"
msg "make check${1:+ $1} on kernels $kernels"

# The test kernels are built (once: the longest part of a first run) one
# after the other in the background, while the jobs that need none run.
variant=debug
case $mode in kcsan | kmsan) variant=$mode ;; esac
for k in $kernels; do
	"$BUFPOOL_TOP/tools/testing/kernel.sh" "$k" "$variant" > /dev/null 2>&1 || true
	[ "$variant" = debug ] || continue
	kernel_conf "$k"
	for t in $K_TARGETS; do
		wanted "$t" || continue
		"$BUFPOOL_TOP/tools/testing/kernel.sh" "$k" "$variant" "$t" > /dev/null 2>&1 || true
	done
done &

if [ "$mode" = kcsan ] || [ "$mode" = kmsan ]; then
	for k in $kernels; do
		start "$mode-$k" kunit_job "$mode" "$k"
	done
	judge_all
	summary
fi

# stock_arm64_abis: Debian's stock arm64 kernel of every kernel that boots
# one is the release its amd64 kernel is (6.1.0-57-arm64 beside
# 6.1.0-57-amd64): the arm64 packages come through a private apt
# configuration (lib.sh's kapt), which without the suites the machine's own
# apt takes would fetch an older kernel.
stock_arm64_abis() {
	local k amd arm
	for k in $kernels; do
		kernel_conf "$k"
		kernel_has_stock amd64 && kernel_has_stock arm64 || continue
		if ! amd=$(stock_abi "$k" amd64) || ! arm=$(stock_abi "$k" arm64); then
			say "not ok stock-arm64-abi:$k # apt knows no stock ABI"
		elif [ "${amd%-amd64}" = "${arm%-arm64}" ]; then
			say "ok stock-arm64-abi:$k"
		else
			say "not ok stock-arm64-abi:$k # arm64 $arm, amd64 $amd"
		fi
	done
}

start verdict host_job verdict "$BUFPOOL_TOP/tools/testing/verdict-test.sh"
start bufpoolstat host_job bufpoolstat "$BUFPOOL_TOP/tools/testing/bufpoolstat-test.sh"
start profile host_job profile "$BUFPOOL_TOP/tools/testing/profile-test.sh"
start bench-ab host_job bench-ab "$BUFPOOL_TOP/tools/testing/bench-ab-test.sh"
start dkms host_job dkms "$BUFPOOL_TOP/tools/testing/dkms.sh"
start install host_job install "$BUFPOOL_TOP/tools/testing/install-test.sh"
wanted arm64-4k && start stock-abi host_job stock-abi stock_arm64_abis

# Debian's stock kernels, as a driver developer meets them: the generic
# one with init_on_alloc=1 (its default, stated), and PREEMPT_RT under a
# stress of kthreads on every CPU and a timer.
for k in $kernels; do
	kernel_conf "$k"
	for flavour in $K_STOCK; do
		case $flavour in
		amd64)	  start "stock-$k" stock_job "$k" amd64 stock init_on_alloc=1 ;;
		rt-amd64) start "rt-$k" stock_job "$k" rt-amd64 rt ;;
		arm64)	  wanted arm64-4k || continue
			  STOCK_NAME=stock-arm64-$k start "stock-arm64-$k" \
				stock_job "$k" arm64 stock init_on_alloc=1 ;;
		esac
	done
done

for k in $kernels; do
	start "debug-$k" kunit_job debug "$k"
	kernel_conf "$k"
	for t in $K_TARGETS; do
		wanted "$t" && start "debug-$t-$k" kunit_job debug "$k" "$t"
	done
done
# Many CPUs, once: on the first kernel past 6.1 (whose KUnit cannot filter
# a module's suites), with a stock -rt kernel for the RT stress.
for k in $kernels; do
	[ "$k" = 6.1 ] && continue
	start "many-$k" many_job "$k"
	kernel_conf "$k"
	kernel_has_stock rt-amd64 && start "many-rt-$k" many_rt_job "$k"
	break
done
# The kernel's linters, against every kernel's headers (sparse).
start lint host_job lint env KERNELS="$kernels" "$BUFPOOL_TOP/tools/testing/lint.sh"

judge_all
summary
