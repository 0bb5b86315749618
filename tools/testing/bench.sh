#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench [KERNEL=6.1|6.12|7.3] [TARGET=x86_64|arm64] [BENCH_ARGS="..."]:
# installs what is missing, builds bufpool and the benchmark module
# (tools/bench/) against the kernel's headers (Debian's stock kernel of
# that version, the default 6.1; for the newest, which has no stock image
# here, the kernel kernel.sh builds with Debian's configuration), boots
# that kernel in QEMU and loads both (the guest side is
# guest/bench.sh). The benchmark runs at load and prints its tables and
# its machine-readable "bench:" lines, which are shown here and kept in
# .out/bench.txt; the whole serial logs are
# .out/bench.init_on_alloc=N.serial.log.
#
# The arguments are the benchmark's module parameters, e.g.
#   make bench BENCH_ARGS="sizes=64,256 patterns=ab reps=5"
# (modinfo tools/bench/bufpool_bench.ko lists them). From the environment:
# TARGET=arm64 (arm64-4k) runs it on Debian's arm64 kernel of that
# version, cross-built, on QEMU's virt board (lib.sh's target_conf).
# GUEST_CPUS (default 2, this machine's core count) sets the guest's vCPUs,
# BENCH_TIMEOUT (default 240, 600 on arm64) each boot's time limit in seconds,
# BUFPOOL_ARGS bufpool's own parameters (e.g. pool_size=32768) and
# BENCH_CMDLINE more kernel command line; BENCH_PROFILE, set by
# profile.sh, has the guest print its code symbols.
#
# Every contender is measured twice, in two boots of the same guest: with
# init_on_alloc=0 and with init_on_alloc=1 (Debian's default), under which
# kmalloc() and page_frag's fresh pages are zeroed and bufpool follows the
# same policy; BENCH_INIT_ON_ALLOC (default "0 1") picks the settings.
# Each boot's results follow a "# init_on_alloc=N" line.
#
# After the benchmark, the tracepoints' A/B: bufpool as built, with its
# tracepoints off, against the same sources built with NOTRACE (which
# compiles every trace_*() call out), each in three code layouts
# (-falign-functions default, 64, 128), in BENCH_AB_ROUNDS (default 4)
# rounds of the benchmark with BENCH_AB_ARGS (default below);
# tools/testing/bench-ab.py compares them. BENCH_AB_ROUNDS=0 skips it.
# BENCH_AB_BASE=REV makes it an A/B of this tree ("change") against the
# sources of commit REV ("base") instead: a change measured in one boot,
# the two taking turns. BENCH_AB_PAIR="CONTENDER REFERENCE" (default
# "bufpool_alloc_unsafe page_frag") is the ratio the A/B compares.
#
# Exits non-zero when something did not build, the guest did not finish
# or the kernel complained (a WARN, BUG, Oops, panic or stack dump). A
# missed goal is reported, not a failure: it is a measurement.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$SECONDS
# A bad TARGET is refused before anything is installed.
target=${TARGET:-x86_64}
case $target in
x86_64)		  limit=240 ;;
arm64 | arm64-4k) target=arm64-4k limit=600 ;;
*)		  die "TARGET=$target: x86_64 or arm64" ;;
esac
deps || die "installing the dependencies failed"
kver=${KERNEL:-6.1}
# The guests boot on the target's emulator with its busybox (lib.sh).
export GUEST_TARGET=$target
run_kernel "$kver" "$target" || die "no kernel $kver to boot on $target"
mapfile -t margs < <(target_make_args)
out=$BUFPOOL_OUT/bench
txt=$BUFPOOL_OUT/bench.txt
cpus=${GUEST_CPUS:-2}
limit=${BENCH_TIMEOUT:-$limit}
ab_rounds=${BENCH_AB_ROUNDS:-4}
read -r ab_contender ab_ref ab_extra <<< "${BENCH_AB_PAIR:-bufpool_alloc_unsafe page_frag}"
if [ -z "$ab_ref" ] || [ -n "$ab_extra" ]; then
	die "BENCH_AB_PAIR=\"$BENCH_AB_PAIR\": a contender and its reference, two names"
fi
ab_args=${BENCH_AB_ARGS:-contenders=$ab_contender,$ab_ref patterns=ab sizes=16,64,256,1024 mem=0}

# The sources only, into a tree of the bench's own, so that this build
# neither meets nor disturbs the ones of make, make check or an editor.
msg "building bufpool and the benchmark against $RUN_NAME in $out"
copy_tree "$out" Kbuild Makefile bufpool include tools/bench
# As the Makefile's client target: modpost runs again for bufpool's CRCs.
rm -f "$out/tools/bench/Module.symvers"
if ! { make -C "$out" KDIR="$RUN_KDIR" "${margs[@]}" module &&
       kbuild_ext "$RUN_KDIR" "$out/tools/bench" "$out" "$out/Module.symvers" \
		"${margs[@]}"; } > "$out.log" 2>&1; then
	tail -n 30 "$out.log"
	die "bufpool or the benchmark did not build; log: $out.log"
