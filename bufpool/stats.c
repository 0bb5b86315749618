// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: the table of linux/bufpool_stats.h turned into numbers. The
 * data path bumps per-CPU counters (stats.h); here they are folded over
 * the CPUs, the derived statistics are computed, and the reset file's
 * bases are taken.
 */
#include <linux/build_bug.h>
#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/mutex.h>
#include <linux/stringify.h>

#include "pool.h"

enum bufpool_stat_kind { BUFPOOL_KIND_EVENT, BUFPOOL_KIND_GAUGE,
			 BUFPOOL_KIND_SETTING };

/* Each statistic's name, kind and counter, in the table's order. */
static const char * const bufpool_stat_names[] = {
#define BUFPOOL_STAT(NAME, name, kind, origin)	__stringify(name),
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
};

static_assert(ARRAY_SIZE(bufpool_stat_names) == BUFPOOL_NR_STATS);

static const u8 bufpool_stat_kinds[] = {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_KIND_##kind,
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
};

static_assert(ARRAY_SIZE(bufpool_stat_kinds) == BUFPOOL_NR_STATS);

/* A counted statistic's counter; BUFPOOL_NR_COUNTERS for the others. */
#define BUFPOOL_CNT_OF_COUNTED(NAME)	BUFPOOL_CNT_##NAME
#define BUFPOOL_CNT_OF_DERIVED(NAME)	BUFPOOL_NR_COUNTERS
#define BUFPOOL_CNT_OF_POOL(NAME)	BUFPOOL_NR_COUNTERS
static const u8 bufpool_stat_counters[] = {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_CNT_OF_##origin(NAME),
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
};

static_assert(ARRAY_SIZE(bufpool_stat_counters) == BUFPOOL_NR_STATS);
static_assert(BUFPOOL_NR_COUNTERS <= U8_MAX);

static const char * const bufpool_path_names[] = {
	"alloc", "unsafe_pooled", "unsafe_direct", "slow", "from_pooled",
	"from_direct",
};

static_assert(ARRAY_SIZE(bufpool_path_names) == BUFPOOL_NR_PATHS);

/* Each path has its calls and its bytes, in path order. */
static_assert(BUFPOOL_STAT_CALLS(BUFPOOL_PATH_FROM_DIRECT) ==
	      BUFPOOL_STAT_FROM_DIRECT_CALLS);
static_assert(BUFPOOL_STAT_CALLS(BUFPOOL_PATH_UNSAFE_POOLED) ==
	      BUFPOOL_STAT_UNSAFE_POOLED_CALLS);
static_assert(BUFPOOL_CNT_BYTES(BUFPOOL_PATH_FROM_DIRECT) ==
	      BUFPOOL_CNT_FROM_DIRECT_BYTES);

/*
 * The derived statistics and the settings, counted: each has its line in
 * bufpool_stats_derive() or bufpool_get_stats(), which these counts keep
 * honest when the table grows.
 */
#define BUFPOOL_DERIVED_COUNTED(NAME)
#define BUFPOOL_DERIVED_DERIVED(NAME)	BUFPOOL_DERIVED_##NAME,
#define BUFPOOL_DERIVED_POOL(NAME)
enum {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_DERIVED_##origin(NAME)
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
	BUFPOOL_NR_DERIVED
};

static_assert(BUFPOOL_NR_PATHS + 2 == BUFPOOL_NR_DERIVED,
	      "a new derived statistic needs its line in bufpool_stats_derive()");

#define BUFPOOL_SETTING_COUNTED(NAME)
#define BUFPOOL_SETTING_DERIVED(NAME)
#define BUFPOOL_SETTING_POOL(NAME)	BUFPOOL_SETTING_##NAME,
enum {
#define BUFPOOL_STAT(NAME, name, kind, origin)	BUFPOOL_SETTING_##origin(NAME)
#include <linux/bufpool_stats.h>
#undef BUFPOOL_STAT
	BUFPOOL_NR_SETTINGS
};

static_assert(BUFPOOL_NR_SETTINGS == 4,
	      "a new setting needs its line in bufpool_get_stats()");

const char *bufpool_stat_name(enum bufpool_stat_item item)
{
	return bufpool_stat_names[item];
}

bool bufpool_stat_is_setting(enum bufpool_stat_item item)
{
	return bufpool_stat_kinds[item] == BUFPOOL_KIND_SETTING;
}

const char *bufpool_path_name(enum bufpool_path path)
{
	return bufpool_path_names[path];
}

/*
 * One CPU's counted and derived statistics, before any reset, a path's
 * calls from @hist: the one place where the derived ones are computed.
 * Racing increments on that CPU are fine: these are snapshots.
 */
static void bufpool_stats_derive(struct bufpool_cpu_stats *s,
				 unsigned long (*hist)[BUFPOOL_NR_BUCKETS],
				 long v[BUFPOOL_NR_STATS])
{
	long slice_frees = READ_ONCE(s->cnt[BUFPOOL_CNT_SLICE_FREES]);
	int i, path, b;

	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		if (bufpool_stat_counters[i] < BUFPOOL_NR_COUNTERS)
			v[i] = READ_ONCE(s->cnt[bufpool_stat_counters[i]]);
	for (path = 0; path < BUFPOOL_NR_PATHS; path++) {
		unsigned long calls = 0;

		for (b = 0; b < BUFPOOL_NR_BUCKETS; b++)
			calls += READ_ONCE(hist[path][b]);
		v[BUFPOOL_STAT_CALLS(path)] = calls;
	}
	v[BUFPOOL_STAT_FREES] = READ_ONCE(s->cnt[BUFPOOL_CNT_DIRECT_FREES]) +
				slice_frees;
	v[BUFPOOL_STAT_SLICES_LIVE] = v[BUFPOOL_STAT_UNSAFE_POOLED_CALLS] +
				      v[BUFPOOL_STAT_FROM_POOLED_CALLS] -
				      READ_ONCE(s->cnt[BUFPOOL_CNT_SLICE_FAILURES]) -
				      slice_frees;
}

