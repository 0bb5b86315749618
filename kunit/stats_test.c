// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/stats.c and bufpool/debugfs.c: a known sequence
 * of calls and the exact change it makes to every statistic of the fold,
 * and the debugfs files that show them.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/bufpool.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pool.h"
#include "util.h"

#define STATS_POOL	"kunit-stats"
#define STATS_DIR	"/sys/kernel/debug/bufpool/" STATS_POOL

/* The default chunk: 8 KB, or one page where pages are larger. */
#define CHUNK		BUFPOOL_DEFAULT_POOL_SIZE

/*
 * exact_counters' sizes, 5000, 6000 and 4000 with 8 KB chunks: two above
 * the threshold, CHUNK / 2, and one of which two from offset 168 leave 24
 * bytes of the chunk.
 */
#define UNSAFE_DIRECT	(CHUNK / 2 + 904)
#define FROM_DIRECT	(CHUNK / 2 + 1904)
#define FILL		(CHUNK / 2 - 96)

static int stats_init(struct kunit *test)
{
	struct bufpool *pool = bufpool_create(STATS_POOL, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	test->priv = pool;
	return 0;
}

static void stats_exit(struct kunit *test)
{
	bufpool_destroy(test->priv);
}

/*
 * One slice and its free, so that this CPU holds a chunk at offset 8: the
 * free on another CPU, as one here would rewind the chunk to its start.
 */
static void warm_up(struct kunit *test, struct bufpool *pool)
{
	void *w = bufpool_pool_alloc_unsafe(pool, 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_GE_MSG(test, bp_free_elsewhere(w, smp_processor_id()), 0,
			    "needs two CPUs");
}

/* The change each counter must show after the sequence, all frees done. */
static const long expected_delta[BUFPOOL_NR_STATS] = {
	[BUFPOOL_STAT_ALLOC_CALLS] = 1,		[BUFPOOL_STAT_ALLOC_BYTES] = 40,
	[BUFPOOL_STAT_UNSAFE_POOLED_CALLS] = 4,
	[BUFPOOL_STAT_UNSAFE_POOLED_BYTES] = 100 + 2 * FILL + 100,
	[BUFPOOL_STAT_UNSAFE_DIRECT_CALLS] = 1,
	[BUFPOOL_STAT_UNSAFE_DIRECT_BYTES] = UNSAFE_DIRECT,
	[BUFPOOL_STAT_SLOW_CALLS] = 2,		[BUFPOOL_STAT_SLOW_BYTES] = 30,
	[BUFPOOL_STAT_FROM_POOLED_CALLS] = 1,	[BUFPOOL_STAT_FROM_POOLED_BYTES] = 50,
	[BUFPOOL_STAT_FROM_DIRECT_CALLS] = 1,
	[BUFPOOL_STAT_FROM_DIRECT_BYTES] = FROM_DIRECT,
	[BUFPOOL_STAT_FREES] = 9,
	[BUFPOOL_STAT_FAILURES] = 1,
	[BUFPOOL_STAT_POOLS_CREATED] = 1,		[BUFPOOL_STAT_POOLS_RELEASED] = 1,
	/* b[8], freed last on its CPU: its chunk's only slice (not with init_on_free). */
	[BUFPOOL_STAT_REWINDS] = 1,
	/* The rolled-over chunk, freed at last, is kept as a spare. */
	[BUFPOOL_STAT_SPARE_POOLS] = 1,	[BUFPOOL_STAT_SPARE_BYTES] = CHUNK,
	[BUFPOOL_STAT_ABANDONED_BYTES] = 24,
	[BUFPOOL_STAT_PADDING_BYTES] = 14,
	/* Gauges and configuration: back where they were. */
};

static void exact_counters(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bufpool_stats s0, mid, end;
	u8 *src, *b[9];
	int i;

	src = kunit_kmalloc(test, FROM_DIRECT, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, src);
	memset(src, 0x21, FROM_DIRECT);
	migrate_disable();
	warm_up(test, pool);
	bufpool_get_stats(pool, &s0);

	b[0] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);  /* 8..108, pad 4 */
	b[1] = bufpool_pool_alloc_unsafe(pool, UNSAFE_DIRECT, GFP_KERNEL); /* direct */
	b[2] = bufpool_pool_alloc_unsafe_slow(pool, 30, GFP_KERNEL);
	b[3] = bufpool_pool_alloc(pool, 40, GFP_KERNEL);
	b[4] = bufpool_pool_from(pool, src, 50, GFP_KERNEL);	   /* 112..162, pad 6 */
	b[5] = bufpool_pool_from(pool, src, FROM_DIRECT, GFP_KERNEL); /* direct */
	b[6] = bufpool_pool_alloc_unsafe(pool, FILL, GFP_KERNEL); /* 168.. */
	b[7] = bufpool_pool_alloc_unsafe(pool, FILL, GFP_KERNEL); /* ..CHUNK - 24 */
	b[8] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);  /* rollover: 24 left */
	/* A forced failure: counted as a call and a failure, no bytes. */
	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc_unsafe_slow(pool, SIZE_MAX,
							       GFP_KERNEL));
	bufpool_get_stats(pool, &mid);
	for (i = 0; i < ARRAY_SIZE(b); i++)
		bufpool_free(b[i]);
	bufpool_get_stats(pool, &end);
	migrate_enable();
	for (i = 0; i < ARRAY_SIZE(b); i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, b[i], "buffer %d", i);
	KUNIT_EXPECT_EQ(test, bufpool_offset(b[8]), 0);

	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, s0, SLICES_LIVE), 5);
	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, s0, POOLS_LIVE), 1);
	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, s0, POOL_BYTES_LIVE),
			CHUNK);
	KUNIT_EXPECT_EQ(test, BP_DELTA(mid, s0, RETIRED_POOLS_LIVE), 1);

	for (i = 0; i < BUFPOOL_NR_STATS; i++)
		KUNIT_EXPECT_EQ_MSG(test, end.v[i] - s0.v[i],
				    i == BUFPOOL_STAT_REWINDS && want_init_on_free() ?
				    0 : expected_delta[i],
				    "%s", bp_stat_names[i]);
	KUNIT_EXPECT_EQ(test, end.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, end.v[BUFPOOL_STAT_SLICES_LIVE], 0);
}

