#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of tools/bufpoolstat: builds fake debugfs trees in a
# temporary directory and runs the tool on them with --root. Prints one
# "bufpool-check: ok NAME" or "bufpool-check: not ok NAME # reason" line
# per check (a skipped one is "ok NAME # SKIP reason"), the evidence of a
# failure on stderr, and exits 0 either way: the caller counts the lines.
#
# The "not loaded" and default-root checks mount debugfs or a tmpfs in a
# private mount namespace (unshare --mount), which needs root; the
# permission checks run the tool as nobody (setpriv) when run as root.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TOP=$BUFPOOL_TOP
BIN=$TOP/tools/bufpoolstat

skip() { echo "bufpool-check: ok $1 # SKIP $2"; }
# evidence TEXT...: shown on stderr before a failure line.
evidence() { printf '%s\n' "$@" | sed 's/^/  | /' >&2; }

# In /tmp, whatever TMPDIR says: the permission checks run the tool as
# nobody, who must reach it, and a checkout (or a TMPDIR) may be in a
# directory of mode 0700.
tmp=$(mktemp -d /tmp/bufpoolstat-test.XXXXXX) || { fail bufpoolstat-setup "mktemp failed"; exit 0; }
bgpids=()
cleanup() {
	local pid

	for pid in "${bgpids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	chmod -R u+rwx "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"

if make -s -C "$TOP" tools/bufpoolstat >"$tmp/build.log" 2>&1 &&
   [ -x "$BIN" ]; then
	if [ -s "$tmp/build.log" ]; then
		evidence "$(cat "$tmp/build.log")"
		fail bufpoolstat-build "compiler output (warnings?)"
	else
		pass bufpoolstat-build
	fi
else
	evidence "$(cat "$tmp/build.log")"
	fail bufpoolstat-build "make tools/bufpoolstat failed"
	exit 0
fi

# put FILE: replaces FILE with stdin atomically, so a reader never sees
# half a file.
put() { cat >"$1.new" && mv "$1.new" "$1"; }

# default_stats UNSAFE_POOLED_CALLS UNSAFE_POOLED_BYTES SLICES PADDING:
# the default pool's stats, out of order and with an unknown name, which
# the tool must take by name.
default_stats() {
	cat <<EOF
pool_size 8192
alloc_calls 1000
alloc_bytes 64000
unsafe_pooled_calls $1
unsafe_pooled_bytes $2
unsafe_direct_calls 300
unsafe_direct_bytes 1228800
slow_calls 34
slow_bytes 139264
from_pooled_calls 1000
from_pooled_bytes 128000
from_direct_calls 0
from_direct_bytes 0
frees 11800
failures 1
future_counter 7
pools_created 310
pools_released 307
pools_live 3
pool_bytes_live 24576
retired_pools_live 2
slices_live $3
spare_pools 2
spare_bytes 16384
abandoned_bytes 900
padding_bytes $4
threshold 4096
align 8
zero_fill 0
EOF
}

rx_ring_stats() {
	cat <<EOF
alloc_calls 0
alloc_bytes 0
unsafe_pooled_calls 500
unsafe_pooled_bytes 32000
unsafe_direct_calls 500
unsafe_direct_bytes 4096000
slow_calls 0
slow_bytes 0
from_pooled_calls 0
from_pooled_bytes 0
from_direct_calls 0
from_direct_bytes 0
frees 990
failures 0
pools_created 4
pools_released 3
pools_live 1
pool_bytes_live 2097152
retired_pools_live 0
slices_live 12
abandoned_bytes 2048
padding_bytes 0
pool_size 2097152
threshold 65536
align 64
zero_fill 1
EOF
}

# Only alloc calls, which are never pooled: no hit rate.
ctl_stats() {
	printf 'alloc_calls 5\nalloc_bytes 500\n'
}

root=$tmp/debug/bufpool
mkdir -p "$root/rx-ring" "$root/default" "$root/ctl" "$root/not-a-pool"
rx_ring_stats | put "$root/rx-ring/stats"
default_stats 9700 2457600 311 329 | put "$root/default/stats"
ctl_stats | put "$root/ctl/stats"
echo junk >"$root/stray-file"

# run ARGS...: runs the tool; sets $out, $err and $rc.
run() {
	out=$(timeout 5 "$BIN" "$@" 2>"$tmp/stderr")
	rc=$?
	err=$(cat "$tmp/stderr")
}

# row FILE POOL [BLOCK]: the row of POOL in report BLOCK (1 by default) of
# a table, its columns joined by single spaces.
row() {
	awk -v pool="$2" -v block="${3:-1}" '
		$1 == "POOL" { n++ }
		n == block && $1 == pool { $1 = $1; print }' "$1"
}

# check_row NAME FILE EXPECTED [BLOCK]
check_row() {
	local got

	got=$(row "$2" "${3%% *}" "${4:-1}")
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		evidence "$(cat "$2")"
		fail "$1" "expected '$3', got '$got'"
	fi
}

# --- The table -------------------------------------------------------------

run --root "$root"
printf '%s\n' "$out" >"$tmp/table"
if [ "$rc" -eq 0 ] && [ -z "$err" ]; then
	pass bufpoolstat-table-runs
else
	evidence "$out" "$err"
	fail bufpoolstat-table-runs "exit code $rc"
fi

if head -n 1 "$tmp/table" |
   grep -Eq '^POOL +CALLS +BYTES +HIT% +LIVE +PINNED +SPARE +RETIRED +SLICES +WASTE$'; then
	pass bufpoolstat-table-header
else
	evidence "$out"
	fail bufpoolstat-table-header "header line"
fi

order=$(awk 'NR > 1 { printf "%s ", $1 }' "$tmp/table")
if [ "$order" = "default ctl rx-ring " ]; then
	pass bufpoolstat-table-order
else
	evidence "$out"
	fail bufpoolstat-table-order "rows '$order', not default, ctl, rx-ring"
fi

# calls 1000+9700+300+34+1000 = 12034; bytes 4017664 = 3.8M; hit rate
# (9700+1000)/(9700+300+1000) = 97.27%; waste 900+329 = 1229 = 1.2K.
check_row bufpoolstat-table-default "$tmp/table" \
	"default 12034 3.8M 97.2 3 24K 16K 2 311 1.2K"
# hit rate 500/1000; pinned 2 MB; waste 2048 abandoned.
check_row bufpoolstat-table-rx-ring "$tmp/table" \
	"rx-ring 1000 3.9M 50.0 1 2.0M 0 0 12 2.0K"
# No unsafe or from call: no hit rate; missing counters count as 0.
check_row bufpoolstat-table-no-hits "$tmp/table" "ctl 5 500 - 0 0 0 0 0 0"

if [ "$(awk '{ print length($0) }' "$tmp/table" | sort -u | wc -l)" -eq 1 ]; then
	pass bufpoolstat-table-aligned
else
	evidence "$out"
	fail bufpoolstat-table-aligned "lines of different lengths"
fi

# A pool destroyed while its stats file is read: debugfs fails the read
# with EIO, as reading /proc/self/mem at address 0 does. The pool is gone,
# not an error: the others are shown.
gone=$tmp/gone/bufpool
mkdir -p "$gone/default" "$gone/dying"
ctl_stats | put "$gone/default/stats"
ln -s /proc/self/mem "$gone/dying/stats"
run --root "$gone"
if [ "$rc" -eq 0 ] && [ -z "$err" ] && [ -n "$(row /dev/stdin default <<<"$out")" ] &&
   [ -z "$(row /dev/stdin dying <<<"$out")" ]; then
	pass bufpoolstat-pool-gone-mid-read
else
	evidence "$out" "$err"
	fail bufpoolstat-pool-gone-mid-read "exit code $rc, or the dying pool shown"
fi

# --- JSON ------------------------------------------------------------------

run --root "$root" --json
printf '%s\n' "$out" >"$tmp/json"
if [ "$rc" -eq 0 ] &&
   python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/json" 2>"$tmp/pyerr"; then
	pass bufpoolstat-json-parses
else
	evidence "$out" "$err" "$(cat "$tmp/pyerr")"
	fail bufpoolstat-json-parses "exit code $rc, or not JSON"
fi

# The statistics the tool knows: the module's table (include/linux/
# bufpool_stats.h), which the tool is built from.
run --list-stats
printf '%s\n' "$out" >"$tmp/known"
table=$(sed -n 's/^[[:space:]]*BUFPOOL_STAT(\([A-Z_]*\), \([a-z_]*\), \([A-Z]*\), .*/\2 \3/p' \
	"$TOP/include/linux/bufpool_stats.h" | tr 'A-Z' 'a-z')
if [ "$rc" -eq 0 ] && [ -n "$out" ] && [ "$out" = "$table" ]; then
	pass bufpoolstat-list-stats
else
	evidence "$out" "$table"
	fail bufpoolstat-list-stats "not the table of include/linux/bufpool_stats.h"
fi

# Every counter of every stats file, by name and exact; the derived values.
if python3 - "$tmp/json" "$root" "$tmp/known" >"$tmp/pyerr" 2>&1 <<'EOF'
import json, os, sys

KNOWN = [l.split()[0] for l in open(sys.argv[3]) if l.strip()]
assert KNOWN[:2] == ['alloc_calls', 'alloc_bytes'], KNOWN[:2]

doc = json.load(open(sys.argv[1]))
assert list(doc) == ['pools'], 'top level keys %s' % list(doc)
pools = doc['pools']
assert [p['name'] for p in pools] == ['default', 'ctl', 'rx-ring'], \
    'pool order %s' % [p['name'] for p in pools]
for p in pools:
    stats = dict(l.split() for l in
                 open(os.path.join(sys.argv[2], p['name'], 'stats')))
    for name in KNOWN:
        if name in stats:
            v = p.get(name)
            assert type(v) is int and v == int(stats[name]), \
                '%s %s: %r, not %s' % (p['name'], name, v, stats[name])
    assert 'future_counter' not in p, 'unknown name passed through'
    get = lambda n: int(stats.get(n, 0))
    calls = sum(get(n) for n in KNOWN[:12:2])
    nbytes = sum(get(n) for n in KNOWN[1:12:2])
    assert p['calls'] == calls, '%s calls %r' % (p['name'], p['calls'])
    assert p['bytes'] == nbytes, '%s bytes %r' % (p['name'], p['bytes'])
    waste = get('abandoned_bytes') + get('padding_bytes')
    assert p['waste'] == waste, '%s waste %r' % (p['name'], p['waste'])
    hits = get('unsafe_pooled_calls') + get('from_pooled_calls')
    tries = hits + get('unsafe_direct_calls') + get('from_direct_calls')
    if tries:
        assert abs(p['hit_rate'] - 100.0 * hits / tries) < 0.001, \
            '%s hit_rate %r' % (p['name'], p['hit_rate'])
    else:
        assert p['hit_rate'] is None, '%s hit_rate %r' % (p['name'],
                                                          p['hit_rate'])
EOF
then
	pass bufpoolstat-json-values
else
	evidence "$out" "$(cat "$tmp/pyerr")"
	fail bufpoolstat-json-values "$(tail -n 1 "$tmp/pyerr")"
fi

# --- Intervals -------------------------------------------------------------

# Three runs at once, each of two reports: "-i 2 -c 2" as a script would
# use it, and a table and JSON every 2.5 s, where a rate differs from a
# delta. Once all three printed their totals, the default pool gets 1000
# more pooled calls of 64000 bytes, 2048 more padding bytes and 400 live
# slices. The intervals leave the change 2 s to land in, however loaded
# the host; what is checked of the rates does not depend on their length.
timeout 20 "$BIN" --root "$root" -i 2 -c 2 >"$tmp/icount" 2>"$tmp/icount.err" &
icount=$!
timeout 20 "$BIN" --root "$root" -i 2.5 -c 2 >"$tmp/itable" 2>"$tmp/itable.err" &
itable=$!
timeout 20 "$BIN" --root "$root" -i 2.5 -c 2 --json >"$tmp/ijson" \
	2>"$tmp/ijson.err" &
ijson=$!
bgpids=("$icount" "$itable" "$ijson")
for _ in $(seq 500); do
	grep -q '^POOL' "$tmp/icount" 2>/dev/null &&
		grep -q '^POOL' "$tmp/itable" 2>/dev/null &&
		grep -q '"report":0' "$tmp/ijson" 2>/dev/null && break
	sleep 0.02
done
default_stats 10700 2521600 400 2377 | put "$root/default/stats"
wait "$icount"
icount_rc=$?
wait "$itable"
itable_rc=$?
wait "$ijson"
ijson_rc=$?
bgpids=()

# -i 2 -c 2: the totals, then one report of rates (1000 calls in 2 s, or
# a little more: 500/s or a little less), and an exit of its own.
if [ "$icount_rc" -eq 0 ] && [ ! -s "$tmp/icount.err" ] &&
   [ "$(grep -c '^POOL' "$tmp/icount")" -eq 2 ] &&
   [ "$(row "$tmp/icount" default 1)" = "default 12034 3.8M 97.2 3 24K 16K 2 311 1.2K" ] &&
   row "$tmp/icount" default 2 | grep -Eq '^default (4[0-9][0-9]|500) '; then
	pass bufpoolstat-interval-count
else
	evidence "$(cat "$tmp/icount" "$tmp/icount.err")"
	fail bufpoolstat-interval-count "exit code $icount_rc, or not 2 reports"
fi

# The second report of the 2.5 s table: 1000 calls in 2.5 s (a little more
# if it ran long) are 400/s, 64000 bytes 25K/s, all of them pooled, 2048
# bytes of waste 819/s: bytes and waste at 64 and 2.048 times the calls,
# to the table's rounding; the gauges as they are now.
got=$(row "$tmp/itable" default 2)
if [ "$itable_rc" -eq 0 ] && [ ! -s "$tmp/itable.err" ] &&
   grep -Eq '^POOL +CALLS/s +BYTES/s +HIT% +LIVE +PINNED +SPARE +RETIRED +SLICES +WASTE/s$' "$tmp/itable" &&
   echo "$got" | awk '
	function near(got, want) { return got >= want * 0.97 && got <= want * 1.03 }
	$3 ~ /K$/ { bytes = ($3 + 0) * 1024 }
	$2 >= 320 && $2 <= 400 && near(bytes, 64 * $2) &&
	near($10 + 0, 2.048 * $2) &&
	$4 == "100.0" && $5 == 3 && $6 == "24K" && $7 == "16K" && $8 == 2 &&
	$9 == 400 {
		ok = 1
	}
	END { exit !ok }' &&
   [ "$(row "$tmp/itable" rx-ring 2)" = "rx-ring 0 0 - 1 2.0M 0 0 12 0" ]; then
	pass bufpoolstat-interval-table
else
	evidence "$(cat "$tmp/itable" "$tmp/itable.err")"
	fail bufpoolstat-interval-table "second report: '$got'"
fi

if [ "$ijson_rc" -eq 0 ] && python3 - "$tmp/ijson" >"$tmp/pyerr" 2>&1 <<'EOF'
import json, sys

lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, '%d lines' % len(lines)
first, second = (json.loads(l) for l in lines)
assert first['report'] == 0 and 'seconds' not in first, 'first report'
d = first['pools'][0]
assert d['name'] == 'default' and d['unsafe_pooled_calls'] == 9700, \
    'first report: totals'
assert second['report'] == 1, 'report number'
secs = second['seconds']
assert 2.5 <= secs < 3.2, 'interval of %r s' % secs
d, c, r = second['pools']
assert d['name'] == 'default', 'order'
# Event counters: delta / seconds (which is printed to 1 ms).
for name, delta in (('unsafe_pooled_calls', 1000),
                    ('unsafe_pooled_bytes', 64000),
                    ('padding_bytes', 2048), ('calls', 1000),
                    ('bytes', 64000), ('waste', 2048),
                    ('alloc_calls', 0), ('frees', 0)):
    assert abs(d[name] - delta / secs) <= 0.002 * delta / secs + 0.001, \
        '%s: %r/s for %d in %r s' % (name, d[name], delta, secs)
# Gauges and settings: the current value, exact.
for name, value in (('slices_live', 400), ('pools_live', 3),
                    ('pool_bytes_live', 24576), ('pool_size', 8192)):
    assert d[name] == value and type(d[name]) is int, \
        '%s: %r, not %d' % (name, d[name], value)
assert d['hit_rate'] == 100, 'hit_rate %r' % d['hit_rate']
assert r['calls'] == 0 and r['hit_rate'] is None, 'rx-ring did nothing'
assert r['slices_live'] == 12, 'rx-ring gauge'
EOF
then
	pass bufpoolstat-interval-json
else
	evidence "$(cat "$tmp/ijson" "$tmp/ijson.err" "$tmp/pyerr")"
	fail bufpoolstat-interval-json "exit code $ijson_rc: $(tail -n 1 "$tmp/pyerr")"
fi

# --- Usage -----------------------------------------------------------------

run --help
if [ "$rc" -eq 0 ] && echo "$out" | grep -q '^Usage: bufpoolstat' &&
   echo "$out" | grep -q -- '--root DIR'; then
	run --no-such-option
	if [ "$rc" -eq 2 ] && [ -z "$out" ] && [ -n "$err" ]; then
		run -c 2 --root "$root"
		if [ "$rc" -eq 2 ] && [ -z "$out" ]; then
			pass bufpoolstat-usage
		else
			fail bufpoolstat-usage "-c without -i: exit code $rc"
		fi
	else
		fail bufpoolstat-usage "bad option: exit code $rc"
	fi
else
	fail bufpoolstat-usage "--help: exit code $rc"
fi

# --- Errors ----------------------------------------------------------------

# expect_error NAME CODE MESSAGE: the last run failed with exit code CODE,
# printed nothing on stdout and exactly MESSAGE on stderr.
expect_error() {
	if [ "$rc" -eq "$2" ] && [ -z "$out" ] && [ "$err" = "$3" ]; then
		pass "$1"
	else
		evidence "stdout: $out" "stderr: $err"
		fail "$1" "exit code $rc, expected $2 and '$3'"
	fi
}

# The parent of the root exists and is no debugfs.
mkdir "$tmp/plain"
run --root "$tmp/plain/bufpool"
expect_error bufpoolstat-err-no-debugfs 3 \
	"bufpoolstat: no bufpool statistics at $tmp/plain/bufpool: debugfs is not mounted at $tmp/plain"

run --root "$tmp/missing/bufpool"
expect_error bufpoolstat-err-missing-root 4 \
	"bufpoolstat: no bufpool statistics at $tmp/missing/bufpool"

# A stats file of another format: an error that names it, not zeros.
mkdir -p "$tmp/foreign/bufpool/default"
printf 'alloc_calls: 5\nalloc_bytes: 500\n' | put "$tmp/foreign/bufpool/default/stats"
run --root "$tmp/foreign/bufpool"
expect_error bufpoolstat-err-foreign-format 1 \
	"bufpoolstat: $tmp/foreign/bufpool/default/stats: no statistic this bufpoolstat knows (a bufpool of another version?)"

# A count the kernel prints past LLONG_MAX (it prints u64): the largest
# the tool holds, not dropped.
mkdir -p "$tmp/huge/bufpool/default"
printf 'alloc_calls 5\nalloc_bytes 18446744073709551615\n' | put "$tmp/huge/bufpool/default/stats"
run --root "$tmp/huge/bufpool" --json
if [ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '"alloc_bytes":9223372036854775807[,}]'; then
	pass bufpoolstat-saturates
else
	evidence "stdout: $out" "stderr: $err"
	fail bufpoolstat-saturates "exit code $rc, alloc_bytes not 9223372036854775807"
fi

# in_namespace FSTYPE TARGET ARGS...: runs the tool with ARGS in a private
# mount namespace with a fresh FSTYPE on TARGET; rc 99 if that cannot be
# mounted, 98 if TARGET has a bufpool directory (the host has it loaded).
in_namespace() {
	local fstype=$1 target=$2

	shift 2
	out=$(unshare --mount sh -c '
		mount -t "$1" none "$2" 2>/dev/null || exit 99
		[ -e "$2/bufpool" ] && exit 98
		shift 2
		exec timeout 5 "$@"' sh "$fstype" "$target" "$BIN" "$@" \
		2>"$tmp/stderr")
	rc=$?
	err=$(cat "$tmp/stderr")
}

# ns_check NAME CODE MESSAGE FSTYPE TARGET ARGS...
ns_check() {
	local name=$1 code=$2 message=$3

	shift 3
	if ! command -v unshare >/dev/null; then
		skip "$name" "no unshare to mount $1 privately"
		return
	fi
	in_namespace "$@"
	case $rc in
	99) skip "$name" "cannot mount $1 in a private mount namespace (not root?)" ;;
	98) skip "$name" "bufpool is loaded on this host" ;;
	*) expect_error "$name" "$code" "$message" ;;
	esac
}

