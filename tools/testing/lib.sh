# SPDX-License-Identifier: GPL-2.0
#
# The one implementation of each step of the bufpool test scripts: the
# kernels of the matrix (tools/testing/kernels/*.conf) and where their
# packages come from, the copy of the tree a build runs in, the builds
# against a kernel, and the "bufpool-check:" lines. Sourced, never run.

BUFPOOL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUFPOOL_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bufpool
BUFPOOL_OUT=$BUFPOOL_TOP/.out
BUFPOOL_KCONF=$BUFPOOL_TOP/tools/testing/kernels
JOBS=${JOBS:-$(nproc)}

msg()  { printf '==> %s\n' "$*" >&2; }
die()  { printf 'bufpool: %s\n' "$*" >&2; exit 1; }

# The "bufpool-check:" lines make check counts come from one place, the
# guests' helpers: pass NAME, fail NAME [WHY], check NAME COMMAND...; and
# say "ok NAME" or say "not ok NAME # WHY", which also sets bad=1 on a
# failure, for the host's checks that exit non-zero after one.
# shellcheck source=guest/checks.sh
. "$BUFPOOL_TOP/tools/testing/guest/checks.sh"
say() {
	case $* in
	"ok "*) pass "${*#ok }" ;;
	"not ok "*)
		bad=1
		echo "bufpool-check: $*"
		;;
	*) die "say: neither ok nor not ok: $*" ;;
	esac
}

# The newest kernel of the matrix, and the whole matrix, oldest first.
BUFPOOL_NEWEST=$(sed -n 's/^version=//p' "$BUFPOOL_KCONF/newest.conf")
BUFPOOL_KERNELS="6.1 6.12 $BUFPOOL_NEWEST"

# kernel_conf VER: reads the settings of kernel VER (6.1, 6.12 or the
# newest) into K_VER, K_APT, K_SOURCE, K_STOCK, K_QEMU, K_ZEROING, K_FRAGMENTS,
# K_TARGETS and K_DISTRO.
kernel_conf() {
	local f=$BUFPOOL_KCONF/$1.conf version= apt= source= stock= qemu= distro= fragments= zeroing=
	local targets=
	[ "$1" = "$BUFPOOL_NEWEST" ] && f=$BUFPOOL_KCONF/newest.conf
	[ -r "$f" ] || die "no kernel $1: the kernels are $BUFPOOL_KERNELS"
	# shellcheck disable=SC1090 # the kernel's settings, data of ours
	. "$f"
	K_VER=$1 K_APT=$apt K_SOURCE=$source K_STOCK=$stock K_QEMU=$qemu
	K_FRAGMENTS=$fragments K_DISTRO=$distro K_ZEROING=$zeroing K_TARGETS=$targets
}

# target_conf TARGET: the machine a kernel is built for and its guests
# boot on, read into T_NAME, T_ARCH (the kernel's ARCH), T_CROSS (its
# CROSS_COMPILE), T_DEB (Debian's name of the architecture), T_FRAGMENTS
# (the fragments of kunit/ its debug kernels add), T_IMAGE (the image,
# in a build tree), T_QEMU (the emulator and its machine) and T_CONSOLE:
#   x86_64     the default;
#   arm64-4k   arm64 with 4 KB pages, on QEMU's virt board;
#   arm64-64k  arm64 with 64 KB pages (CONFIG_ARM64_64K_PAGES).
target_conf() {
	T_NAME=${1:-x86_64}
	case $T_NAME in
	x86_64)
		T_ARCH=x86_64 T_CROSS= T_DEB=amd64 T_IMAGE=arch/x86/boot/bzImage
		T_FRAGMENTS=x86_64.config T_CONSOLE=ttyS0
		T_QEMU="qemu-system-x86_64 -cpu max"
		;;
	arm64-4k | arm64-64k)
		T_ARCH=arm64 T_CROSS=aarch64-linux-gnu- T_DEB=arm64
		T_IMAGE=arch/arm64/boot/Image T_CONSOLE=ttyAMA0
		T_FRAGMENTS="arm64.config $T_NAME.config"
		# pauth-impdef: pointer authentication with QEMU's own cipher,
		# not QARMA's, which costs most of a TCG guest's time.
		T_QEMU="qemu-system-aarch64 -M virt,gic-version=3 -cpu max,pauth-impdef=on"
		;;
	*)	die "no target $T_NAME: x86_64, arm64-4k or arm64-64k" ;;
	esac
}