/* The configuration lines say what the pool was created with. */
static void configuration(struct kunit *test)
{
	const struct bufpool_params params = {
		.pool_size = 4 * CHUNK, .threshold = 1000, .align = 128,
		.flags = BUFPOOL_ZERO_FILL,
	};
	struct bufpool *pool = bufpool_create("kunit-config", &params);
	struct bufpool_stats s;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	bufpool_get_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_POOL_SIZE], 4 * CHUNK);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_THRESHOLD], 1000);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_ALIGN], 128);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_ZERO_FILL], 1);
	bufpool_destroy(pool);
}

/*
 * The stats file, read as a client reads it: every statistic of the
 * table, one "name value" line each, in the table's order, with the value
 * bufpool_get_stats() gives.
 */
static void file_matches_fold(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	void *live = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	struct bufpool_stats st;
	char *cur, *line;
	int i = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_GT(test, bp_read_file(STATS_DIR "/stats", buf, 4096), 0);
	bufpool_get_stats(pool, &st);
	cur = buf;
	while ((line = strsep(&cur, "\n")) && *line && i < BUFPOOL_NR_STATS) {
		char *value = strchr(line, ' ');
		u64 v;

		KUNIT_ASSERT_NOT_NULL_MSG(test, value, "bad line \"%s\"", line);
		*value++ = '\0';
		KUNIT_EXPECT_STREQ(test, line, bp_stat_names[i]);
		KUNIT_ASSERT_EQ(test, kstrtou64(value, 10, &v), 0);
		KUNIT_EXPECT_EQ_MSG(test, v, st.v[i], "%s", line);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, BUFPOOL_NR_STATS);
	KUNIT_EXPECT_TRUE(test, !line || !*line);
	/* Something to compare: a live slice and its chunk. */
	KUNIT_EXPECT_EQ(test, st.v[BUFPOOL_STAT_SLICES_LIVE], 1);
	KUNIT_EXPECT_EQ(test, st.v[BUFPOOL_STAT_POOL_BYTES_LIVE], CHUNK);
	bufpool_free(live);
}

