# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for Debian's stock kernel: insmod bufpool as a driver
# developer would, read its debugfs, and rmmod it.
. /checks.sh

check load-bufpool insmod /bufpool.ko
check debugfs-stats test -r /sys/kernel/debug/bufpool/default/stats
check unload-bufpool rmmod bufpool
check debugfs-gone test ! -e /sys/kernel/debug/bufpool
