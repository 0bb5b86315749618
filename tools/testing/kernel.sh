#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh [debug|kcsan]: builds a test kernel from Debian's
# linux-source-6.1 and the fragments in kunit/, and prints the build
# directory: "debug" (KASAN, the default) for make check, "kcsan" for make
# check-kcsan. The result is cached under $XDG_CACHE_HOME/bufpool/kernel/,
# keyed by the variant, the source version and a hash of the fragments, so
# a second run builds nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-debug}
case $variant in
debug)	checker=kasan ;;
kcsan)	checker=kcsan ;;
*)	die "kernel.sh: unknown variant $variant (debug or kcsan)" ;;
esac
frags=("$BUFPOOL_TOP/kunit/.kunitconfig" "$BUFPOOL_TOP/kunit/debug.config"
       "$BUFPOOL_TOP/kunit/$checker.config")
# Bump when the way the kernel is built changes, to rebuild cached ones.
recipe=2
ver=$(source_version)
hash=$( (cat "${frags[@]}"; echo "recipe $recipe") | sha256sum | cut -c1-12)
out=$BUFPOOL_CACHE/kernel/$variant-$ver-$hash

# One build at a time: a second run (make lint beside make check) waits,
# then finds the kernel built, instead of removing the first one's tree.
mkdir -p "$BUFPOOL_CACHE/kernel"
exec 9> "$BUFPOOL_CACHE/kernel/.lock"
flock 9

if [ -e "$out/.built" ]; then
	echo "$out"
	exit 0
fi

src=$(source_tree)
rm -rf "$out" && mkdir -p "$out"
log=$out/build.log
cat "${frags[@]}" > "$out/.config"
make -C "$src" O="$out" ARCH=x86_64 olddefconfig > "$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "olddefconfig failed"; }

# Every option the fragments ask for must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" ||
			{ echo "bufpool: $line did not survive olddefconfig" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then
			echo "bufpool: $opt should be unset but is $(grep "^$opt=" "$out/.config")" >&2
			bad=1
		fi
		;;
	esac
done < <(cat "${frags[@]}")
[ $bad -eq 0 ] || die "the $variant kernel config is missing options (see above)"

msg "building the $variant kernel $(basename "$out") (about 5 minutes; once)"
start=$SECONDS
make -C "$src" O="$out" ARCH=x86_64 -j"$JOBS" bzImage modules >> "$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "the $variant kernel did not build; log: $log"; }
msg "$variant kernel built in $((SECONDS - start)) s"
touch "$out/.built"
echo "$out"
