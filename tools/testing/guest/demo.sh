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

# gauges POOL: the pool's gauges on one line.
gauges() {
	echo "$1: pools_live $(stat "$1" pools_live)," \
	     "retired_pools_live $(stat "$1" retired_pools_live)," \
	     "slices_live $(stat "$1" slices_live)"
}

run insmod /bufpool.ko || exit 1
run insmod /bufpool_client.ko mode=workload rate=2000 stragglers=16 || exit 1
sleep 3

if [ -x /bufpoolstat ]; then
	run bufpoolstat || exit 1
	run bufpoolstat -i 2 -c 5 || exit 1
else
	echo "(bufpoolstat was not built: skipping 'bufpoolstat' and 'bufpoolstat -i 2 -c 5')"
	for i in 1 2 3 4 5; do
		sleep 2
		gauges default
	done
fi

run cat "$stats" || exit 1

# The stragglers pin retired chunks until the client lets them go.
echo "before unload: $(gauges default)"
echo "before unload: $(gauges client-rx)"
run rmmod bufpool_client || exit 1
echo "after unload:  $(gauges default)"
check client-freed-everything test "$(stat default slices_live)" = 0
check retired-pools-released test "$(stat default retired_pools_live)" = 0
run rmmod bufpool || exit 1