/* reset zeroes the events, not what is live. */
static void reset_keeps_gauges(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bufpool_stats s;
	void *a, *d;

	a = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	d = bufpool_pool_alloc(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, d);
	/* An empty write is no write: nothing is reset. */
	KUNIT_ASSERT_EQ(test, bp_write_file(STATS_DIR "/reset", ""), 0);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_UNSAFE_POOLED_CALLS), 1);
	KUNIT_ASSERT_EQ(test, bp_write_file(STATS_DIR "/reset", "1"), 0);
	bufpool_get_stats(pool, &s);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_UNSAFE_POOLED_CALLS], 0);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_ALLOC_CALLS], 0);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_POOLS_CREATED], 0);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_PADDING_BYTES], 0);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_SLICES_LIVE], 1);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, s.v[BUFPOOL_STAT_POOL_BYTES_LIVE], CHUNK);
	bufpool_free(a);
	bufpool_free(d);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_FREES), 2);
	KUNIT_EXPECT_EQ(test, bp_stat(pool, BUFPOOL_STAT_SLICES_LIVE), 0);
}

/* Finds "<name> <total>" in the percpu file and adds up its C<n>= fields. */
static void percpu_line(struct kunit *test, char *buf, const char *name,
			long *total, long *sum)
{
	char *cur = buf, *line, *field;

	*total = LONG_MIN;
	*sum = 0;
	while ((line = strsep(&cur, "\n")) && *line) {
		field = strsep(&line, " ");
		if (strcmp(field, name))
			continue;
		KUNIT_ASSERT_EQ(test, kstrtol(strsep(&line, " "), 10, total), 0);
		while ((field = strsep(&line, " "))) {
			char *eq = strchr(field, '=');
			long n;

			KUNIT_ASSERT_TRUE(test, field[0] == 'C' && eq);
			KUNIT_ASSERT_EQ(test, kstrtol(eq + 1, 10, &n), 0);
			*sum += n;
		}
		return;
	}
}

/* Per CPU, as SLUB_STATS: the C<n>= fields add up to the total. */
static void percpu_adds_up(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	void *bufs[16];
	long total, sum;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, 10 + i, GFP_KERNEL);
	KUNIT_ASSERT_GT(test, bp_read_file(STATS_DIR "/percpu", buf, 8192), 0);
	percpu_line(test, buf, "unsafe_pooled_calls", &total, &sum);
	KUNIT_EXPECT_EQ(test, total, ARRAY_SIZE(bufs));
	KUNIT_EXPECT_EQ(test, sum, total);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
}

static long alloc_and_free_here(void *arg)
{
	struct bufpool *pool = arg;
	void *bufs[4];
	int i;

	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufs[i] = bufpool_pool_alloc_unsafe(pool, 32, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(bufs); i++)
		bufpool_free(bufs[i]);
	return 0;
}

/*
 * An offline CPU's counts are in the totals, and in its C<n>= field: the
 * fields still add up to the total.
 */
static void percpu_counts_offline_cpu(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	const unsigned int cpu = 1;
	long total, sum;
	int n, err;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (!IS_ENABLED(CONFIG_HOTPLUG_CPU) || !cpu_online(cpu))
		kunit_skip(test, "CPU %u cannot go offline here", cpu);
	KUNIT_ASSERT_EQ(test, work_on_cpu(cpu, alloc_and_free_here, pool), 0);
	err = remove_cpu(cpu);
	if (err)
		kunit_skip(test, "remove_cpu(%u): %d", cpu, err);
	n = bp_read_file(STATS_DIR "/percpu", buf, 8192);
	KUNIT_ASSERT_EQ(test, add_cpu(cpu), 0);
	KUNIT_ASSERT_GT(test, n, 0);
	percpu_line(test, buf, "unsafe_pooled_calls", &total, &sum);
	KUNIT_EXPECT_EQ(test, total, 4);
	KUNIT_EXPECT_EQ(test, sum, total);
}