fi

# The A/B's modules: VARIANT LAYOUT in ab/VARIANT-LAYOUT/, listed with
# their file names in ab_modules.
ab_files=()
: > "$out/ab_modules"
variants="built-in compiled-out"
[ -n "${BENCH_AB_BASE:-}" ] && variants="base change"
if [ "$ab_rounds" -gt 0 ]; then
	if [ -n "${BENCH_AB_BASE:-}" ]; then
		base_rev=$(git -C "$BUFPOOL_TOP" rev-parse --short "$BENCH_AB_BASE^{commit}" 2>/dev/null) ||
			die "BENCH_AB_BASE=$BENCH_AB_BASE: no such commit"
		msg "building the A/B of this tree against $base_rev: 2 variants in 3 code layouts"
	else
		msg "building the tracepoints' A/B: 2 variants in 3 code layouts"
	fi
	for variant in $variants; do
		for layout in default align64 align128; do
			flags=
			[ $variant = compiled-out ] && flags=-DNOTRACE
			[ $layout != default ] && flags="$flags -falign-functions=${layout#align}"
			dir=$out/ab/$variant-$layout
			rm -rf "$dir"
			mkdir -p "$dir"
			if [ $variant = base ]; then
				git -C "$BUFPOOL_TOP" archive "$base_rev" Kbuild Makefile bufpool include |
					tar -x -C "$dir" || die "cannot take the sources of $base_rev"
			else
				copy_tree "$dir" Kbuild Makefile bufpool include
			fi
			make -C "$dir" KDIR="$RUN_KDIR" "${margs[@]}" KCFLAGS="$flags" module \
				>> "$out.log" 2>&1 ||
				die "bufpool ($variant, $layout) did not build; log: $out.log"
			cp "$dir/bufpool.ko" "$out/ab/bufpool-$variant-$layout.ko"
			ab_files+=("$out/ab/bufpool-$variant-$layout.ko")
			echo "$variant $layout bufpool-$variant-$layout.ko" >> "$out/ab_modules"
		done
	done
fi

printf '%s\n' "$*" > "$out/bench_args"
printf '%s\n' "${BUFPOOL_ARGS:-}" > "$out/bufpool_args"
printf '%s\n' "$ab_args" > "$out/ab_args"
# The A/B runs in the first boot only: one initramfs with it, one without.
mkdir -p "$out/with-ab" "$out/without-ab"
printf '%s\n' "$ab_rounds" > "$out/with-ab/ab_rounds"
printf '0\n' > "$out/without-ab/ab_rounds"
# make profile (profile.sh): the guest prints its code symbols.
profile=()
if [ -n "${BENCH_PROFILE:-}" ]; then
	: > "$out/profile"
	profile=("$out/profile")
fi
for v in with-ab without-ab; do
	initramfs "$out.$v.cpio.gz" bench \
		"$out/bufpool.ko" "$out/tools/bench/bufpool_bench.ko" \
		"$out/bench_args" "$out/bufpool_args" "$out/$v/ab_rounds" \
		"$out/ab_args" "$out/ab_modules" "${ab_files[@]}" "${profile[@]}"
done

# The benchmark's own kernel lines, without timestamp and module prefix,
# up to the A/B's runs.
results() {
	sed -n 's/\r$//; /^\[ *[0-9]*\.[0-9]*\] bench-ab: run /q
		s/^\[ *[0-9]*\.[0-9]*\] bufpool_bench: \{0,1\}//p' "$@"
}

# Of the serial console, show the payload's lines, the benchmark's and
# the kernel's lines about trouble; of the A/B's runs, only which is on.
show() {
	awk '
	{ sub(/\r$/, "") }
	/^bufpool-guest: start / { inside = 1; print "guest: Linux " $3 " is up"; fflush(); next }
	/^bufpool-guest: done rc=/ { inside = 0; next }
	/^\[ *[0-9]+\.[0-9]+\]/ {
		sub(/^\[ *[0-9]+\.[0-9]+\] ?/, "")
		if ($0 ~ /taint/)
			next
		if ($0 ~ /^bench-ab: run /) {
			ab = 1
			print "  " $0
			fflush()
		} else if (!ab && sub(/^bufpool_bench: ?/, "")) {
			print "  " $0
			fflush()
		} else if ((!ab && $0 ~ /bufpool/) ||
			   $0 ~ /WARNING:|BUG:|Oops|Kernel panic|Call Trace:/) {
			print "  kernel: " $0
			fflush()
		}
		next
	}
	inside { print "  " $0; fflush() }
	'
}

# Host CPU time so far, busy and in all, in clock ticks.
host_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

