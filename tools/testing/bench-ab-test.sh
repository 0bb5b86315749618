#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-ab.py on a made-up A/B log whose answer is known: "change" and
# "base" in two code layouts, two rounds each. bufpool_alloc_unsafe_slow
# costs 1.5 times kmalloc in every run of the change, 2.0 in the base's
# (-25%); bufpool_alloc_unsafe 0.9 times page_frag in both (0%). Prints one
# bufpool-check line per case.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bufpool-bench-ab-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# cell CONTENDER NS: one bench: line of pattern a at 16 B.
cell() {
	echo "[   10.000000] bufpool_bench: bench: a 16 $1 $2 1.00 1.00 $2 $2"
}

for variant in base change; do
	for layout in default align64; do
		for round in 1 2; do
			echo "[    9.000000] bench-ab: run $variant $layout $round"
			cell kmalloc 400.0
			cell page_frag 100.0
			cell bufpool_alloc_unsafe 90.0
			if [ $variant = change ]; then
				cell bufpool_alloc_unsafe_slow 600.0
			else
				cell bufpool_alloc_unsafe_slow 800.0
			fi
		done
	done
done > "$tmp/ab.log"

ab() { python3 "$here/bench-ab.py" "$tmp/ab.log" "$@"; }

out=$(ab bufpool_alloc_unsafe_slow kmalloc)
if printf '%s\n' "$out" | grep -q '^bench-change: a 16 1.500 2.000 -25.0 0.0$'; then
	pass bench-ab-pair
else
	fail bench-ab-pair "want slow/kmalloc 1.500 against 2.000, -25.0%: $out"
fi
out=$(ab)
if printf '%s\n' "$out" | grep -q '^bench-change: a 16 0.900 0.900 0.0 0.0$'; then
	pass bench-ab-default-pair
else
	fail bench-ab-default-pair "want bufpool_alloc_unsafe/page_frag 0.900 in both: $out"
fi
if out=$(ab bufpool_alloc alloc_pages); then
	fail bench-ab-absent-pair "a pair the log does not hold passed: $out"
else
	pass bench-ab-absent-pair
fi
