#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's DKMS check: against Debian's stock kernel headers (the
# kernel this machine runs is not a Debian one, so every command names the
# stock ABI with -k), proves that
#   dkms add <tree>, dkms build, dkms install (bufpool.ko lands in
#   /lib/modules/<abi>/updates/dkms/ and depmod indexes it), modinfo of
#   the installed module (the version, the ABI's vermagic), and
#   dkms remove --all
# work, then leaves the machine as it found it: dkms remove leaves the
# copied sources in /usr/src/bufpool-<version> by design, depmod leaves its
# index files, and the first dkms build makes a module signing key in
# /var/lib/dkms; whatever of that was not there before is removed, and
# /lib/modules/<abi> must list exactly what it did before.
#
# Needs root. Installs dkms with apt-get when it is missing. Refuses to
# touch a bufpool that DKMS already knows. Prints one "bufpool-check:" line
# per step.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$BUFPOOL_TOP" || exit 1
bad=0
stop() { say "not ok $*"; exit 1; }

# The version: dkms.conf says it, bufpool/version.h is the truth.
ver=$(sed -n 's/^#define BUFPOOL_VERSION "\(.*\)"$/\1/p' bufpool/version.h)
conf_name=$(sed -n 's/^PACKAGE_NAME="\?\([^"]*\)"\?$/\1/p' dkms.conf 2>/dev/null)
conf_ver=$(sed -n 's/^PACKAGE_VERSION="\?\([^"]*\)"\?$/\1/p' dkms.conf 2>/dev/null)
if [ -z "$ver" ]; then
	stop "dkms-version # no BUFPOOL_VERSION in bufpool/version.h"
elif [ "$conf_name" != bufpool ] || [ "$conf_ver" != "$ver" ]; then
	stop "dkms-version # dkms.conf says $conf_name $conf_ver, bufpool/version.h says $ver"
fi
say "ok dkms-version"

[ "$(id -u)" -eq 0 ] || stop "dkms-setup # needs root"
if ! command -v dkms > /dev/null; then
	msg "installing dkms"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dkms \
		> /dev/null 2>&1 || stop "dkms-setup # apt-get install dkms failed"
fi
# The headers installed here (deps.sh installs them when missing), which
# may be older than what apt offers now.
abi=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
      sed -n 's/^linux-headers-\([^ ,]*-amd64\).*/\1/p')
[ -n "$abi" ] || stop "dkms-setup # linux-headers-amd64 is not installed (run tools/testing/deps.sh)"
kdir=/usr/src/linux-headers-$abi
mods=/lib/modules/$abi
[ -d "$kdir" ] || stop "dkms-setup # $kdir is missing (run tools/testing/deps.sh)"
[ "$(readlink -f "$mods/build")" = "$(readlink -f "$kdir")" ] ||
	stop "dkms-setup # $mods/build does not lead to $kdir"

# DKMS state is machine-wide: one check at a time.
mkdir -p /var/lib/dkms
exec 9< /var/lib/dkms
flock -w 600 9 || stop "dkms-setup # another DKMS check holds /var/lib/dkms"

if [ -n "$(dkms status bufpool 2>/dev/null)" ] || [ -e /var/lib/dkms/bufpool ] ||
   [ -e "/usr/src/bufpool-$ver" ]; then
	stop "dkms-setup # DKMS already has bufpool (or /usr/src/bufpool-$ver exists): not touching it"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bufpool-dkms.XXXXXX") || exit 1
before=$(find "$mods" | sort)
had_key=0
[ -e /var/lib/dkms/mok.key ] || [ -e /var/lib/dkms/mok.pub ] && had_key=1

cleanup() {
	if [ -e /var/lib/dkms/bufpool ]; then
		dkms remove "bufpool/$ver" --all > /dev/null 2>&1
		rm -rf /var/lib/dkms/bufpool
	fi
	rm -rf "/usr/src/bufpool-$ver"
	[ $had_key -eq 1 ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	# depmod's index files, where there were none before.
	find "$mods" -maxdepth 1 -type f -name 'modules.*' | while read -r f; do
		grep -qxF "$f" <<< "$before" || rm -f "$f"
	done
	for d in "$mods/updates/dkms" "$mods/updates"; do
		grep -qxF "$d" <<< "$before" || rmdir "$d" 2> /dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# run NAME COMMAND...: a step, its output shown only when it fails.
run() {
	local name=$1
	shift
	if "$@" > "$tmp/$name.log" 2>&1; then
		say "ok $name"
	else
		tail -n 30 "$tmp/$name.log"
		[ -r "/var/lib/dkms/bufpool/$ver/build/make.log" ] &&
			tail -n 30 "/var/lib/dkms/bufpool/$ver/build/make.log"
		say "not ok $name # $* failed"
		return 1
	fi
}

# The sources only, as a user's checkout has them: tracked files and new
# ones that are not ignored.
(copy_tree "$tmp/src" dkms.conf Kbuild Makefile bufpool include kunit tools) ||
	stop "dkms-setup # cannot copy the sources"

t=$SECONDS
run dkms-add dkms add "$tmp/src" &&
run dkms-build dkms build "bufpool/$ver" -k "$abi" &&
run dkms-install dkms install "bufpool/$ver" -k "$abi"
ko=$mods/updates/dkms/bufpool.ko
if [ -e "$ko" ]; then
	v=$(modinfo -F version "$ko")
	magic=$(modinfo -F vermagic "$ko")
	dep=$(grep -c '^updates/dkms/bufpool.ko:' "$mods/modules.dep" 2>/dev/null)
	if [ "$v" = "$ver" ] && [ "${magic%% *}" = "$abi" ] && [ "$dep" = 1 ]; then
		say "ok dkms-modinfo"
	else
		say "not ok dkms-modinfo # $ko: version '$v', vermagic '$magic', $dep line(s) in modules.dep"
	fi
else
	say "not ok dkms-modinfo # no $ko"
fi
if [ -e /var/lib/dkms/bufpool ]; then
	run dkms-remove dkms remove "bufpool/$ver" --all
	left=$(find "$mods" -name 'bufpool*.ko*' 2>/dev/null)
	if [ -e /var/lib/dkms/bufpool ] || [ -n "$left" ]; then
		say "not ok dkms-removed # still there: $(ls -d /var/lib/dkms/bufpool 2>/dev/null) $left"
	else
		say "ok dkms-removed"
	fi
fi
msg "DKMS add, build, install and remove took $((SECONDS - t)) s"

trap - EXIT
cleanup
if [ -e "/usr/src/bufpool-$ver" ] || [ -e /var/lib/dkms/bufpool ] ||
   { [ $had_key -eq 0 ] && [ -e /var/lib/dkms/mok.key ]; }; then
	say "not ok dkms-clean # DKMS or /usr/src still hold bufpool, or a signing key is left"
elif [ "$before" != "$(find "$mods" | sort)" ]; then
	diff <(echo "$before") <(find "$mods" | sort)
	say "not ok dkms-clean # $mods changed"
else
	say "ok dkms-clean"
fi
exit $bad