# target_make_args: the make arguments that build for the current target
# (target_conf): ARCH and CROSS_COMPILE when it is not this machine.
target_make_args() {
	[ -n "$T_CROSS" ] && printf '%s\n' "ARCH=$T_ARCH" "CROSS_COMPILE=$T_CROSS"
	return 0
}

# kernel_has_stock FLAVOUR: whether the current kernel (kernel_conf) has
# Debian's stock images of FLAVOUR (amd64, rt-amd64) to boot.
kernel_has_stock() {
	case " $K_STOCK " in *" $1 "*) return 0 ;; esac
	return 1
}

# kapt TOOL ARGS...: apt-get or apt-cache (TOOL) for the current kernel
# (kernel_conf): this machine's own sources, or K_APT's suite through a
# private configuration under the cache, updated once a day, which leaves
# the machine's apt configuration and state as they were. K_DEBARCH
# (arm64) asks for another architecture's packages, through a private
# configuration of their own.
kapt() {
	local tool=$1 suite=$K_APT arch=${K_DEBARCH:-} dir opts sources more=
	local deb="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org"
	shift
	if [ "$suite" = system ]; then
		if [ -z "$arch" ]; then
			"$tool" "$@"
			return
		fi
		# Another architecture's packages of this machine's release,
		# from the suites Debian installs it with: the release, its
		# updates and its security updates (where a point release's
		# kernel is until the next one; without them the arm64 kernel
		# would be older than the amd64 one and than the source:
		# check.sh's stock-arm64-abi).
		suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
		more="
$deb/debian $suite-updates main
$deb/debian-security $suite-security main"
	fi
	sources="$deb/debian $suite main$more"
	dir=$BUFPOOL_CACHE/apt/$suite${arch:+-$arch}
	opts=(-o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=-
	      -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache")
	[ -n "$arch" ] && opts+=(-o APT::Architecture="$arch" -o APT::Architectures::="$arch")
	# Updated once a day, or at once when the suites it takes changed.
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ] ||
	   [ "$(cat "$dir/sources.list" 2>/dev/null)" != "$sources" ]; then
		mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
		printf '%s\n' "$sources" > "$dir/sources.list"
		msg "apt-get update of $suite${arch:+ for $arch} (a private configuration in $dir)"
		flock "$dir" apt-get "${opts[@]}" update -qq > /dev/null 2>&1 ||
			die "apt-get update of $K_APT failed"
	fi
	"$tool" "${opts[@]}" "$@"
}

