# SPDX-License-Identifier: GPL-2.0
#
# make            bufpool.ko against KDIR, the bufpoolstat tool, the sample client
# make check      the KUnit suites and the stock-kernel checks in QEMU guests
# make demo       the sample client's workload under QEMU, watched by bufpoolstat
# make bench      bufpool against kmalloc, page_frag and alloc_pages, under QEMU

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
TOP := $(CURDIR)
CFLAGS ?= -O2 -Wall -Wextra

all: module bufpoolstat client

module: kdir
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# A client module builds against bufpool the way the README shows.
client: module
	$(MAKE) -C $(KDIR) M=$(TOP)/tools/client BUFPOOL_DIR=$(TOP) \
		KBUILD_EXTRA_SYMBOLS=$(TOP)/Module.symvers modules

# Static, so that it runs in the busybox guests and on any distribution.
bufpoolstat: tools/bufpoolstat
tools/bufpoolstat: tools/bufpoolstat.c
	$(CC) $(CFLAGS) -static -o $@ $<

kdir:
	@test -d $(KDIR) || { echo "bufpool: no kernel build tree at $(KDIR): install the headers (Debian: apt-get install linux-headers-amd64) or point KDIR= at a kernel build tree"; exit 1; }

check:
	@tools/testing/check.sh

demo:
	@tools/testing/demo.sh

# BENCH_ARGS are module parameters of the benchmark, e.g. BENCH_ARGS="sizes=64,256 reps=7".
bench:
	@tools/testing/bench.sh $(BENCH_ARGS)

clean:
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP) clean
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP)/tools/client clean
	rm -rf .out tools/bufpoolstat

.PHONY: all module client bufpoolstat kdir check demo bench clean
