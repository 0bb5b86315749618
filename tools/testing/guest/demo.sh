# SPDX-License-Identifier: GPL-2.0
#
# Guest payload of `make demo`: load bufpool and the sample client's
# workload as a driver developer would, watch the pools with bufpoolstat,
# then unload both. Each command is echoed as "# command" before its
# output; the host shows these lines and bufpool's kernel messages.
. /checks.sh

PATH=$PATH:/
stats=/sys/kernel/debug/bufpool/default/stats

run() {
	echo "# $*"
	"$@"
}

# gauges POOL: what the pool holds now, from one read of its stats.
gauges() {
	snap=$(cat "/sys/kernel/debug/bufpool/$1/stats")
	get() { printf '%s\n' "$snap" | sed -n "s/^$1 //p"; }
	echo "$1: $(get pools_live) chunks live" \
	     "($(($(get pool_bytes_live) / 1024)) KB)," \
	     "$(get retired_pools_live) of them retired," \
	     "holding $(get slices_live) live slices"
}

run insmod /bufpool.ko || exit 1
run insmod /bufpool_client.ko mode=workload rate=2000 stragglers=16 || exit 1
sleep 3

if [ -x /bufpoolstat ]; then
	run bufpoolstat || exit 1
	run bufpoolstat -i 2 -c 5 || exit 1
else
	echo "(bufpoolstat was not built: skipping 'bufpoolstat' and 'bufpoolstat -i 2 -c 5')"
	for _ in 1 2 3 4 5; do
		sleep 2
		gauges default
	done
fi

run cat "$stats" || exit 1

# The stragglers pin retired chunks until the client lets them go.
echo "retired chunks stay while a slice in them lives, as the stragglers do:"
gauges default
gauges client-rx
run rmmod bufpool_client || exit 1
gauges default
check client-freed-everything test "$(bp_stat default slices_live)" = 0
check retired-pools-released test "$(bp_stat default retired_pools_live)" = 0
run rmmod bufpool || exit 1