# fetch PKG DIR: downloads the current kernel's suite's version of
# package PKG into the cache (once) and unpacks it into DIR.
fetch() {
	local pkg=$1 dir=$2 debs=$BUFPOOL_CACHE/debs v f
	v=$(kapt apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || die "apt knows no $pkg${K_DEBARCH:+ for $K_DEBARCH}"
	# The architecture's own build or the one for all of them.
	f="$debs/${pkg}_${v//:/%3a}_@(${K_DEBARCH:-$(dpkg --print-architecture)}|all).deb"
	mkdir -p "$debs" "$dir"
	# One download at a time: the scripts of a run fetch side by side.
	(
		shopt -s extglob
		flock 9
		compgen -G "$f" > /dev/null && exit 0
		msg "fetching $pkg $v${K_DEBARCH:+ for $K_DEBARCH}"
		cd "$debs" && kapt apt-get download -qq "$pkg=$v" > /dev/null 2>&1
	) 9> "$debs/.lock" || die "apt-get download $pkg=$v failed"
	f=$(shopt -s extglob; compgen -G "$f" | head -n 1)
	[ -n "$f" ] || die "apt-get download of $pkg=$v left no .deb"
	dpkg-deb -x "$f" "$dir" || die "cannot unpack $f"
}

# source_version VER: the Debian version of kernel VER's source package,
# e.g. 6.1.192-3.
source_version() {
	local v
	kernel_conf "$1"
	v=$(kapt apt-cache policy "$K_SOURCE" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || die "apt knows no $K_SOURCE"
	echo "$v"
}

# source_tree VER: kernel VER's source tree, unpacked once into the cache.
source_tree() {
	local ver dir tmp
	kernel_conf "$1"
	ver=$(source_version "$1") || exit 1
	dir=$BUFPOOL_CACHE/src/linux-source-$ver
	mkdir -p "$BUFPOOL_CACHE/src"
	exec 8> "$BUFPOOL_CACHE/src/.lock"
	flock 8
	if [ ! -e "$dir/.extracted" ]; then
		tmp=$BUFPOOL_CACHE/src/.deb-$ver
		rm -rf "$tmp" "$dir" && mkdir -p "$dir"
		fetch "$K_SOURCE" "$tmp"
		msg "extracting $K_SOURCE $ver into $dir"
		tar -C "$dir" --strip-components=1 -xf "$tmp"/usr/src/linux-source-*.tar.xz ||
			die "cannot extract $K_SOURCE"
		rm -rf "$tmp"
		touch "$dir/.extracted"
	fi
	exec 8>&-
	echo "$dir"
}

# flavour_arch FLAVOUR: sets K_DEBARCH to the architecture of Debian's
# kernel flavour FLAVOUR (amd64, rt-amd64, arm64, ...), empty for this
# machine's own, and K_TARGET to the target its guests boot as
# (target_conf).
flavour_arch() {
	K_DEBARCH= K_TARGET=x86_64
	case $1 in
	arm64 | *-arm64) K_DEBARCH=arm64 K_TARGET=arm64-4k ;;
	esac
}

# stock_abi VER FLAVOUR: the ABI Debian's FLAVOUR metapackage of kernel
# VER points at, e.g. 6.1.0-57-amd64 or 6.12.95+deb12-rt-amd64.
stock_abi() {
	local flavour=$2 dep
	kernel_conf "$1"
	flavour_arch "$flavour"
	dep=$(kapt apt-cache depends "linux-headers-$flavour" 2>/dev/null |
	      sed -n "s/^ *Depends: linux-headers-\(.*-$flavour\)\$/\1/p" | head -n 1)
	[ -n "$dep" ] || die "cannot find the ABI behind linux-headers-$flavour of $1 (apt-get update?)"
	echo "$dep"
}

# stock_dir VER FLAVOUR: Debian's stock kernel VER of FLAVOUR, unpacked
# once into the cache, never installed: DIR/vmlinuz is its image and
# DIR/kdir its headers, against which a module builds as against
# /usr/src/linux-headers-<abi>. Another architecture's headers (arm64)
# come with this machine's build of their kbuild tools, which run here.
stock_dir() {
	local abi dir root pkg img
	kernel_conf "$1"
	abi=$(stock_abi "$1" "$2") || exit 1
	flavour_arch "$2"
	dir=$BUFPOOL_CACHE/stock/$abi
	mkdir -p "$BUFPOOL_CACHE/stock"
	# One unpacking at a time; a second caller finds it done.
	exec 8> "$BUFPOOL_CACHE/stock/.lock"
	flock 8
	if [ ! -e "$dir/.unpacked" ]; then
		root=$dir/root
		rm -rf "$dir" && mkdir -p "$root"
		# The headers and what they lean on: the common headers and kbuild.
		for pkg in "linux-headers-$abi" $(kapt apt-cache depends "linux-headers-$abi" |
				sed -n 's/^ *|\?Depends: \(linux-\(headers\|kbuild\)-.*\)$/\1/p'); do
			case $pkg in
			linux-kbuild-*) (K_DEBARCH= && fetch "$pkg" "$root") || exit 1 ;;
			*) fetch "$pkg" "$root" ;;
			esac
		done
		# Debian's headers include their common half by absolute path.
		sed -i "s|/usr/src/|$root/usr/src/|" "$root/usr/src/linux-headers-$abi/Makefile"
		ln -s "root/usr/src/linux-headers-$abi" "$dir/kdir"
		img=linux-image-$abi-unsigned
		kapt apt-cache show "$img" > /dev/null 2>&1 || img=linux-image-$abi
		fetch "$img" "$dir/image"
		mv "$dir"/image/boot/vmlinuz-* "$dir/vmlinuz" && rm -rf "$dir/image" ||
			die "no vmlinuz in $img"
		touch "$dir/.unpacked"
	fi
	exec 8>&-
	echo "$dir"
}

