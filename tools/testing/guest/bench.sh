# SPDX-License-Identifier: GPL-2.0
#
# Guest payload of `make bench`: load bufpool, then the benchmark module
# with the arguments in /bench_args (make bench BENCH_ARGS=...). The
# benchmark runs at load and prints its results as kernel messages; the
# module then idles until it is unloaded, which must leave no slice of
# bufpool's behind.
#
# Then the tracepoints' A/B: bufpool as built, its tracepoints off, and
# built with NOTRACE, which compiles them out, each built in several code
# layouts (function alignments): under QEMU's emulation, where code lies
# alone moves the timings far more than a NOP does. /ab_modules lists
# "VARIANT LAYOUT MODULE" lines; each of /ab_rounds rounds loads every
# module in turn, in reverse order every other round, and runs the
# benchmark with the arguments in /ab_args on it. A kernel message
# "bench-ab: run VARIANT LAYOUT ROUND" starts each run's lines.
. /checks.sh

# shellcheck disable=SC2046 # the arguments are words, split on purpose
set -- $(cat /bench_args 2>/dev/null)
bufpool_args=$(cat /bufpool_args 2>/dev/null)

bench_freed_all() { [ "$(bp_stat default slices_live)" -eq 0 ]; }

echo "# insmod bufpool.ko $bufpool_args"
# shellcheck disable=SC2086 # the arguments are words, split on purpose
check load-bufpool insmod /bufpool.ko $bufpool_args
[ -d /sys/module/bufpool ] || exit 1
echo "# insmod bufpool_bench.ko $*"
check bench insmod /bufpool_bench.ko "$@"
[ -d /sys/module/bufpool_bench ] || exit 1
# make profile: the kernel's and the modules' code symbols, compressed,
# for tools/testing/profile.py (the kernel's System.map is not shipped).
if [ -e /profile ]; then
	echo "bufpool-kallsyms: begin"
	grep ' [tTwW] ' /proc/kallsyms | gzip -c | base64
	echo "bufpool-kallsyms: end"
fi
check unload-bench rmmod bufpool_bench
check bench-freed-all bench_freed_all
echo "bufpool after the bench: $(grep -E '^(pools_created|pools_released|pools_live|slices_live|failures) ' \
	/sys/kernel/debug/bufpool/default/stats | tr '\n' ' ')"
check unload-bufpool rmmod bufpool

# ab_run VARIANT LAYOUT ROUND MODULE: one run of the A/B.
ab_run() {
	echo "bench-ab: run $1 $2 $3" > /dev/kmsg
	insmod "$4" &&
	# shellcheck disable=SC2086 # the arguments are words, split on purpose
	insmod /bufpool_bench.ko $ab_args &&
	rmmod bufpool_bench &&
	bench_freed_all &&
	rmmod bufpool
}

rounds=$(cat /ab_rounds 2>/dev/null || echo 0)
ab_args=$(cat /ab_args 2>/dev/null)
round=1
while [ "$round" -le "$rounds" ]; do
	if [ $((round % 2)) -eq 1 ]; then
		order=cat
	else
		order="sed -n 1!G;h;\$p"
	fi
	$order /ab_modules | while read -r variant layout module; do
		check "ab-$variant-$layout-$round" \
			ab_run "$variant" "$layout" "$round" "/$module"
	done
	round=$((round + 1))
done
