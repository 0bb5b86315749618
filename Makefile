# SPDX-License-Identifier: GPL-2.0
#
# make            bufpool.ko against KDIR, the bufpoolstat tool, the sample client
# make check      lint, then the KUnit suites and the stock-kernel checks in QEMU
# make demo       the sample client's workload under QEMU, watched by bufpoolstat
# make bench      bufpool against kmalloc, page_frag and alloc_pages
# make lint       checkpatch, sparse and kernel-doc
# make install    modules_install, depmod, the header and Module.symvers

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
TOP := $(CURDIR)

all: module

module: kdir
	$(MAKE) -C $(KDIR) M=$(TOP) modules

kdir:
	@test -d $(KDIR) || { echo "bufpool: no kernel build tree at $(KDIR): install the headers (Debian: apt-get install linux-headers-amd64) or point KDIR= at a kernel build tree"; exit 1; }

check:
	@tools/testing/check.sh

clean:
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf .out

.PHONY: all module kdir check clean
