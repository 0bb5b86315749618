// SPDX-License-Identifier: GPL-2.0
/*
 * tcgprof - a QEMU TCG plugin for make profile: how many guest kernel
 * instructions each translated block ran, and how many of those are the
 * kind QEMU's emulation makes dear (locked and compare-and-exchange
 * instructions, interrupt flag changes, string instructions, fences).
 *
 * Every block of kernel code gets an inline counter of its executions,
 * no callback: the guest runs at close to its usual speed under TCG.
 * At exit it writes one line per block that ran, to the file named by
 * the plugin's out= argument:
 *
 *   <start address, hex> <instructions> <dear instructions> <executions>
 *
 * tools/testing/profile.py turns two such files into a profile per call.
 * Built against Debian's qemu-plugin.h (tools/testing/profile.sh).
 */
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* Kernel text, x86_64 and arm64 alike: the top half of the address space. */
#define KERNEL_START	0xffff000000000000ULL
#define BUCKET_BITS	18
#define NR_BUCKETS	262144	/* 2^BUCKET_BITS */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct block {
	uint64_t start;
	uint64_t execs;
	uint32_t insns;
	uint32_t dear;
	struct block *next;
};

static struct block *buckets[NR_BUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path;

static const char * const dear_words[] = {
	"lock ", "cmpxchg", "xchg", "pushf", "popf", "cli", "sti", "rep",
	"mfence", "lfence", "sfence", "wrmsr", "rdmsr", "ldxr", "stxr",
	"ldaxr", "stlxr", "cas", "ldadd", "swp", "msr daif", "dmb", "dsb",
};

static int is_dear(const char *disas)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dear_words); i++)
		if (strstr(disas, dear_words[i]))
			return 1;
	return 0;
}

static unsigned int hash(uint64_t start, uint32_t insns)
{
	uint64_t h = (start ^ ((uint64_t)insns << 40)) * 0x9e3779b97f4a7c15ULL;

	return h >> (64 - BUCKET_BITS);
}

/*
 * The record of a block from @start of @insns instructions: a block is
 * translated again after a flush, and a new translation from the same
 * start may end elsewhere, so both name it.
 */
static struct block *block_get(uint64_t start, uint32_t insns,
			       uint32_t dear)
{
	unsigned int h = hash(start, insns);
	struct block *b;

	pthread_mutex_lock(&lock);
	for (b = buckets[h]; b; b = b->next)
		if (b->start == start && b->insns == insns)
			goto out;
	b = calloc(1, sizeof(*b));
	if (!b)
		goto out;
	b->start = start;
	b->insns = insns;
	b->dear = dear;
	b->next = buckets[h];
	buckets[h] = b;
out:
	pthread_mutex_unlock(&lock);
	return b;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t start = qemu_plugin_tb_vaddr(tb);
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint32_t dear = 0;
	struct block *b;

	if (start < KERNEL_START)
		return;
	for (i = 0; i < n; i++) {
		char *d = qemu_plugin_insn_disas(qemu_plugin_tb_get_insn(tb, i));

		if (d) {
			dear += is_dear(d);
			free(d);
		}
	}
	b = block_get(start, n, dear);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_inline(tb,
							 QEMU_PLUGIN_INLINE_ADD_U64,
							 &b->execs, 1);
}

static void at_exit(qemu_plugin_id_t id, void *data)
{
	FILE *f = fopen(out_path, "w");
	struct block *b;
	unsigned int h;

	if (!f) {
		perror(out_path);
		return;
	}
	for (h = 0; h < NR_BUCKETS; h++)
		for (b = buckets[h]; b; b = b->next)
			if (b->execs)
				fprintf(f, "%llx %u %u %llu\n",
					(unsigned long long)b->start, b->insns,
					b->dear, (unsigned long long)b->execs);
	fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	if (!out_path) {
		fprintf(stderr, "tcgprof: needs out=FILE\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
