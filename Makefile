# SPDX-License-Identifier: GPL-2.0
#
# make            bufpool.ko against KDIR, the bufpoolstat tool, the sample client
# make check      the KUnit suites and the stock-kernel checks in QEMU guests
# make check-kcsan  the KUnit suites under KCSAN
# make check-kmsan  the KUnit suites under KMSAN (clang)
# make demo       the sample client's workload under QEMU, watched by bufpoolstat
# make bench      bufpool against kmalloc, page_frag and alloc_pages, under QEMU
# make lint       checkpatch, sparse and kernel-doc over the tree (make check runs it)
# make install    modules_install and depmod for KDIR's kernel, and the header and
#                 Module.symvers a client module builds against (see below)

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
TOP := $(CURDIR)
CFLAGS ?= -O2 -Wall -Wextra
BUFPOOL_VERSION := $(shell sed -n 's/^.define BUFPOOL_VERSION "\(.*\)"$$/\1/p' $(TOP)/bufpool/version.h)

all: module bufpoolstat client

module: kdir
	$(MAKE) -C $(KDIR) M=$(TOP) modules

# A client module builds against bufpool the way the README shows. Kbuild
# runs a module's modpost again only when its own objects change, not when
# KBUILD_EXTRA_SYMBOLS does: a client's symbol CRCs would go stale when
# bufpool's change. Removing its Module.symvers makes modpost run again.
client: module
	@if [ $(TOP)/Module.symvers -nt $(TOP)/tools/client/Module.symvers ]; then \
		rm -f $(TOP)/tools/client/Module.symvers; fi
	$(MAKE) -C $(KDIR) M=$(TOP)/tools/client BUFPOOL_DIR=$(TOP) \
		KBUILD_EXTRA_SYMBOLS=$(TOP)/Module.symvers modules

# Static, so that it runs in the busybox guests and on any distribution;
# for the machine CROSS_COMPILE names, as the module is.
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
bufpoolstat: tools/bufpoolstat
tools/bufpoolstat: tools/bufpoolstat.c include/linux/bufpool_stats.h
	$(CC) $(CFLAGS) -I$(TOP)/include -static -o $@ $<

kdir:
	@test -d $(KDIR) || { echo "bufpool: no kernel build tree at $(KDIR): install the headers (Debian: apt-get install linux-headers-amd64) or point KDIR= at a kernel build tree"; exit 1; }

# KERNELS narrows the matrix of tools/testing/kernels/, e.g. KERNELS="6.12 7.3",
# and TARGETS its machines, e.g. TARGETS=x86_64 (no arm64 guests).
check:
	@KERNELS="$(KERNELS)" TARGETS="$(TARGETS)" tools/testing/check.sh

# The KUnit suites under KCSAN, the data-race detector (a kernel of its own),
# on 6.1 and the newest kernel.
check-kcsan:
	@KERNELS="$(KERNELS)" tools/testing/check.sh kcsan

check-kmsan:
	@KERNELS="$(KERNELS)" tools/testing/check.sh kmsan

# KERNEL is 6.1 (the default), 6.12 or 7.3.
demo:
	@KERNEL="$(KERNEL)" tools/testing/demo.sh

# BENCH_ARGS are module parameters of the benchmark, e.g. BENCH_ARGS="sizes=64,256 reps=7".
# TARGET=arm64 runs it on Debian's arm64 kernel under QEMU's virt board.
bench:
	@KERNEL="$(KERNEL)" TARGET="$(TARGET)" tools/testing/bench.sh $(BENCH_ARGS)

# PROFILE="CONTENDER SIZE PATTERN", e.g. PROFILE="kmalloc 64 a": where one
# call of the benchmark's contender spends its guest instructions.
profile:
	@KERNEL="$(KERNEL)" PROFILE="$(PROFILE)" tools/testing/profile.sh

lint:
	@tools/testing/lint.sh

# make install [KDIR=...] [INSTALL_MOD_PATH=...] [DESTDIR=...] [prefix=...]
# installs, for the kernel KDIR was built for (its UTS_RELEASE, which is
# what the module's vermagic says; Debian's headers say otherwise in
# kernel.release):
#   $(INSTALL_MOD_PATH)/lib/modules/<release>/extra/bufpool.ko, then depmod;
#   $(DESTDIR)$(prefix)/src/bufpool-<version>/include/linux/bufpool{,_stats}.h;
#   $(DESTDIR)$(prefix)/src/bufpool-<version>/<release>/Module.symvers.
# A client module then builds with
#   BUFPOOL_DIR=$(prefix)/src/bufpool-<version>
#   KBUILD_EXTRA_SYMBOLS=$(prefix)/src/bufpool-<version>/<release>/Module.symvers
# The module is signed only when KDIR has the kernel's signing key.
prefix ?= /usr/local
DEPMOD ?= depmod
KDIR_RELEASE = $(shell sed -n 's/^.define UTS_RELEASE "\(.*\)"$$/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
BUFPOOL_DEVDIR = $(DESTDIR)$(prefix)/src/bufpool-$(BUFPOOL_VERSION)

install: module
	@test -n "$(KDIR_RELEASE)" || { echo "bufpool: cannot read the kernel release from $(KDIR)/include/generated/utsrelease.h"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) KERNELRELEASE=$(KDIR_RELEASE) \
		INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) \
		$(if $(wildcard $(KDIR)/certs/signing_key.x509),,CONFIG_MODULE_SIG_ALL=) \
		modules_install
	$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KDIR_RELEASE)
	install -D -m 0644 include/linux/bufpool.h $(BUFPOOL_DEVDIR)/include/linux/bufpool.h
	install -D -m 0644 include/linux/bufpool_stats.h $(BUFPOOL_DEVDIR)/include/linux/bufpool_stats.h
	install -D -m 0644 Module.symvers $(BUFPOOL_DEVDIR)/$(KDIR_RELEASE)/Module.symvers

clean:
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP) clean
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP)/tools/client clean
	rm -rf .out tools/bufpoolstat

.PHONY: all module client bufpoolstat kdir check check-kcsan check-kmsan demo bench profile lint install clean
