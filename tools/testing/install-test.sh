#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check's test of make install, staged: in a copy of the sources,
#   make install KDIR=<stock headers> INSTALL_MOD_PATH=<stage> DESTDIR=<stage>
# must put bufpool.ko in <stage>/lib/modules/<abi>/extra/ with depmod's
# index naming it, and the public header and Module.symvers in
# <stage>/usr/local/src/bufpool-<version>/; the sample client must then
# build against those two alone, as the Makefile's comment says a client
# does; and nothing may land outside the stage. Prints one
# "bufpool-check:" line per step.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$BUFPOOL_TOP" || exit 1
bad=0

ver=$(sed -n 's/^#define BUFPOOL_VERSION "\(.*\)"$/\1/p' bufpool/version.h)
abi=$(stock_abi 6.1 amd64) || { say "not ok install-setup # no stock ABI"; exit 1; }
kdir=$(stock_dir 6.1 amd64)/kdir || { say "not ok install-setup # no stock headers"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bufpool-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
dev=$stage/usr/local/src/bufpool-$ver
(copy_tree "$tmp/src") || { say "not ok install-setup # cannot copy the sources"; exit 1; }

outside() { find /lib/modules /usr/local/src -newer "$tmp/src" 2>/dev/null | sort; }
# The DKMS check writes into /lib/modules: not while this one looks there
# (it holds the same lock, /var/lib/dkms, for its whole run).
mkdir -p /var/lib/dkms
exec 9< /var/lib/dkms
flock -w 600 9 || { say "not ok install-setup # the DKMS check holds /var/lib/dkms"; exit 1; }
touch "$tmp/src"
sleep 1

if make -C "$tmp/src" install KDIR="$kdir" INSTALL_MOD_PATH="$stage" \
	DESTDIR="$stage" > "$tmp/install.log" 2>&1; then
	say "ok install-runs"
else
	tail -n 30 "$tmp/install.log"
	say "not ok install-runs # make install failed"
fi

ko=$stage/lib/modules/$abi/extra/bufpool.ko
if [ -e "$ko" ] &&
   grep -q '^extra/bufpool.ko:' "$stage/lib/modules/$abi/modules.dep" 2>/dev/null &&
   [ "$(modinfo -b "$stage" -k "$abi" -F version bufpool 2>/dev/null)" = "$ver" ]; then
	say "ok install-module-depmod"
else
	ls -R "$stage/lib/modules" 2>&1 | head -n 20
	say "not ok install-module-depmod # no $ko, or depmod did not index it"
fi

# modinfo shows a version, a description, the author, the license, and
# every parameter with a description.
modinfo_complete() {
	local f params
	for f in version description author license; do
		[ -n "$(modinfo -F "$f" "$1")" ] || { echo "modinfo: no $f"; return 1; }
	done
	params=$(modinfo -F parm "$1")
	[ -n "$params" ] || { echo "modinfo: no parameters"; return 1; }
	if printf '%s\n' "$params" | grep -v '^[a-z_]*:[^ ].* ([a-z]*)$'; then
		echo "modinfo: the parameters above have no description"
		return 1
	fi
}
if [ -e "$ko" ] && modinfo_complete "$ko"; then
	say "ok modinfo-complete"
else
	say "not ok modinfo-complete # see above"
fi

if cmp -s include/linux/bufpool.h "$dev/include/linux/bufpool.h" &&
   cmp -s include/linux/bufpool_stats.h "$dev/include/linux/bufpool_stats.h" &&
   grep -qP '^0x[0-9a-f]+\tbufpool_alloc\t\S+\tEXPORT_SYMBOL_GPL\tBUFPOOL$' \
	"$dev/$abi/Module.symvers" 2>/dev/null; then
	say "ok install-header-symvers"
else
	find "$stage/usr" 2>&1 | head -n 20
	say "not ok install-header-symvers # $dev lacks include/linux/bufpool{,_stats}.h or $abi/Module.symvers"
fi

# The sample client, built against the installed files and nothing else,
# with W=1: a warning fails it.
mkdir -p "$tmp/client"
cp -p tools/client/* "$tmp/client"/
if kbuild_ext "$kdir" "$tmp/client" "$dev" "$dev/$abi/Module.symvers" W=1 \
	> "$tmp/client.log" 2>&1 &&
   ! grep -E 'warning:|error:|WARNING:|ERROR:' "$tmp/client.log" &&
   [ "$(modinfo -F depends "$tmp/client/bufpool_client.ko")" = bufpool ]; then
	say "ok install-client-builds"
else
	tail -n 30 "$tmp/client.log"
	say "not ok install-client-builds # the client did not build against $dev"
fi

# Staged means staged.
left=$(outside)
if [ -z "$left" ]; then
	say "ok install-staged-only"
else
	echo "$left" | head -n 20
	say "not ok install-staged-only # make install wrote outside the stage"
fi
exit $bad