mkdir "$tmp/dbgfs"
ns_check bufpoolstat-err-not-loaded 4 \
	"bufpoolstat: no bufpool statistics at $tmp/dbgfs/bufpool: bufpool is not loaded (insmod bufpool.ko)" \
	debugfs "$tmp/dbgfs" --root "$tmp/dbgfs/bufpool"
# The default root, with a tmpfs or a debugfs on /sys/kernel/debug.
ns_check bufpoolstat-err-default-no-debugfs 3 \
	"bufpoolstat: debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)" \
	tmpfs /sys/kernel/debug
ns_check bufpoolstat-err-default-not-loaded 4 \
	"bufpoolstat: bufpool is not loaded (insmod bufpool.ko)" \
	debugfs /sys/kernel/debug

# Permissions: a root-only directory, as /sys/kernel/debug is, and a
# root-only stats file, as in debugfs. Root reads them anyway, so as root
# the tool runs as nobody.
mkdir -p "$tmp/locked/bufpool/default" "$tmp/open/bufpool/default"
ctl_stats | put "$tmp/locked/bufpool/default/stats"
ctl_stats | put "$tmp/open/bufpool/default/stats"
chmod 700 "$tmp/locked"
chmod 400 "$tmp/open/bufpool/default/stats"

# The tool as built, run from $tmp, so that nobody can reach it wherever
# the checkout lives.
cp "$BIN" "$tmp/bufpoolstat" && chmod 755 "$tmp/bufpoolstat" && BIN=$tmp/bufpoolstat
as_user=()
perm_skip=
if [ "$(id -u)" -eq 0 ]; then
	if ! command -v setpriv >/dev/null; then
		perm_skip="root, and no setpriv to run as nobody"
	else
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		"${as_user[@]}" "$BIN" --help >/dev/null 2>&1 ||
			perm_skip="nobody cannot run $BIN"
	fi
fi

# perm_check NAME PATH ROOT
perm_check() {
	if [ -n "$perm_skip" ]; then
		skip "$1" "$perm_skip"
		return
	fi
	out=$("${as_user[@]}" timeout 5 "$BIN" --root "$3" 2>"$tmp/stderr")
	rc=$?
	err=$(cat "$tmp/stderr")
	expect_error "$1" 5 \
		"bufpoolstat: permission denied reading $2: run as root"
}

perm_check bufpoolstat-err-perm-dir "$tmp/locked/bufpool" \
	"$tmp/locked/bufpool"
perm_check bufpoolstat-err-perm-file "$tmp/open/bufpool/default/stats" \
	"$tmp/open/bufpool"

exit 0
