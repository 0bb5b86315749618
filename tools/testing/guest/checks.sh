# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the guest payloads, sourced by them. Each check prints one
# "bufpool-check: ok NAME" or "bufpool-check: not ok NAME" line, which the
# host counts; a not-ok line prints its evidence first.

pass() { echo "bufpool-check: ok $1"; }
fail() { echo "bufpool-check: not ok $1${2:+ # $2}"; }

# check NAME COMMAND...: runs the command (or shell function) and reports
# it by its exit code.
check() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		[ -n "$out" ] && printf '%s\n' "$out"
		fail "$name" "exit code $rc"
	fi
}

# bp_stat POOL NAME: one value of a pool's stats file.
bp_stat() {
	sed -n "s/^$2 //p" "/sys/kernel/debug/bufpool/$1/stats"
}

# kmemleak_check NAME: nothing the module allocated may be left over.
# kmemleak reports only objects older than 5 s, hence the wait, and only
# those unchanged since its previous scan, hence two: after one, a pool
# leaked by a test was not reported.
kmemleak_check() {
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -z "$leaks" ]; then
		pass "$1"
	else
		printf '%s\n' "$leaks"
		fail "$1" "kmemleak found leaks"
	fi
}