/* The histogram puts each call in its power-of-two bucket and path column. */
static void histogram_buckets(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	char *buf = kunit_kzalloc(test, 8192, GFP_KERNEL);
	unsigned long cols[6];
	void *a, *b, *c;
	char *cur, *line;
	bool seen128 = false, seen8k = false;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	a = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);	/* <=128 */
	b = bufpool_pool_alloc_unsafe(pool, 128, GFP_KERNEL);	/* <=128 */
	c = bufpool_pool_alloc_unsafe_slow(pool, 5000, GFP_KERNEL); /* <=8192 */
	KUNIT_ASSERT_GT(test, bp_read_file(STATS_DIR "/histogram", buf, 8192), 0);
	cur = buf;
	line = strsep(&cur, "\n");
	KUNIT_EXPECT_STREQ(test, line,
			   "size alloc unsafe_pooled unsafe_direct slow from_pooled from_direct");
	while ((line = strsep(&cur, "\n")) && *line) {
		char label[16];

		int n = sscanf(line, "%15s %lu %lu %lu %lu %lu %lu", label,
			       &cols[0], &cols[1], &cols[2], &cols[3], &cols[4],
			       &cols[5]);

		KUNIT_ASSERT_EQ(test, n, 7);
		if (!strcmp(label, "<=128")) {
			seen128 = true;
			KUNIT_EXPECT_EQ(test, cols[1], 2);
		} else if (!strcmp(label, "<=8192")) {
			seen8k = true;
			KUNIT_EXPECT_EQ(test, cols[3], 1);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, cols[1] + cols[3], 0, "%s", label);
		}
	}
	KUNIT_EXPECT_TRUE(test, seen128 && seen8k);
	bufpool_free(a);
	bufpool_free(b);
	bufpool_free(c);
}

/*
 * The fast path's bucket of a slice is the histogram's bucket of its
 * size, for every size a slice may have: around each power of two from 1
 * to the largest chunk.
 */
static void slice_bucket_matches(struct kunit *test)
{
	size_t p, size;

	for (p = 1; p <= SZ_4M; p *= 2) {
		for (size = p - 1; size <= p + 1; size++) {
			if (!size || size > SZ_4M)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, bufpool_slice_bucket(size),
					    bufpool_size_bucket(size),
					    "size %zu", size);
		}
	}
}

/* Whether fail_nth fails a GFP_KERNEL kmalloc(). */
static bool kmalloc_can_fail(void)
{
	bool failed = false;
#ifdef CONFIG_FAULT_INJECTION
	void *p;

	current->fail_nth = 1;
	p = kmalloc(8, GFP_KERNEL | __GFP_NOWARN);
	current->fail_nth = 0;
	kfree(p);
	failed = !p;
#endif
	return failed;
}

/*
 * A file whose read cannot have the memory it needs fails the read; it is
 * never shown empty. Each fault point of a read, in turn, is failed with
 * fail_nth, which passes over allocations that may reclaim unless
 * failslab's ignore-gfp-wait is off (the debug guest turns it off).
 */
static void read_fails_not_empty(struct kunit *test)
{
	static const char * const files[] = {
		"stats", "percpu", "histogram", "owners", "debug",
	};
	char *buf = kunit_kzalloc(test, 16384, GFP_KERNEL);
	char path[96];
	int i, nth, n = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (!kmalloc_can_fail())
		kunit_skip(test, "needs CONFIG_FAILSLAB, its ignore-gfp-wait off");
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		unsigned int left = 0;

		snprintf(path, sizeof(path), STATS_DIR "/%s", files[i]);
		KUNIT_ASSERT_GT_MSG(test, bp_read_file(path, buf, 16384), 0,
				    "%s", files[i]);
		for (nth = 1; nth < 100; nth++) {
#ifdef CONFIG_FAULT_INJECTION
			current->fail_nth = nth;
			n = bp_read_file(path, buf, 16384);
			left = current->fail_nth;
			current->fail_nth = 0;
#endif
			/* Fewer points than nth: each has failed once. */
			if (left)
				break;
			KUNIT_EXPECT_NE_MSG(test, n, 0, "%s, fault point %d",
					    files[i], nth);
		}
		KUNIT_EXPECT_NE_MSG(test, left, 0, "%s: more than 99 fault points",
				    files[i]);
	}
}

static struct kunit_case stats_cases[] = {
	KUNIT_CASE(exact_counters),
	KUNIT_CASE(configuration),
	KUNIT_CASE(file_matches_fold),
	KUNIT_CASE(reset_keeps_gauges),
	KUNIT_CASE(percpu_adds_up),
	KUNIT_CASE(percpu_counts_offline_cpu),
	KUNIT_CASE(histogram_buckets),
	KUNIT_CASE(slice_bucket_matches),
	KUNIT_CASE(read_fails_not_empty),
	{}
};

static struct kunit_suite stats_suite = {
	.name = "bufpool_stats",
	.init = stats_init,
	.exit = stats_exit,
	.test_cases = stats_cases,
};

kunit_test_suite(stats_suite);
