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

#include <linux/bitops.h>
#include <linux/bufpool.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/sizes.h>

struct bufpool;
struct dentry;

/* The allocation paths, in the order the stats file lists them. */
enum bufpool_path {
	BUFPOOL_PATH_ALLOC,		/* bufpool_alloc: zeroed, direct */
	BUFPOOL_PATH_UNSAFE_POOLED,
	BUFPOOL_PATH_UNSAFE_DIRECT,	/* served directly, not sliced */
	BUFPOOL_PATH_SLOW,
	BUFPOOL_PATH_FROM_POOLED,
	BUFPOOL_PATH_FROM_DIRECT,
	BUFPOOL_NR_PATHS,
};

/*
 * What the data path writes: the counted statistics of the table
 * (linux/bufpool_stats.h), then what only the derived ones are computed
 * from. bufpool/stats.c turns them into statistics.
 */
#define BUFPOOL_CNT_COUNTED(NAME)	BUFPOOL_CNT_##NAME,
#define BUFPOOL_CNT_DERIVED(NAME)
#define BUFPOOL_CNT_POOL(NAME)

enum bufpool_counter {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_CNT_##origin(NAME)
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
	BUFPOOL_CNT_DIRECT_FREES,
	BUFPOOL_CNT_SLICE_FREES,
	BUFPOOL_CNT_SLICE_FAILURES,
	BUFPOOL_NR_COUNTERS,
};

/* A path's calls statistic, and its bytes counter. */
#define BUFPOOL_STAT_CALLS(path)	(BUFPOOL_STAT_ALLOC_CALLS + 2 * (path))
#define BUFPOOL_CNT_BYTES(path)		(BUFPOOL_CNT_ALLOC_BYTES + (path))

/*
 * Size histogram: bucket 0 holds sizes 0 to 8, bucket b holds
 * 2^(b+2)+1 to 2^(b+3), the last one everything larger.
 */
#define BUFPOOL_NR_BUCKETS	20

/**
 * struct bufpool_cpu_stats - the per-CPU part of a pool's statistics
 * @cnt: the counters, never zeroed; gauges may be negative on one CPU.
 * @hist: the size histogram of every path.
 * @base: what the reset file last saw of the event statistics, indexed
 *	by enum bufpool_stat_item: they are shown less it, so that a reset writes nothing the fast
 *	path writes and loses no event. Written by the reset file only.
 * @hist_base: the same for @hist.
 */
struct bufpool_cpu_stats {
	long cnt[BUFPOOL_NR_COUNTERS];
	unsigned long hist[BUFPOOL_NR_PATHS][BUFPOOL_NR_BUCKETS];
	long base[BUFPOOL_NR_STATS];
	unsigned long hist_base[BUFPOOL_NR_PATHS][BUFPOOL_NR_BUCKETS];
};

static inline unsigned int bufpool_size_bucket(size_t size)
{
	if (size <= 8)
		return 0;
	return min_t(unsigned int, order_base_2(size) - 3,
		     BUFPOOL_NR_BUCKETS - 1);
}

/*
 * bufpool_size_bucket() of a slice, 1 to 4 MB (BUFPOOL_MAX_POOL_SIZE):
 * branchless, and the last bucket's clamp is not needed.
 */
static __always_inline unsigned int bufpool_slice_bucket(size_t size)
{
	BUILD_BUG_ON(order_base_2(SZ_4M) - 3 != BUFPOOL_NR_BUCKETS - 1);
	return __fls((size - 1) | 7) - 2;
}

void bufpool_stats_cpu(struct bufpool *pool, int cpu,
		       long v[BUFPOOL_NR_STATS]);
unsigned long bufpool_stats_hist(struct bufpool *pool, int cpu,
				 enum bufpool_path path, unsigned int bucket);
void bufpool_stats_reset(struct bufpool *pool);
const char *bufpool_stat_name(enum bufpool_stat_item item);
bool bufpool_stat_is_setting(enum bufpool_stat_item item);
const char *bufpool_path_name(enum bufpool_path path);

#endif /* _BUFPOOL_STATS_H */
