#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proves that make check's judge fails each class of failure it must: boots
# the debug kernel once per fault of tools/testing/broken/bufpool_broken.c
# and expects verdict.py to count at least one failure. Slow (a guest per
# class), so it is not part of make check; the logs it writes become the
# fixtures that tools/testing/verdict-test.sh replays in every make check.
#
#   tools/testing/failure-classes.sh [--save-fixtures] [FAULT...]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

save=0
if [ "${1:-}" = --save-fixtures ]; then
	save=1
	shift
fi
faults=("$@")
[ ${#faults[@]} -gt 0 ] || faults=(none kasan ubsan lockdep leak warn bug oops panic
				    noload nounload kunit_fail kunit_crash hang)

kdir=$("$BUFPOOL_TOP/tools/testing/kernel.sh" 6.1 debug) || die "no debug kernel"
out=$BUFPOOL_OUT/broken
mkdir -p "$out"
copy_tree "$out" tools/testing/broken
make -C "$kdir" M="$out/tools/testing/broken" modules > "$out/build.log" 2>&1 || die "bufpool_broken did not build"

bad=0
for f in "${faults[@]}"; do
	payload=$out/payload-$f.sh
	{
		echo ". /checks.sh"
		echo "echo clear > /sys/kernel/debug/kmemleak"
		case $f in
		kunit_*)
			echo "check load-broken insmod /$f.ko"
			echo "check unload-broken rmmod $f"
			;;
		*)
			echo "check load-broken insmod /bufpool_broken.ko fault=$f"
			[ "$f" = hang ] && echo "sleep 100000"
			echo "check unload-broken rmmod bufpool_broken"
			;;
		esac
		[ "$f" = leak ] || [ "$f" = none ] && echo "kmemleak_check kmemleak"
	} > "$payload"
	initramfs "$out/$f.cpio.gz" "$payload" \
		"$out"/tools/testing/broken/{bufpool_broken,kunit_fail,kunit_crash}.ko
	suite=
	case $f in kunit_*) suite="--suite bufpool_broken" ;; esac
	limit=120
	[ "$f" = hang ] && limit=40
	qemu_boot "$kdir/arch/x86/boot/bzImage" \
		"$out/$f.cpio.gz" "$out/$f.log" "$limit" debug_pagealloc=on
	counts=$(python3 "$BUFPOOL_TOP/tools/testing/verdict.py" "$out/$f.log" \
		 --label "$f" $suite | tail -n 1)
	failed=$(echo "$counts" | cut -d' ' -f2)
	if [ "$f" = none ]; then
		[ "$failed" -eq 0 ] && verdict=ok || { verdict="NOT CLEAN"; bad=1; }
	else
		[ "$failed" -gt 0 ] && verdict=caught || { verdict=MISSED; bad=1; }
	fi
	printf '%-12s %-10s (passed failed skipped: %s)\n' "$f" "$verdict" "$counts"
	if [ $save -eq 1 ]; then
		# Only what the guest printed from /init on: the boot is noise.
		sed -n '/Run \/init as init process/,$p' "$out/$f.log" \
			> "$BUFPOOL_TOP/tools/testing/fixtures/$f.log"
	fi
done
exit $bad