/**
 * bufpool_stats_cpu - one CPU's share of a pool's statistics
 * @pool: the pool.
 * @cpu: a possible CPU.
 * @v: filled with every statistic but the settings, events less what the
 *	last reset saw. A gauge may be negative on one CPU.
 *
 * Context: Any context.
 */
void bufpool_stats_cpu(struct bufpool *pool, int cpu, long v[BUFPOOL_NR_STATS])
{
	struct bufpool_cpu_stats *s = &per_cpu_ptr(pool->pcpu, cpu)->stats;
	long base[BUFPOOL_NR_STATS];
	int i;

	/*
	 * The bases before the counters: a base a reset stored is of
	 * counters it read before (bufpool_stats_reset()), so they are read
	 * here at that value or later, and no event is shown below zero.
	 */
	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		base[i] = READ_ONCE(s->base[i]);
	/* Pairs with the release of each base in bufpool_stats_reset(). */
	smp_rmb();
	bufpool_stats_derive(s, s->hist, v);
	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		if (bufpool_stat_kinds[i] == BUFPOOL_KIND_EVENT)
			v[i] -= base[i];
}

/**
 * bufpool_stats_hist - one CPU's count in a size histogram bucket
 * @pool: the pool.
 * @cpu: a possible CPU.
 * @path: the path.
 * @bucket: the bucket, as bufpool_size_bucket() gives it.
 *
 * Context: Any context.
 * Return: the count, less what the last reset saw; never below zero.
 */
unsigned long bufpool_stats_hist(struct bufpool *pool, int cpu,
				 enum bufpool_path path, unsigned int bucket)
{
	struct bufpool_cpu_stats *s = &per_cpu_ptr(pool->pcpu, cpu)->stats;
	unsigned long base = READ_ONCE(s->hist_base[path][bucket]);

	smp_rmb();	/* as in bufpool_stats_cpu() */
	return READ_ONCE(s->hist[path][bucket]) - base;
}

/**
 * bufpool_get_stats - a pool's statistics, folded over every CPU
 * @pool: a named pool, or NULL for the default pool.
 * @stats: filled with each statistic of linux/bufpool_stats.h, as the
 *	pool's debugfs stats file shows it.
 *
 * A snapshot: counters racing with the fold are taken before or after
 * their change. No gauge is shown below zero, which a fold racing with
 * an allocation on one CPU and its free on another could show; an event
 * counts only up, from the last reset's base.
 *
 * Context: Any context.
 * Return: Nothing.
 */
void bufpool_get_stats(struct bufpool *pool, struct bufpool_stats *stats)
{
	unsigned int pool_size;
	long v[BUFPOOL_NR_STATS];
	int cpu, i;

	pool = pool ?: bufpool_default;
	memset(stats, 0, sizeof(*stats));
	for_each_possible_cpu(cpu) {
		bufpool_stats_cpu(pool, cpu, v);
		for (i = 0; i < BUFPOOL_NR_STATS; i++)
			stats->v[i] += v[i];
	}
	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		if (bufpool_stat_kinds[i] != BUFPOOL_KIND_SETTING &&
		    (s64)stats->v[i] < 0)
			stats->v[i] = 0;

	pool_size = READ_ONCE(pool->pool_size);
	stats->v[BUFPOOL_STAT_POOL_SIZE] = pool_size;
	stats->v[BUFPOOL_STAT_THRESHOLD] = bufpool_threshold(pool, pool_size);
	stats->v[BUFPOOL_STAT_ALIGN] = pool->align;
	stats->v[BUFPOOL_STAT_ZERO_FILL] =
		!!(READ_ONCE(pool->flags) & BUFPOOL_ZERO_FILL);
}
EXPORT_SYMBOL_NS_GPL(bufpool_get_stats, BUFPOOL_NS);

/**
 * bufpool_stats_reset - zero a pool's event statistics, as shown
 * @pool: the pool.
 *
 * Each event statistic and histogram bucket is shown less what it was now;
 * the gauges are left alone. The counters themselves are left to the CPUs
 * that bump them, so an event racing with this is counted either before
 * the reset or after it, and a path's calls stay its histogram row's sum.
 * Each base is stored with release semantics, after the counters it is
 * of were read: a reader that reads the bases first, as
 * bufpool_stats_cpu() and bufpool_stats_hist() do, sees counters at
 * least as large, and resets of one pool by two writers are serialised.
 *
 * Context: Process context.
 */
void bufpool_stats_reset(struct bufpool *pool)
{
	static DEFINE_MUTEX(bufpool_reset_lock);
	long v[BUFPOOL_NR_STATS];
	int i, b, path, cpu;

	mutex_lock(&bufpool_reset_lock);
	for_each_possible_cpu(cpu) {
		struct bufpool_cpu_stats *s = &per_cpu_ptr(pool->pcpu, cpu)->stats;

		for (path = 0; path < BUFPOOL_NR_PATHS; path++)
			for (b = 0; b < BUFPOOL_NR_BUCKETS; b++)
				/* After the read it is of: see above. */
				smp_store_release(&s->hist_base[path][b],
						  READ_ONCE(s->hist[path][b]));
		bufpool_stats_derive(s, s->hist_base, v);
		for (i = 0; i < BUFPOOL_NR_STATS; i++)
			if (bufpool_stat_kinds[i] == BUFPOOL_KIND_EVENT)
				/* After the counters derived into @v. */
				smp_store_release(&s->base[i], v[i]);
	}
	mutex_unlock(&bufpool_reset_lock);
}
