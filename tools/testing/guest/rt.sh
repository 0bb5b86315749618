# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for Debian's stock PREEMPT_RT kernel (it runs on the others
# too): insmod bufpool, run the sample client's selftest (whose result
# lines the host counts too), then a concurrent stress of at least 10 s,
# the client's workload with a kthread bound to every CPU and its timer,
# check that every CPU sliced, and rmmod both. The host fails the run on
# any splat in the log.
. /checks.sh

stress_ms=10000
debugfs=/sys/kernel/debug/bufpool

client_done() { dmesg | grep -q 'bufpool_client: all .* messages freed, none corrupted'; }
all_freed() { [ "$(bp_stat default slices_live)" -eq 0 ]; }

# Every online CPU has a nonzero count of unsafe_pooled_calls in the
# default pool: a kthread sliced on each.
every_cpu_sliced() {
	line=$(grep '^unsafe_pooled_calls ' $debugfs/default/percpu)
	echo "$line"
	missing=
	for dir in /sys/devices/system/cpu/cpu[0-9]*; do
		cpu=${dir##*/cpu}
		[ -e "$dir/online" ] && [ "$(cat "$dir/online")" != 1 ] && continue
		case "$line " in
		*" C$cpu="[1-9]*) ;;
		*) missing="$missing C$cpu" ;;
		esac
	done
	[ -z "$missing" ] || { echo "no pooled allocation on:$missing"; return 1; }
}

# The workload, on counters reset so that the selftest's do not count: it
# allocates for stress_ms, then its last messages expire within 50 ms.
# Waits a little longer, as TCG is slow.
stress() {
	echo 1 > $debugfs/default/reset || return 1
	insmod /bufpool_client.ko mode=workload threads=0 duration_ms=$stress_ms || return 1
	sleep $((stress_ms / 1000 + 3))
}

echo "bufpool-rt: $(uname -v), CPUs online: $(cat /sys/devices/system/cpu/online)"
check load-bufpool insmod /bufpool.ko
check debugfs-stats test -r $debugfs/default/stats
check load-client-selftest insmod /bufpool_client.ko mode=selftest
check unload-client-selftest rmmod bufpool_client
t0=$(cut -d. -f1 /proc/uptime)
check stress-load stress
check stress-every-cpu every_cpu_sliced
grep '^unsafe_pooled_calls \|^slices_live \|^frees ' $debugfs/default/percpu
[ -x /bufpoolstat ] && /bufpoolstat
check stress-unload rmmod bufpool_client
echo "bufpool-rt: stress took $(($(cut -d. -f1 /proc/uptime) - t0)) s"
check stress-report client_done
check client-freed-all all_freed
check unload-bufpool rmmod bufpool
check debugfs-gone test ! -e $debugfs
