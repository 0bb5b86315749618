#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh VER [debug|kcsan|kmsan|distro] [TARGET]: builds a kernel from
# Debian's source package of kernel VER (tools/testing/kernels/) and
# prints its build directory:
#   debug   make check's: the fragments in kunit/ with KASAN (the default),
#           and those the kernel's K_FRAGMENTS and the target's add;
#   kcsan   make check-kcsan's: the same with KCSAN instead;
#   kmsan   make check-kmsan's: the guest of debug.config (its part
#           before the checkers) with KMSAN, built with clang (LLVM=1),
#           for x86_64 (kmsan.config says why no other checker);
#   distro  make bench's and make demo's where no stock image runs here:
#           Debian's own configuration of VER (the .config of its headers
#           of flavour K_DISTRO, or arm64 on arm64-4k) with modules off,
#           and kernels/distro.config (and distro-arm64.config).
# TARGET is the machine it is for (lib.sh's target_conf): x86_64 (the
# default), arm64-4k or arm64-64k, cross-compiled.
# The result is cached under $XDG_CACHE_HOME/bufpool/kernel/, keyed by the
# variant, the target, the source version and a hash of the configuration,
# so a second run builds nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=${1:?kernel.sh VER [debug|kcsan|kmsan|distro] [TARGET]}
variant=${2:-debug}
target_conf "${3:-x86_64}"
kernel_conf "$kver"
base=
case $variant in
debug | kcsan | kmsan)
	if [ "$variant" = kmsan ]; then
		[ "$T_NAME" = x86_64 ] || die "the kmsan kernel is built for x86_64 only"
		# debug.config's guest, up to its checkers.
		guest=$(mktemp)
		trap 'rm -f "$guest"' EXIT
		sed -n '/^# The checkers\./q; p' "$BUFPOOL_TOP/kunit/debug.config" > "$guest"
		frags=("$BUFPOOL_TOP/kunit/.kunitconfig" "$guest")
	else
		frags=("$BUFPOOL_TOP/kunit/.kunitconfig" "$BUFPOOL_TOP/kunit/debug.config")
	fi
	checker=$variant
	[ "$variant" = debug ] && checker=kasan
	frags+=("$BUFPOOL_TOP/kunit/$checker.config")
	for f in $T_FRAGMENTS; do
		frags+=("$BUFPOOL_TOP/kunit/$f")
	done
	if [ "$variant" = debug ]; then
		for f in $K_FRAGMENTS; do
			frags+=("$BUFPOOL_TOP/kunit/$f")
		done
	fi
	;;
distro)
	[ -n "$K_DISTRO" ] || die "kernel $kver has no distribution configuration (K_DISTRO)"
	# Debian's flavour of the target's architecture: K_DISTRO on x86_64,
	# arm64 (4 KB pages, as Debian builds it) on arm64-4k.
	case $T_NAME in
	x86_64)	  flavour=$K_DISTRO frags=("$BUFPOOL_KCONF/distro.config") ;;
	arm64-4k) flavour=arm64 frags=("$BUFPOOL_KCONF/distro.config" "$BUFPOOL_KCONF/distro-arm64.config") ;;
	*)	  die "the distribution kernel is built for x86_64 and arm64-4k only" ;;
	esac
	abi=$(stock_abi "$kver" "$flavour")
	flavour_arch "$flavour"
	base=$BUFPOOL_CACHE/distro/$abi
	[ -r "$base/.config" ] || {
		rm -rf "$base.tmp"
		fetch "linux-headers-$abi" "$base.tmp"
		mkdir -p "$base"
		cp "$base.tmp/usr/src/linux-headers-$abi/.config" "$base/.config"
		rm -rf "$base.tmp"
	}
	;;
*)	die "kernel.sh: unknown variant $variant (debug, kcsan, kmsan or distro)" ;;
esac
# Bump when the way the kernel is built changes, to rebuild cached ones.
recipe=3
ver=$(source_version "$kver")
hash=$( (cat "${frags[@]}" ${base:+"$base/.config"}; echo "recipe $recipe") |
	sha256sum | cut -c1-12)
out=$BUFPOOL_CACHE/kernel/$variant-$T_NAME-$ver-$hash

# Built already: no need to wait for another build.
if [ -e "$out/.built" ]; then
	echo "$out"
	exit 0
fi

# One build at a time: a second run (make lint beside make check) waits,
# then finds the kernel built, instead of removing the first one's tree.
mkdir -p "$BUFPOOL_CACHE/kernel"
exec 9> "$BUFPOOL_CACHE/kernel/.lock"
flock 9

if [ -e "$out/.built" ]; then
	echo "$out"
	exit 0
fi

src=$(source_tree "$kver")
kmake=(make -C "$src" O="$out" ARCH="$T_ARCH" ${T_CROSS:+CROSS_COMPILE=$T_CROSS})
# KMSAN is clang's; the modules are built with it too (check.sh).
[ "$variant" = kmsan ] && kmake+=(LLVM=1)
rm -rf "$out" && mkdir -p "$out"
log=$out/build.log
if [ -n "$base" ]; then
	# Debian's configuration, brought to this compiler, modules off.
	cp "$base/.config" "$out/.config"
	"${kmake[@]}" olddefconfig > "$log" 2>&1 &&
	"${kmake[@]}" mod2noconfig >> "$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "Debian's configuration did not take"; }
	cat "${frags[@]}" >> "$out/.config"
else
	cat "${frags[@]}" > "$out/.config"
fi
"${kmake[@]}" olddefconfig >> "$log" 2>&1 ||
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
[ $bad -eq 0 ] || die "the $variant kernel $kver's config is missing options (see above)"

msg "building the $variant kernel $(basename "$out") (once: about 5 minutes, distro longer)"
start=$SECONDS
"${kmake[@]}" -j"$JOBS" "$(basename "$T_IMAGE")" modules >> "$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; die "the $variant kernel $kver did not build; log: $log"; }
msg "$variant kernel $kver ($T_NAME) built in $((SECONDS - start)) s"
touch "$out/.built"
echo "$out"
