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
check unload-bufpool rmmod bufpool
check debugfs-gone test ! -e /sys/kernel/debug/bufpool