# copy_tree DEST [PATH...]: the sources of the tree (all of them, or the
# PATHs), without build products, into DEST, keeping modification times
# so that a build there again rebuilds only what changed.
copy_tree() {
	local dest=$1
	shift
	[ $# -gt 0 ] || set -- Kbuild Makefile bufpool include kunit tools
	mkdir -p "$dest"
	(cd "$BUFPOOL_TOP" &&
	 find "$@" -type f \
		! -name '*.o' ! -name '*.ko' ! -name '*.mod' ! -name '*.mod.c' \
		! -name '.*.cmd' ! -name '*.symvers' ! -name 'modules.order' \
		! -name '*.a' ! -name bufpoolstat |
	 cpio -pdmu --quiet "$dest") || die "cannot copy the sources to $dest"
}

# kbuild_ext KDIR DIR BUFPOOL_DIR SYMVERS [MAKEARGS...]: builds the
# external module in DIR (the sample client, the benchmark) against KDIR
# and against bufpool's header in BUFPOOL_DIR/include and its symbols in
# SYMVERS, as the README's client recipe does.
kbuild_ext() {
	local kdir=$1 dir=$2 bdir=$3 symvers=$4
	shift 4
	make -C "$kdir" M="$dir" BUFPOOL_DIR="$bdir" KBUILD_EXTRA_SYMBOLS="$symvers" \
		"$@" modules
}

# build_module KDIR OUT [MAKEARGS...]: bufpool (and its KUnit module where
# the kernel has KUnit), the sample client, the benchmark and bufpoolstat,
# with W=1, in a copy of the tree at OUT, so that builds against different
# kernels do not trample each other; the log is OUT.log. Fails on any
# warning.
build_module() {
	local kdir=$1 out
	out=$(realpath -m "$2")
	shift 2
	copy_tree "$out"
	rm -f "$out/tools/bench/Module.symvers"
	{ make -C "$out" KDIR="$kdir" W=1 "$@" module client bufpoolstat &&
	  kbuild_ext "$kdir" "$out/tools/bench" "$out" "$out/Module.symvers" W=1 "$@"
	} > "$out.log" 2>&1 && ! grep -E 'warning:|error:' "$out.log"
}

# deps [kmsan]: installs what is missing (deps.sh), once for a whole run:
# the scripts a run calls find it done.
deps() {
	[ -n "${BUFPOOL_DEPS_DONE:-}" ] && return
	"$BUFPOOL_TOP/tools/testing/deps.sh" "$@" || return
	export BUFPOOL_DEPS_DONE=1
}

# target_busybox: the static busybox of the guests' target (GUEST_TARGET,
# x86_64 by default): this machine's, or Debian's busybox-static of the
# target's architecture, fetched once into the cache.
target_busybox() {
	local dir
	target_conf "${GUEST_TARGET:-}"
	if [ "$T_DEB" = "$(dpkg --print-architecture)" ]; then
		command -v busybox || die "busybox is missing (apt-get install busybox-static)"
		return
	fi
	dir=$BUFPOOL_CACHE/busybox/$T_DEB
	mkdir -p "$BUFPOOL_CACHE/busybox"
	# Unpacked aside and moved in whole, under a lock: the guests of a
	# run start side by side, and one may use it while another unpacks.
	(
		flock 9
		[ -x "$dir/bin/busybox" ] && exit 0
		rm -rf "$dir.new" "$dir"
		(K_APT=system K_DEBARCH=$T_DEB && fetch busybox-static "$dir.new") &&
			mv "$dir.new" "$dir"
	) 9> "$BUFPOOL_CACHE/busybox/.lock" || exit 1
	echo "$dir/bin/busybox"
}

# initramfs OUT PAYLOAD [FILE...]: a busybox initramfs whose /init runs
# the guest payload PAYLOAD (guest/PAYLOAD.sh, or a path); each FILE is
# copied to / by its base name.
initramfs() {
	local out=$1 payload=$2 gen=$BUFPOOL_CACHE/bin/gen_init_cpio busybox d f
	local guest=$BUFPOOL_TOP/tools/testing/guest
	shift 2
	[ -e "$guest/$payload.sh" ] && payload=$guest/$payload.sh
	if [ ! -x "$gen" ]; then
		mkdir -p "$(dirname "$gen")"
		# Built aside and moved in, under a lock, as busybox above.
		(
			flock 9
			[ -x "$gen" ] && exit 0
			gcc -O2 -o "$gen.new" "$(source_tree 6.1)/usr/gen_init_cpio.c" &&
				mv "$gen.new" "$gen"
		) 9> "$gen.lock" || die "cannot build gen_init_cpio"
	fi
	busybox=$(target_busybox) || exit 1
	{
		for d in /bin /sbin /usr /usr/bin /usr/sbin /proc /sys /dev /tmp; do
			echo "dir $d 0755 0 0"
		done
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "file /bin/busybox $busybox 0755 0 0"
		echo "file /init $guest/init 0755 0 0"
		echo "file /checks.sh $guest/checks.sh 0644 0 0"
		echo "file /payload.sh $payload 0644 0 0"
		for f in "$@"; do
			echo "file /$(basename "$f") $(readlink -f "$f") 0755 0 0"
		done
	} > "$out.list"
	"$gen" "$out.list" | gzip -1 > "$out" || die "cannot build $out"
	rm -f "$out.list"
}

# qemu_numa: QEMU's -smp and -numa arguments for GUEST_CPUS vCPUs (2) on
# GUEST_NODES NUMA nodes (2; as many as there are vCPUs at most), each
# node one socket with an even share of the vCPUs and of GUEST_MEM (in M
# or G): a node that shared a socket's cache with another would WARN in
# the scheduler's topology check.
qemu_numa() {
	local cpus=${GUEST_CPUS:-2} nodes=${GUEST_NODES:-2} mem=${GUEST_MEM:-1G}
	local mb i first last per
	case $mem in
	*G)	mb=$((${mem%G} * 1024)) ;;
	*M)	mb=${mem%M} ;;
	*)	die "GUEST_MEM=$mem: give it in M or G" ;;
	esac
	[ "$nodes" -gt "$cpus" ] && nodes=$cpus
	[ $((cpus % nodes)) -eq 0 ] || die "GUEST_CPUS=$cpus: not a multiple of GUEST_NODES=$nodes"
	per=$((cpus / nodes))
	printf -- '-smp %d,sockets=%d,cores=%d,threads=1 ' "$cpus" "$nodes" "$per"
	[ "$nodes" -gt 1 ] || return 0
	for ((i = 0; i < nodes; i++)); do
		first=$((i * per))
		last=$((i == nodes - 1 ? cpus - 1 : first + per - 1))
		printf -- '-object memory-backend-ram,id=mem%d,size=%dM ' "$i" $((mb / nodes))
		printf -- '-numa node,nodeid=%d,cpus=%d-%d,memdev=mem%d ' "$i" "$first" "$last" "$i"
	done
}

