#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make profile [KERNEL=6.1|6.12|7.3] [PROFILE="CONTENDER SIZE PATTERN"]:
# where one call of a benchmark contender spends its guest instructions,
# function by function. The guest runs make bench's benchmark (bench.sh)
# twice, with one contender at one size in one pattern (default
# "bufpool_alloc_unsafe 64 a"; pattern a, b or d), PROFILE_ITERS (default 20000) and then
# three times as many pairs per repetition, then once more as the first
# time (which tells what varies from boot to boot), under a QEMU plugin
# of ours (tcgprof.c) that counts the kernel instructions every
# translated block runs; profile.py divides the difference by the calls
# made in between.
# A count is instructions, not time: an instruction QEMU emulates with a
# helper (a locked one, cmpxchg, an interrupt flag change) costs many
# times a plain one, which is why they are counted apart ("dear").
#
# The plugin builds against Debian's qemu-plugin.h, taken from the source
# package of the QEMU installed here (once, into the cache). The profile
# goes to .out/profile.txt. BENCH_INIT_ON_ALLOC (default 0) picks the
# boot's setting.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# qemu_plugin_header: the directory of the qemu-plugin.h of this
# machine's QEMU, fetched once from its Debian source package.
qemu_plugin_header() {
	local dir=$BUFPOOL_CACHE/qemu-plugin apt=$BUFPOOL_CACHE/apt/qemu-src tmp v opts
	if [ -f "$dir/qemu-plugin.h" ]; then
		echo "$dir"
		return
	fi
	v=$(dpkg-query -W -f '${source:Version}' qemu-system-x86) ||
		die "qemu-system-x86 is not installed"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $(. /etc/os-release && echo "$VERSION_CODENAME") main" \
		> "$apt/sources.list"
	opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=-
	      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
	msg "fetching the source of QEMU $v for its plugin header (once)"
	apt-get "${opts[@]}" update -qq > /dev/null 2>&1 ||
		die "apt-get update of the source index failed"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get "${opts[@]}" source --download-only -qq "qemu=$v") > /dev/null 2>&1 ||
		die "apt-get source qemu=$v failed"
	tar -xJf "$tmp"/qemu_*.orig.tar.xz -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h' ||
		die "no qemu-plugin.h in QEMU's source"
	cp "$tmp"/*/include/qemu/qemu-plugin.h "$dir/" || die "cannot keep qemu-plugin.h"
	rm -rf "$tmp"
	echo "$dir"
}

deps || die "installing the dependencies failed"
read -r contender size pattern <<< "${PROFILE:-bufpool_alloc_unsafe 64 a}"
contender=${contender:-bufpool_alloc_unsafe}
size=${size:-64}
pattern=${pattern:-a}
iters=${PROFILE_ITERS:-20000}
reps=3
setting=${BENCH_INIT_ON_ALLOC:-0}
case $setting in 0|1) ;; *) die "BENCH_INIT_ON_ALLOC must be 0 or 1 for make profile" ;; esac
case $pattern in a|b|d) ;; *) die "make profile times pattern a, b or d, not $pattern" ;; esac

inc=$(qemu_plugin_header)
plugin=$BUFPOOL_OUT/tcgprof.so
mkdir -p "$BUFPOOL_OUT"
gcc -O2 -Wall -Werror -shared -fPIC -I"$inc" -o "$plugin" \
	"$BUFPOOL_TOP/tools/testing/tcgprof.c" -lpthread ||
	die "the QEMU plugin did not build"

run=0
for n in 1 3 1; do
	run=$((run + 1))
	msg "profile run $run of 3: $contender, $size B, pattern $pattern, $((n * iters)) pairs x $reps"
	# On x86_64 guests, whatever TARGET make bench was given.
	TARGET=x86_64 BENCH_PROFILE=1 BENCH_INIT_ON_ALLOC=$setting BENCH_AB_ROUNDS=0 \
	BUFPOOL_QEMU_ARGS="-plugin $plugin,out=$BUFPOOL_OUT/profile.$run.blocks" \
		"$BUFPOOL_TOP/tools/testing/bench.sh" "patterns=$pattern" "sizes=$size" \
		"contenders=$contender" "iters=$((n * iters))" "reps=$reps" mem=0 \
		> "$BUFPOOL_OUT/profile.$run.log" 2>&1 ||
		die "the benchmark failed under the plugin; log: .out/profile.$run.log"
	cp "$BUFPOOL_OUT/bench.init_on_alloc=$setting.serial.log" \
		"$BUFPOOL_OUT/profile.$run.serial.log"
done

{
	echo "# make profile KERNEL=${KERNEL:-6.1} PROFILE=\"$contender $size $pattern\", init_on_alloc=$setting, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "# guest kernel instructions per $contender pair of $size B in pattern $pattern"
	python3 "$BUFPOOL_TOP/tools/testing/profile.py" \
		"$((iters * reps))" "$BUFPOOL_OUT/profile.1.blocks" "$BUFPOOL_OUT/profile.1.serial.log" \
		"$((3 * iters * reps))" "$BUFPOOL_OUT/profile.2.blocks" "$BUFPOOL_OUT/profile.2.serial.log" \
		"$BUFPOOL_OUT/profile.3.blocks" "$BUFPOOL_OUT/profile.3.serial.log" \
		"${PROFILE_TOP:-30}"
} > "$BUFPOOL_OUT/profile.txt" || die "profile.py failed"
cat "$BUFPOOL_OUT/profile.txt"