# bench_boot SETTING INITRD LOG: one boot of the benchmark with
# init_on_alloc=SETTING; its results go to the end of $txt. Returns
# non-zero, after saying why, when it did not run through cleanly.
bench_boot() {
	local setting=$1 initrd=$2 log=$3 t rc guest others busy0 total0 busy1 total1
	local verdict counts ab_rc=0
	msg "booting $RUN_NAME in QEMU ($cpus vCPUs, TCG) with the benchmark, init_on_alloc=$setting${BENCH_ARGS_SHOWN:+: $BENCH_ARGS_SHOWN}"
	rm -f "$log"
	t=$SECONDS
	read -r busy0 total0 <<< "$(host_ticks)"
	# QEMU's own CPU time goes to $out.cputime, to tell the rest of the
	# host's load from it.
	{
		TIMEFORMAT='%U %S'
		# shellcheck disable=SC2086 # BENCH_CMDLINE is words for the kernel
		time GUEST_CPUS=$cpus qemu_boot "$RUN_IMAGE" \
			"$initrd" "$log" "$limit" init_on_alloc="$setting" \
			${BENCH_CMDLINE:-}
	} 2> "$out.cputime" &
	qemu=$!
	tail -n +1 -F --pid=$qemu "$log" 2>/dev/null | show
	wait $qemu
	rc=$?
	guest=$((SECONDS - t))
	guest_total=$((guest_total + guest))
	read -r busy1 total1 <<< "$(host_ticks)"
	# The share of the host's CPUs that other processes took meanwhile:
	# the guest's vCPUs wait for them, and its clock runs on meanwhile.
	others=$(awk -v b="$((busy1 - busy0))" -v t="$((total1 - total0))" \
		     -v hz="$(getconf CLK_TCK)" -v q="$(tail -n 1 "$out.cputime")" '
		BEGIN { split(q, u, " "); o = b - (u[1] + u[2]) * hz
			printf "%d", (t > 0 && o > 0) ? 100 * o / t : 0 }')
	[ "$others" -gt "$others_max" ] && others_max=$others

	{
		echo "# init_on_alloc=$setting"
		echo "# host: $(nproc)-core $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME");" \
		     "guest: $RUN_NAME under QEMU TCG ${T_QEMU#* }, $cpus vCPUs, booted with init_on_alloc=$setting;" \
		     "guest time ${guest} s; other processes took ${others}% of the host's CPU meanwhile"
		results "$log"
	} > "$out.part"
	if grep -q 'bench-ab: run ' "$log"; then
		python3 "$BUFPOOL_TOP/tools/testing/bench-ab.py" "$log" \
			"$ab_contender" "$ab_ref" > "$out.ab.txt"
		ab_rc=$?
		sed 's/^/  /' "$out.ab.txt"
		cat "$out.ab.txt" >> "$out.part"
	fi
	cat "$out.part" >> "$txt"

	verdict=$(python3 "$BUFPOOL_TOP/tools/testing/verdict.py" "$log" --label bench)
	read -r -a counts <<< "$(printf '%s\n' "$verdict" | tail -n 1)"
	if [ $rc -ne 0 ] || [ "${counts[1]:-1}" -ne 0 ] ||
	   ! grep -q '^done in ' "$out.part" || [ "$ab_rc" -ne 0 ]; then
		printf '%s\n' "$verdict" | sed '$d'
		[ $rc -eq 124 ] && echo "bench: FAIL the guest ran past $limit s (BENCH_TIMEOUT)"
		grep -q '^done in ' "$out.part" || echo "bench: FAIL the benchmark did not finish"
		[ "$ab_rc" -ne 0 ] && echo "bench: FAIL the tracepoints' A/B did not complete"
		return 1
	fi
}

BENCH_ARGS_SHOWN=$*
echo "# make bench KERNEL=$kver${TARGET:+ TARGET=$TARGET}${*:+ BENCH_ARGS=\"$*\"}${BUFPOOL_ARGS:+ BUFPOOL_ARGS=\"$BUFPOOL_ARGS\"}${BENCH_CMDLINE:+ BENCH_CMDLINE=\"$BENCH_CMDLINE\"}, $(date -u '+%Y-%m-%d %H:%M UTC')" > "$txt"
guest_total=0 others_max=0 initrd=$out.with-ab.cpio.gz
for setting in ${BENCH_INIT_ON_ALLOC:-0 1}; do
	log=$out.init_on_alloc=$setting.serial.log
	if ! bench_boot "$setting" "$initrd" "$log"; then
		msg "make bench FAILED after $((SECONDS - t0)) s; serial log: $log"
		exit 1
	fi
	initrd=$out.without-ab.cpio.gz
done
missed=$(grep -c '^bench-goal: .* MISSED:' "$txt")
if [ "$others_max" -gt 10 ]; then
	msg "warning: other processes took up to ${others_max}% of the host's CPU during the runs;" \
	    "patterns c and d (and the spreads) suffer most: run again on an idle host"
fi
msg "make bench passed in $((SECONDS - t0)) s (guest $guest_total s, no kernel complaints," \
    "$missed goal(s) missed); results: $txt, serial logs: $out.init_on_alloc=*.serial.log"