# qemu_boot KERNEL INITRD LOG TIMEOUT [CMDLINE...]: boots a guest of
# GUEST_TARGET (x86_64) under software emulation (KVM guests hang on
# these machines), GUEST_CPUS vCPUs (2) on GUEST_NODES NUMA nodes (2) and
# GUEST_MEM (1G), its serial console going to LOG, with the current
# kernel's K_QEMU arguments and BUFPOOL_QEMU_ARGS (make profile's plugin).
# Returns 0 when the guest ran to its end, 124 when it ran past TIMEOUT
# seconds, QEMU's exit code otherwise.
qemu_boot() {
	local kernel=$1 initrd=$2 log=$3 limit=$4 rc
	shift 4
	target_conf "${GUEST_TARGET:-}"
	# shellcheck disable=SC2086,SC2046 # T_QEMU, K_QEMU, BUFPOOL_QEMU_ARGS and qemu_numa are words
	timeout --kill-after=10 "$limit" $T_QEMU \
		-accel tcg $(qemu_numa) -m "${GUEST_MEM:-1G}" \
		-display none -monitor none -serial stdio -no-reboot ${K_QEMU:-} \
		${BUFPOOL_QEMU_ARGS:-} \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=$T_CONSOLE panic=-1 oops=panic panic_on_warn=1 rcupdate.rcu_cpu_stall_timeout=120 $*" \
		< /dev/null > "$log" 2>&1
	rc=$?
	[ $rc -eq 124 ] && echo "bufpool-host: guest killed after ${limit}s" >> "$log"
	return $rc
}

