# SPDX-License-Identifier: GPL-2.0
#
# Guest payload of `make bench`: load bufpool, then the benchmark module
# with the arguments in /bench_args (make bench BENCH_ARGS=...). The
# benchmark runs at load and prints its results as kernel messages; the
# module then idles until it is unloaded, which must leave no slice of
# bufpool's behind.
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
check unload-bench rmmod bufpool_bench
check bench-freed-all bench_freed_all
echo "bufpool after the bench: $(grep -E '^(pools_created|pools_released|pools_live|slices_live|failures) ' \
	/sys/kernel/debug/bufpool/default/stats | tr '\n' ' ')"
check unload-bufpool rmmod bufpool
