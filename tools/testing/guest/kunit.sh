# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for the debug kernel: load bufpool and its KUnit suites
# (they run as the module loads) after bufpool in debug mode under the
# sample client's workload; then scan for leaks.
. /checks.sh

pool=/sys/kernel/debug/bufpool/default
debug_on() { grep -qx 'debug 1' $pool/debug; }
debug_clean() { grep -qx 'corruptions 0' $pool/debug && grep -qx 'misuses 0' $pool/debug; }
owners_listed() { grep -q 'bufpool_client' /tmp/owners; }

echo clear > /sys/kernel/debug/kmemleak
# The page allocator's fault injection, which the suites drive, fails
# allocations of its min-order (1) and up: where a page is 8 KB or more
# (arm64's 64 KB pages), a default chunk is order 0.
page_kb=$(sed -n 's/^KernelPageSize: *\([0-9]*\) kB$/\1/p' /proc/self/smaps | head -n 1)
[ "${page_kb:-4}" -ge 8 ] && echo 0 > /sys/kernel/debug/fail_page_alloc/min-order
# fail_nth fails allocations that may reclaim too, which the debugfs
# files' reads make (bufpool_stats.read_fails_not_empty), and says nothing
# of it: a failure it injects is no splat.
echo N > /sys/kernel/debug/failslab/ignore-gfp-wait
echo 0 > /sys/kernel/debug/failslab/verbose
# bufpool_guest=many: make check's run on many vCPUs, of the suites the
# kernel's kunit.filter_glob lets through, and nothing else.
if grep -qw bufpool_guest=many /proc/cmdline; then
	echo "# $(grep -c '^processor' /proc/cpuinfo) CPUs, $(ls -d /sys/devices/system/node/node[0-9]* | wc -l) NUMA nodes"
	check load-bufpool insmod /bufpool.ko
	check load-kunit insmod /bufpool_kunit.ko
	check unload-kunit rmmod bufpool_kunit
	check unload-bufpool rmmod bufpool
	kmemleak_check kmemleak-after-kunit
	exit 0
fi
# A pool_size written while bufpool's init runs (once its first step, the
# debugfs directory, is there) reaches the default pool: the write waits
# until the pool is made. 256 KB is a pool_size of every page size.
param_during_init() {
	param=/sys/module/bufpool/parameters/pool_size
	( until [ -d /sys/kernel/debug/bufpool ]; do :; done
	  echo 262144 > $param ) &
	writer=$!
	# A load that fails makes no directory: the writer would spin on.
	insmod /bufpool.ko || { kill $writer; wait; return 1; }
	wait
	want=$(cat $param)
	got=$(bp_stat default pool_size)
	rmmod bufpool || return 1
	[ "$want" = "$got" ] || { echo "pool_size $want, the default pool's $got"; return 1; }
}
param_rounds() {
	for i in 1 2 3 4 5 6 7 8; do
		param_during_init || return 1
	done
}
check param-written-during-init param_rounds

# Debug mode for every pool, under a driver's workload: first, while
# lockdep is on (the KASAN suite's expected reports turn it off).
check load-bufpool-debug insmod /bufpool.ko debug=1
check debug-mode-on debug_on
check load-client-workload insmod /bufpool_client.ko mode=workload duration_ms=4000
# Its live slices come and go: one reading of the file, shown and judged,
# retried while the workload runs under emulation.
i=0
while [ $i -lt 20 ]; do
	cat $pool/owners > /tmp/owners
	owners_listed && break
	sleep 1
	i=$((i + 1))
done
echo "# cat $pool/owners"
cat /tmp/owners
check owners-name-the-client owners_listed
check unload-client rmmod bufpool_client
check debug-mode-clean debug_clean
check unload-bufpool-debug rmmod bufpool

check load-bufpool insmod /bufpool.ko
# orphan=1: the suites leave one default-pool slice live behind them.
check load-kunit insmod /bufpool_kunit.ko orphan=1
check unload-kunit rmmod bufpool_kunit
check unload-bufpool-under-live-slice rmmod bufpool
check reports-live-slice sh -c "dmesg | grep -q 'pool default destroyed with 1 live slices'"
kmemleak_check kmemleak-after-kunit
