# SPDX-License-Identifier: GPL-2.0
#
# Shared settings for the bufpool test scripts. Sourced, never run.

BUFPOOL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUFPOOL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bufpool
BUFPOOL_OUT=$BUFPOOL_TOP/.out
JOBS=${JOBS:-$(nproc)}

msg()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'bufpool: %s\n' "$*" >&2; exit 1; }

# The Debian version of linux-source-6.1, e.g. 6.1.192-2.
source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
		die "linux-source-6.1 is not installed (run tools/testing/deps.sh)"
}

# The ABI name the stock metapackages point at, e.g. 6.1.0-56-amd64.
# $1 is the flavour: amd64 or rt-amd64.
stock_abi() {
	local flavour=${1:-amd64} dep
	dep=$(apt-cache depends "linux-headers-$flavour" 2>/dev/null |
	      sed -n "s/^ *Depends: linux-headers-\(.*-$flavour\)\$/\1/p" | head -n 1)
	[ -n "$dep" ] || die "cannot find the ABI behind linux-headers-$flavour (apt-get update?)"
	echo "$dep"
}

# The extracted linux-source-6.1 tree, extracted once into the cache.
source_tree() {
	local ver dir tarball=/usr/src/linux-source-6.1.tar.xz
	ver=$(source_version)
	dir=$BUFPOOL_CACHE/src/linux-source-$ver
	if [ ! -e "$dir/.extracted" ]; then
		[ -r "$tarball" ] || die "$tarball is missing (apt-get install linux-source-6.1)"
		msg "extracting linux-source-$ver into $dir"
		rm -rf "$dir" && mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$tarball" || die "cannot extract $tarball"
		touch "$dir/.extracted"
	fi
	echo "$dir"
}
