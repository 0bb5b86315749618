/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pool internals shared by the bufpool source files. The public API is
 * include/linux/bufpool.h; nothing here is for client modules.
 */
#ifndef _BUFPOOL_POOL_H
#define _BUFPOOL_POOL_H

#include <linux/bufpool.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/mm.h>
#include <linux/percpu-refcount.h>
#include <linux/workqueue.h>

#include "stats.h"

/* The largest chunk: the largest block the page allocator hands out. */
#define BUFPOOL_MAX_POOL_SIZE	(PAGE_SIZE << (MAX_ORDER - 1))

/**
 * struct bufpool_cpu - one CPU's view of a pool
 * @lock: serialises slicing on this CPU against interrupts (and, on
 *	PREEMPT_RT, against other tasks on this CPU).
 * @page: head page of the current chunk, or NULL before the first slice.
 * @va: its address.
 * @offset: where the next slice starts.
 * @size: bytes in the current chunk (pool_size when it was created).
 * @bias: page references this CPU still holds for slices to come, as
 *	page_frag's pagecnt_bias: a slice takes one without an atomic.
 * @stats: this CPU's counters.
 */
struct bufpool_cpu {
	local_lock_t lock;
	struct page *page;
	void *va;
	unsigned int offset;
	unsigned int size;
	unsigned int bias;
	struct bufpool_cpu_stats stats;
};

/**
 * struct bufpool - a pool
 * @pcpu: per-CPU slicing state and counters.
 * @pool_size: bytes in a new chunk. The default pool's follows the
 *	pool_size parameter and is read once per allocation.
 * @threshold: as in struct bufpool_params, 0 meaning pool_size / 2.
 * @align: slice alignment, a power of two.
 * @flags: %BUFPOOL_ZERO_FILL.
 * @ref: one reference per live chunk and per live direct buffer, plus the
 *	creator's, so that a pool destroyed under live buffers stays until
 *	the last one is freed.
 * @node: on bufpool_list.
 * @dir: the pool's debugfs directory.
 * @free_work: frees the pool once @ref has dropped to zero.
 * @name: unique name, also the debugfs directory's.
 */
struct bufpool {
	struct bufpool_cpu __percpu *pcpu;
	unsigned int pool_size;
	unsigned int threshold;
	unsigned int align;
	unsigned int flags;
	struct percpu_ref ref;
	struct list_head node;
	struct dentry *dir;
	struct work_struct free_work;
	char name[BUFPOOL_NAME_MAX];
};

extern struct bufpool *bufpool_default;

int bufpool_check_params(const struct bufpool_params *params);
int bufpool_core_init(const struct bufpool_params *params);
void bufpool_core_exit(void);

/* Requests below this many bytes are sliced from a chunk of pool_size. */
static inline unsigned int bufpool_threshold(const struct bufpool *pool,
					     unsigned int pool_size)
{
	unsigned int threshold = READ_ONCE(pool->threshold);

	if (!threshold)
		return pool_size / 2;
	/* pool_size may have shrunk since threshold was set. */
	return min(threshold, pool_size + 1);
}

static inline void bufpool_count(struct bufpool *pool, enum bufpool_stat item,
				 long delta)
{
	this_cpu_add(pool->pcpu->stats.stat[item], delta);
}

#endif /* _BUFPOOL_POOL_H */
