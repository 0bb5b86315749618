# SPDX-License-Identifier: GPL-2.0
#
# Guest payload for the debug kernel: load bufpool and its KUnit suites
# (they run as the module loads), unload both, then scan for leaks.
. /checks.sh

echo clear > /sys/kernel/debug/kmemleak
check load-bufpool insmod /bufpool.ko
check load-kunit insmod /bufpool_kunit.ko
check unload-kunit rmmod bufpool_kunit
check unload-bufpool rmmod bufpool
kmemleak_check kmemleak-after-kunit
