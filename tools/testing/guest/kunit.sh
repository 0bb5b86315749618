# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for the debug kernel: load bufpool and its KUnit suites
# (they run as the module loads), unload both, then scan for leaks.
. /checks.sh

echo clear > /sys/kernel/debug/kmemleak
check load-bufpool insmod /bufpool.ko
# orphan=1: the suites leave one default-pool slice live behind them.
check load-kunit insmod /bufpool_kunit.ko orphan=1
check unload-kunit rmmod bufpool_kunit
check unload-bufpool-under-live-slice rmmod bufpool
check reports-live-slice sh -c "dmesg | grep -q 'pool default destroyed with 1 live slices'"
check reload-bufpool insmod /bufpool.ko
check unload-bufpool rmmod bufpool
kmemleak_check kmemleak-after-kunit
