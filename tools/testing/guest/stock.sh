# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for Debian's stock kernel: insmod bufpool as a driver
# developer would, exercise it through the sample client's selftest (whose
# result lines the host counts too), read debugfs, and rmmod both.
. /checks.sh

client_counted() { [ "$(bp_stat default unsafe_pooled_calls)" -gt 0 ]; }
all_freed() { [ "$(bp_stat default slices_live)" -eq 0 ]; }
root_only() { ls -l /sys/kernel/debug/bufpool/default | grep -q '^-r-------- .* stats$'; }

check load-bufpool insmod /bufpool.ko
check modinfo-version sh -c 'grep -q . /sys/module/bufpool/version'
check load-client insmod /bufpool_client.ko mode=selftest
check debugfs-stats test -r /sys/kernel/debug/bufpool/default/stats
check debugfs-root-only root_only
check stats-see-client client_counted
/bufpoolstat
check bufpoolstat /bufpoolstat --json
check unload-client rmmod bufpool_client
check client-freed-all all_freed
check unload-bufpool rmmod bufpool
check debugfs-gone test ! -e /sys/kernel/debug/bufpool