# guest_run NAME KERNEL PAYLOAD TIMEOUT [FILE...] -- [CMDLINE...]: the
# initramfs of PAYLOAD and FILEs, booted with KERNEL; the serial log is
# $BUFPOOL_OUT/NAME.serial.log.
guest_run() {
	local name=$1 kernel=$2 payload=$3 limit=$4 files=() t attempt
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	initramfs "$BUFPOOL_OUT/$name.cpio.gz" "$payload" "${files[@]}"
	t=$SECONDS
	qemu_boot "$kernel" "$BUFPOOL_OUT/$name.cpio.gz" "$BUFPOOL_OUT/$name.serial.log" \
		"$limit" "$@"
	# A kernel that died booting, before /init ran anything of ours,
	# boots again, up to twice, and says so; each failed boot's log is
	# kept. (Seen here before the x86_64 debug kernels booted with
	# no5lvl: KASAN reported an interrupt's access to the 5-level direct
	# map as wild while identify_cpu() rebuilt the boot CPU's feature
	# bits, once on 2 vCPUs and in two boots in a row on the 8 vCPUs of
	# the many-CPU guest; debug_args() in check.sh.)
	for attempt in 1 2; do
		grep -q '^bufpool-guest: start' "$BUFPOOL_OUT/$name.serial.log" && break
		mv "$BUFPOOL_OUT/$name.serial.log" \
			"$BUFPOOL_OUT/$name.boot-failed-$attempt.serial.log"
		msg "$name: the kernel died before /init ran: booting it again" \
		    "(the failed boot: .out/$name.boot-failed-$attempt.serial.log)"
		qemu_boot "$kernel" "$BUFPOOL_OUT/$name.cpio.gz" \
			"$BUFPOOL_OUT/$name.serial.log" "$limit" "$@"
	done
	msg "$name guest ran $((SECONDS - t)) s; log: .out/$name.serial.log"
}

# run_kernel VER [TARGET]: the kernel make demo and make bench boot for
# VER on TARGET (x86_64, the default, or arm64-4k): Debian's stock image
# and its headers where VER has them for the target's architecture, else
# the distribution kernel built from VER's source (kernel.sh VER distro
# TARGET). Sets RUN_IMAGE, RUN_KDIR and RUN_NAME, and the target
# (target_conf).
run_kernel() {
	local dir flavour
	kernel_conf "$1"
	target_conf "${2:-x86_64}"
	flavour=$T_DEB
	if kernel_has_stock "$flavour"; then
		dir=$(stock_dir "$1" "$flavour") || return 1
		RUN_IMAGE=$dir/vmlinuz RUN_KDIR=$dir/kdir
		RUN_NAME="Debian's stock $(basename "$dir")"
	else
		dir=$("$BUFPOOL_TOP/tools/testing/kernel.sh" "$1" distro "$T_NAME") || return 1
		RUN_IMAGE=$dir/$T_IMAGE RUN_KDIR=$dir
		RUN_NAME="Linux $(cat "$dir/include/config/kernel.release") from linux-source-$1 with Debian's configuration, modules off"
	fi
}
