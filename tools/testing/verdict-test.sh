#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Replays the guest logs in tools/testing/fixtures/ through verdict.py: one
# log per failure class make check must catch, recorded from a broken
# module by failure-classes.sh, and one clean log. Each must be judged as
# it was when recorded. merged.log is written by hand after a stock-rt
# guest's: a kernel message ran into a check's line on the serial console;
# kallsyms.log and kallsyms_oops.log after a bench guest's;
# expect_warn.log and expect_oops.log are cut from debug guests' logs,
# expect_kmsan.log from a KMSAN guest's (make check-kmsan), and kmsan.log
# is that log with its markers taken out.
# Prints one bufpool-check line per case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# fixture, then what verdict.py must say about it ("clean" for no failure).
cases=(
	"none clean"
	"kasan FAIL KASAN report"
	"ubsan FAIL UBSAN report"
	"lockdep FAIL lockdep report"
	"leak FAIL kmemleak report"
	"warn FAIL WARN"
	"bug FAIL BUG"
	"oops FAIL KASAN report"	# KASAN reports the NULL dereference first
	"panic FAIL panic"
	"noload FAIL check load-broken"
	"nounload FAIL check unload-broken"
	"kunit_fail FAIL bufpool_broken.broken_case"
	"kunit_crash FAIL suite bufpool_broken cut short"
	"hang FAIL time limit"
	# A kernel message on the same serial line as a check's; and a
	# failed check the kernel printed into another check's line (as a
	# stock 6.1 -rt guest's once ran into its neighbour).
	"merged FAIL check unload-broken"
	"merged FAIL check init-on-alloc-zeroes-chunks"
	# The bench's kallsyms in base64, one of whose lines spells "Oops"
	# (as a 7.3 guest's once did); and a real Oops among those lines.
	"kallsyms clean"
	"kallsyms_oops FAIL Oops"
	# A misuse report a debug case expects, between its markers (a
	# 6.12 debug guest's); and an Oops between them, from bufpool with
	# its free-page check taken out: the markers excuse reports, not
	# crashes.
	"expect_warn clean"
	"expect_oops FAIL BUG"
	# The KMSAN report a case expects, between its markers, and the
	# same report with no markers around it.
	"expect_kmsan clean"
	"kmsan FAIL KMSAN report"
)

for c in "${cases[@]}"; do
	name=${c%% *}
	want=${c#* }
	log=$here/fixtures/$name.log
	suite=
	case $name in kunit_*) suite="--suite bufpool_broken" ;; esac
	out=$(python3 "$here/verdict.py" "$log" --label "$name" $suite)
	failed=$(printf '%s\n' "$out" | tail -n 1 | cut -d' ' -f2)
	if [ "$want" = clean ]; then
		if [ "$failed" = 0 ]; then
			pass verdict-$name
		else
			fail verdict-$name "a clean log was judged failed"
		fi
	elif [ "$failed" != 0 ] && printf '%s\n' "$out" | grep -qF "$name: $want"; then
		pass verdict-$name
	else
		fail verdict-$name "expected \"$want\""
	fi
done

# A check line a kernel message ran into still counts, and so does each of
# two checks on one line: three passed, two failed.
out=$(python3 "$here/verdict.py" "$here/fixtures/merged.log" --label merged)
if [ "$(printf '%s\n' "$out" | tail -n 1)" = "3 2 0" ]; then
	pass verdict-merged-counted
else
	fail verdict-merged-counted "counted $(printf '%s\n' "$out" | tail -n 1), not 3 2 0"
fi

# A suite that never ran fails the run, even when everything else passed.
out=$(python3 "$here/verdict.py" "$here/fixtures/none.log" --label missing \
	--suite bufpool_never_ran)
if printf '%s\n' "$out" | grep -qF "missing: FAIL suite bufpool_never_ran never ran"; then
	pass verdict-missing-suite
else
	fail verdict-missing-suite
fi
