#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu.sh KERNEL INITRD LOG TIMEOUT [CMDLINE...]: boots a guest under
# software emulation (KVM guests hang on these machines), its serial
# console going to LOG. Exits 0 when the guest ran to its end, 124 when it
# ran past TIMEOUT seconds, and QEMU's exit code otherwise.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 initrd=$2 log=$3 limit=$4
shift 4

timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel tcg -cpu max -smp "${GUEST_CPUS:-2}" -m "${GUEST_MEM:-1G}" \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic panic_on_warn=1 rcupdate.rcu_cpu_stall_timeout=120 $*" \
	< /dev/null > "$log" 2>&1
rc=$?
[ $rc -eq 124 ] && echo "bufpool-host: guest killed after ${limit}s" >> "$log"
exit $rc
