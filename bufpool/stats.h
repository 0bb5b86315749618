/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU statistics of a pool. Every counter lives in the pool's per-CPU
 * area next to the slicing state, is bumped with this_cpu ops and is
 * folded only when read, so the fast path writes nothing shared.
 *
 * A pooled allocation and its free bump three counters: the histogram's
 * bucket, the path's bytes and the slice frees. What the stats file shows
 * beyond those is derived when it is read: a path's calls are the sum of
 * its histogram row, frees are the direct and the slice frees, and
 * slices_live is the pooled calls less their failures and slice frees.
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
 * a bytes counter at 2 * path and 2 * path + 1. Of the printed ones, the
 * calls, frees and slices_live are derived (see above): their own slots
 * stay zero, except frees, which holds the direct buffers' frees.
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
	/* Internal, not in the stats file: live direct buffers (a gauge), */
	BUFPOOL_STAT_DIRECT_LIVE = BUFPOOL_NR_PRINTED_STATS,
	/* and the frees and failures of the pooled paths. */
	BUFPOOL_STAT_SLICE_FREES,
	BUFPOOL_STAT_SLICE_FAILURES,
	BUFPOOL_NR_STATS,
};

#define BUFPOOL_STAT_CALLS(path)	(2 * (path))
#define BUFPOOL_STAT_BYTES(path)	(2 * (path) + 1)

/*
 * Size histogram: bucket 0 holds sizes 0 to 8, bucket b holds
 * 2^(b+2)+1 to 2^(b+3), the last one everything larger.
 */
#define BUFPOOL_NR_BUCKETS	20

/**
 * struct bufpool_cpu_stats - the per-CPU part of a pool's statistics
 * @stat: the counters, never zeroed; gauges may be negative on one CPU.
 * @hist: the size histogram of every path.
 * @base: what the reset file last saw of the printed event counters:
 *	they are shown less it, so that a reset writes nothing the fast
 *	path writes and loses no event. Written by the reset file only.
 * @hist_base: the same for @hist.
 */
struct bufpool_cpu_stats {
	long stat[BUFPOOL_NR_STATS];
	unsigned long hist[BUFPOOL_NR_PATHS][BUFPOOL_NR_BUCKETS];
	long base[BUFPOOL_NR_PRINTED_STATS];
	unsigned long hist_base[BUFPOOL_NR_PATHS][BUFPOOL_NR_BUCKETS];
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
