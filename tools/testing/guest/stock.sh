# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for Debian's stock kernel: insmod bufpool as a driver
# developer would, exercise it through the sample client's selftest (whose
# result lines the host counts too) with bufpool's tracepoints on, read
# debugfs, and rmmod both.
. /checks.sh

tracing=/sys/kernel/tracing
client_counted() { [ "$(bp_stat default unsafe_pooled_calls)" -gt 0 ]; }
all_freed() { [ "$(bp_stat default slices_live)" -eq 0 ]; }
root_only() { ls -l /sys/kernel/debug/bufpool/default | grep -q '^-r-------- .* stats$'; }
trace_on() { echo > $tracing/trace && echo 1 > $tracing/events/bufpool/enable; }
traced() { grep -q "$1" $tracing/trace; }

# A threshold set for a larger pool_size is clamped to a smaller one's,
# whichever order the parameters come in, as a write of pool_size does.
clamped_at_load() {
	insmod /bufpool.ko threshold=8193 pool_size=4096 &&
		[ "$(bp_stat default threshold)" -eq 4097 ] &&
		rmmod bufpool
}
check load-threshold-clamped clamped_at_load

# The parameters at load, before any write: Buffer.poolSize's 8 KB (a page
# where pages are larger), Node's threshold of half, no zero fill; and a
# bare zero_fill on the insmod line, as for any bool, turns it on.
defaults_at_load() {
	insmod /bufpool.ko || return 1
	p=/sys/module/bufpool/parameters
	echo "# $(cat $p/pool_size) $(cat $p/threshold) $(cat $p/zero_fill)"
	size=$((8192 > page_bytes ? 8192 : page_bytes))
	[ "$(cat $p/pool_size)" -eq $size ] && [ "$(cat $p/threshold)" -eq 0 ] &&
		[ "$(cat $p/zero_fill)" = N ] &&
		[ "$(bp_stat default threshold)" -eq $((size / 2)) ] &&
		[ "$(bp_stat default zero_fill)" -eq 0 ] &&
		rmmod bufpool
}
zero_fill_bare() {
	insmod /bufpool.ko zero_fill &&
		[ "$(bp_stat default zero_fill)" -eq 1 ] &&
		rmmod bufpool
}
page_bytes=$(( $(sed -n 's/^KernelPageSize: *\([0-9]*\) kB$/\1/p' /proc/self/smaps | head -n 1) * 1024 ))
check load-defaults defaults_at_load
check load-zero-fill-bare zero_fill_bare
check load-bufpool insmod /bufpool.ko
check modinfo-version sh -c 'grep -q . /sys/module/bufpool/version'
check trace-on trace_on
check load-client insmod /bufpool_client.ko mode=selftest
echo 0 > $tracing/events/bufpool/enable
echo "# grep -m 6 bufpool_ $tracing/trace"
grep -m 6 'bufpool_' $tracing/trace
check trace-alloc-pooled traced 'bufpool_alloc: pool=default path=unsafe .* bytes_req=4 pooled=1 offset='
check trace-alloc-direct traced 'bufpool_alloc: pool=default path=unsafe_slow .* bytes_req=4 pooled=0 offset=0'
check trace-free-pooled traced 'bufpool_free: pool=default call_site=client_.* pooled=1'
check trace-free-direct traced 'bufpool_free: pool=default call_site=client_.* pooled=0'
check trace-rollover traced 'bufpool_rollover: pool=client'
check trace-pool-release traced 'bufpool_pool_release: pool=client'
check debugfs-stats test -r /sys/kernel/debug/bufpool/default/stats
check debugfs-root-only root_only
check stats-see-client client_counted
/bufpoolstat
check bufpoolstat /bufpoolstat --json
check unload-client rmmod bufpool_client
check client-freed-all all_freed

# Memory cgroup charges: the client holds 512 buffers of 4000 B, loaded
# from a task in a cgroup of its own. With GFP_KERNEL_ACCOUNT each is
# served directly and kmalloc charges it to that cgroup, until it is
# freed; without, they are slices of chunks, which no cgroup is charged
# for. memory.current also counts the few pages a CPU keeps precharged,
# hence the margins of half the bytes held.
cgroup=/sys/fs/cgroup
held=$((512 * 4000))
memcg_on() {
	mount -t cgroup2 none $cgroup 2>/dev/null
	grep -qw memory $cgroup/cgroup.controllers &&
		echo +memory > $cgroup/cgroup.subtree_control
}
# hold_in ACCOUNT: loads the client in the "hold" cgroup, prints what the
# cgroup is charged once the loading task is gone.
hold_in() {
	mkdir -p $cgroup/hold &&
		sh -c "echo \$\$ > $cgroup/hold/cgroup.procs &&
		       exec insmod /bufpool_client.ko mode=hold hold_count=512 hold_size=4000 hold_account=$1" &&
		cat $cgroup/hold/memory.current
}
charged_at_least() {
	echo "memory.current $1, held $held"
	[ "$1" -ge "$held" ]
}
charged_below_half() {
	echo "memory.current $1, held $held"
	[ "$1" -lt $((held / 2)) ]
}
# A count the hold mode cannot take is refused, and says so.
hold_refused() {
	! insmod /bufpool_client.ko mode=hold hold_count=0 &&
		dmesg | grep -q 'bufpool_client: hold_count=0 hold_size=4000: 1 to 65536 buffers'
}
check hold-bad-count hold_refused
if memcg_on; then
	now=$(hold_in 1)
	echo "# GFP_KERNEL_ACCOUNT: the cgroup's memory.current $now, $held B held"
	check memcg-account-charged charged_at_least "${now:-0}"
	check memcg-account-unload rmmod bufpool_client
	now=$(cat $cgroup/hold/memory.current)
	echo "# unloaded: memory.current $now"
	check memcg-account-uncharged charged_below_half "$now"
	rmdir $cgroup/hold
	now=$(hold_in 0)
	echo "# GFP_KERNEL: memory.current $now, $held B held"
	check memcg-sliced-not-charged charged_below_half "${now:-$held}"
	check memcg-sliced-unload rmmod bufpool_client
	rmdir $cgroup/hold
else
	echo "bufpool-check: ok memcg-charges # SKIP no memory cgroup controller in this kernel"
fi
check unload-bufpool rmmod bufpool
check debugfs-gone test ! -e /sys/kernel/debug/bufpool
