#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.py on made-up runs whose answer is known: three dumps of
# tcgprof.c's format and three serial logs with the symbols a guest
# prints, at 100, 300 and 100 calls. foo runs 10 instructions a call (1
# dear), bar 5, a module's function 7 (2 dear); "noisy" moves between the
# two runs of 100 calls by more than half of what it moves per call, so
# it is left out; "boot" runs as often in every run, so it is not a cost
# of the call. Prints one bufpool-check line per case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bufpool-profile-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# log NAME: a serial log with the symbols, as guest/bench.sh prints them.
log() {
	{
		echo "[    1.000000] booting"
		echo "bufpool-kallsyms: begin"
		printf '%s\n' "ffffffff81000000 T foo" "ffffffff81000100 T bar" \
			"ffffffff81000200 t noisy" "ffffffff81000300 T boot" \
			"ffffffffc0000000 t bufpool_free	[bufpool]" |
			gzip -c | base64 | sed 's/$/\r/'
		echo "bufpool-kallsyms: end"
	} > "$tmp/$1.log"
}

# dump NAME CALLS NOISY: blocks of each function, run per CALLS calls.
dump() {
	printf '%s\n' "ffffffff81000000 10 1 $2" "ffffffff81000110 5 0 $2" \
		"ffffffff81000200 3 0 $3" "ffffffff81000300 4 0 1000" \
		"ffffffffc0000010 7 2 $2" > "$tmp/$1.blocks"
}

for r in 1 2 3; do log "$r"; done
dump 1 100 1000
dump 2 300 3000
dump 3 100 2000
out=$(python3 "$here/profile.py" 100 "$tmp/1.blocks" "$tmp/1.log" \
	300 "$tmp/2.blocks" "$tmp/2.log" "$tmp/3.blocks" "$tmp/3.log")

# row NAME INSNS DEAR: the line of function NAME says so.
row() {
	printf '%s\n' "$out" | awk -v f="$1" -v n="$2" -v d="$3" '
		{ name = $5; for (i = 6; i <= NF; i++) name = name " " $i }
		name == f && $1 == n && $2 == d { found = 1 }
		END { exit !found }'
}

for c in "foo 10.0 1.0" "bar 5.0 0.0" "bufpool_free [bufpool] 7.0 2.0"; do
	read -r -a w <<< "$c"
	n=${#w[@]}
	name="${w[*]:0:n-2}"
	if row "$name" "${w[n-2]}" "${w[n-1]}"; then
		pass "profile-${name%% *}"
	else
		fail "profile-${name%% *}" "want $c in: $out"
	fi
done
if printf '%s\n' "$out" | grep -qw 'noisy\|boot'; then
	fail profile-noise-left-out "$out"
elif printf '%s\n' "$out" | grep -q '^ *22\.5 .*left out'; then
	pass profile-noise-left-out
else
	fail profile-noise-left-out "noisy's 22.5 not counted as left out: $out"
fi
if printf '%s\n' "$out" | grep -q '^ *22\.0  *3\.0 .*all functions'; then
	pass profile-total
else
	fail profile-total "want 22.0 instructions, 3.0 dear in all: $out"
fi
