/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU statistics of a pool. Every counter lives in the pool's per-CPU
 * area next to the slicing state, is bumped with this_cpu ops and is
 * folded only when read, so the fast path writes nothing shared.
 */
#ifndef _BUFPOOL_STATS_H
#define _BUFPOOL_STATS_H

#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/percpu.h>

struct bufpool;
struct dentry;

/* The allocation paths, in the order the stats file lists them. */
enum bufpool_path {
	BUFPOOL_PATH_ALLOC,		/* bufpool_alloc: zeroed, direct */
	BUFPOOL_PATH_UNSAFE_POOLED,
	BUFPOOL_PATH_UNSAFE_DIRECT,	/* too large for the pool */
	BUFPOOL_PATH_SLOW,
	BUFPOOL_PATH_FROM_POOLED,
	BUFPOOL_PATH_FROM_DIRECT,
	BUFPOOL_NR_PATHS,
};

/*
 * The counters, in the order of the stats file. Each path has a calls and
 * a bytes counter at 2 * path and 2 * path + 1.
 */
enum bufpool_stat {
	BUFPOOL_STAT_PATHS_END = 2 * BUFPOOL_NR_PATHS - 1,
	BUFPOOL_STAT_FREES,
	BUFPOOL_STAT_FAILURES,
	BUFPOOL_STAT_POOLS_CREATED,
	BUFPOOL_STAT_POOLS_RELEASED,
	/* Gauges: what is live now. A reset leaves them alone. */
	BUFPOOL_STAT_POOLS_LIVE,
	BUFPOOL_STAT_POOL_BYTES_LIVE,
	BUFPOOL_STAT_RETIRED_POOLS_LIVE,
	BUFPOOL_STAT_SLICES_LIVE,
	/* Events again. */
	BUFPOOL_STAT_ABANDONED_BYTES,
	BUFPOOL_STAT_PADDING_BYTES,
	BUFPOOL_NR_PRINTED_STATS,
	/* Internal gauge, not in the stats file: live direct buffers. */
	BUFPOOL_STAT_DIRECT_LIVE = BUFPOOL_NR_PRINTED_STATS,
	BUFPOOL_NR_STATS,
};

#define BUFPOOL_STAT_CALLS(path)	(2 * (path))
#define BUFPOOL_STAT_BYTES(path)	(2 * (path) + 1)

/*
 * Size histogram: bucket 0 holds sizes 0 to 8, bucket b holds
 * 2^(b+2)+1 to 2^(b+3), the last one everything larger.
 */
#define BUFPOOL_NR_BUCKETS	20

/* The per-CPU part of the statistics, embedded in struct bufpool_cpu. */
struct bufpool_cpu_stats {
	long stat[BUFPOOL_NR_STATS];
	unsigned long hist[BUFPOOL_NR_PATHS][BUFPOOL_NR_BUCKETS];
};

static inline unsigned int bufpool_size_bucket(size_t size)
{
	if (size <= 8)
		return 0;
	return min_t(unsigned int, order_base_2(size) - 3,
		     BUFPOOL_NR_BUCKETS - 1);
}

long bufpool_stat_read(struct bufpool *pool, enum bufpool_stat item);

int bufpool_debugfs_init(void);
void bufpool_debugfs_exit(void);
void bufpool_debugfs_add(struct bufpool *pool);
void bufpool_debugfs_remove(struct bufpool *pool);

#endif /* _BUFPOOL_STATS_H */
