#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the debug test kernel from Debian's linux-source-6.1 and the
# fragments in kunit/, and prints the build directory. The result is
# cached under $XDG_CACHE_HOME/bufpool/kernel/, keyed by the source
# version and a hash of the fragments, so a second run builds nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

frags=("$BUFPOOL_TOP/kunit/.kunitconfig" "$BUFPOOL_TOP/kunit/debug.config")
ver=$(source_version)
hash=$(cat "${frags[@]}" "$0" | sha256sum | cut -c1-12)
out=$BUFPOOL_CACHE/kernel/debug-$ver-$hash

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
[ $bad -eq 0 ] || die "the debug kernel config is missing options (see above)"

msg "building the debug kernel $(basename "$out") (about 4 minutes; once)"
start=$SECONDS
make -C "$src" O="$out" ARCH=x86_64 -j"$JOBS" bzImage modules >> "$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "the debug kernel did not build; log: $log"; }
msg "debug kernel built in $((SECONDS - start)) s"
touch "$out/.built"
echo "$out"
