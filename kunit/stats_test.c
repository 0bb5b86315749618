// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for bufpool/stats.c: a known sequence of calls, and the
 * exact change it makes to every counter of the debugfs files.
 */
#include <kunit/test.h>
#include <linux/bufpool.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "util.h"

#define STATS_POOL	"kunit-stats"
#define STATS_DIR	"/sys/kernel/debug/bufpool/" STATS_POOL

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

/* One slice and its free, so that this CPU holds a chunk at offset 8. */
static void warm_up(struct kunit *test, struct bufpool *pool)
{
	void *w = bufpool_pool_alloc_unsafe(pool, 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	bufpool_free(w);
}

/* The change each counter must show after the sequence, all frees done. */
static const long expected_delta[BP_NR_STATS] = {
	[BP_ALLOC_CALLS] = 1,		[BP_ALLOC_BYTES] = 40,
	[BP_UNSAFE_POOLED_CALLS] = 4,	[BP_UNSAFE_POOLED_BYTES] = 8200,
	[BP_UNSAFE_DIRECT_CALLS] = 1,	[BP_UNSAFE_DIRECT_BYTES] = 5000,
	[BP_SLOW_CALLS] = 2,		[BP_SLOW_BYTES] = 30,
	[BP_FROM_POOLED_CALLS] = 1,	[BP_FROM_POOLED_BYTES] = 50,
	[BP_FROM_DIRECT_CALLS] = 1,	[BP_FROM_DIRECT_BYTES] = 6000,
	[BP_FREES] = 9,
	[BP_FAILURES] = 1,
	[BP_POOLS_CREATED] = 1,		[BP_POOLS_RELEASED] = 1,
	[BP_ABANDONED_BYTES] = 24,
	[BP_PADDING_BYTES] = 14,
	/* Gauges and configuration: back where they were. */
};

static void exact_counters(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bp_stats s0, mid, end;
	u8 *src, *b[9];
	int i;

	src = kunit_kmalloc(test, 6000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, src);
	memset(src, 0x21, 6000);
	migrate_disable();
	warm_up(test, pool);
	bp_stats_read(test, STATS_POOL, &s0);

	b[0] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);  /* 8..108, pad 4 */
	b[1] = bufpool_pool_alloc_unsafe(pool, 5000, GFP_KERNEL); /* direct */
	b[2] = bufpool_pool_alloc_unsafe_slow(pool, 30, GFP_KERNEL);
	b[3] = bufpool_pool_alloc(pool, 40, GFP_KERNEL);
	b[4] = bufpool_pool_from(pool, src, 50, GFP_KERNEL);	   /* 112..162, pad 6 */
	b[5] = bufpool_pool_from(pool, src, 6000, GFP_KERNEL);	   /* direct */
	b[6] = bufpool_pool_alloc_unsafe(pool, 4000, GFP_KERNEL); /* 168..4168 */
	b[7] = bufpool_pool_alloc_unsafe(pool, 4000, GFP_KERNEL); /* 4168..8168 */
	b[8] = bufpool_pool_alloc_unsafe(pool, 100, GFP_KERNEL);  /* rollover: 24 left */
	/* A forced failure: counted as a call and a failure, no bytes. */
	KUNIT_EXPECT_NULL(test, bufpool_pool_alloc_unsafe_slow(pool, SIZE_MAX,
							       GFP_KERNEL));
	migrate_enable();
	for (i = 0; i < ARRAY_SIZE(b); i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, b[i], "buffer %d", i);
	KUNIT_EXPECT_EQ(test, bufpool_offset(b[8]), 0);

	bp_stats_read(test, STATS_POOL, &mid);
	KUNIT_EXPECT_EQ(test, mid.v[BP_SLICES_LIVE] - s0.v[BP_SLICES_LIVE], 5);
	KUNIT_EXPECT_EQ(test, mid.v[BP_POOLS_LIVE] - s0.v[BP_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, mid.v[BP_POOL_BYTES_LIVE] - s0.v[BP_POOL_BYTES_LIVE],
			8192);
	KUNIT_EXPECT_EQ(test, mid.v[BP_RETIRED_POOLS_LIVE] -
			s0.v[BP_RETIRED_POOLS_LIVE], 1);

	for (i = 0; i < ARRAY_SIZE(b); i++)
		bufpool_free(b[i]);
	bp_stats_read(test, STATS_POOL, &end);
	for (i = 0; i < BP_NR_STATS; i++)
		KUNIT_EXPECT_EQ_MSG(test, end.v[i] - s0.v[i], expected_delta[i],
				    "%s", bp_stat_names[i]);
	KUNIT_EXPECT_EQ(test, end.v[BP_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, end.v[BP_SLICES_LIVE], 0);
}

/* The configuration lines say what the pool was created with. */
static void configuration(struct kunit *test)
{
	const struct bufpool_params params = {
		.pool_size = 32768, .threshold = 1000, .align = 128,
		.flags = BUFPOOL_ZERO_FILL,
	};
	struct bufpool *pool = bufpool_create("kunit-config", &params);
	struct bp_stats s;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
	bp_stats_read(test, "kunit-config", &s);
	KUNIT_EXPECT_EQ(test, s.v[BP_POOL_SIZE], 32768);
	KUNIT_EXPECT_EQ(test, s.v[BP_THRESHOLD], 1000);
	KUNIT_EXPECT_EQ(test, s.v[BP_ALIGN], 128);
	KUNIT_EXPECT_EQ(test, s.v[BP_ZERO_FILL], 1);
	bufpool_destroy(pool);
}

/* The stats file lists its lines in the documented order. */
static void line_order(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	char *cur, *line;
	int i = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_GT(test, bp_read_file(STATS_DIR "/stats", buf, 4096), 0);
	cur = buf;
	while ((line = strsep(&cur, "\n")) && *line && i < BP_NR_STATS) {
		*strchrnul(line, ' ') = '\0';
		KUNIT_EXPECT_STREQ(test, line, bp_stat_names[i]);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, BP_NR_STATS);
}

/* reset zeroes the events, not what is live. */
static void reset_keeps_gauges(struct kunit *test)
{
	struct bufpool *pool = test->priv;
	struct bp_stats s;
	void *a, *d;

	a = bufpool_pool_alloc_unsafe(pool, 64, GFP_KERNEL);
	d = bufpool_pool_alloc(pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_EQ(test, bp_write_file(STATS_DIR "/reset", "1"), 0);
	bp_stats_read(test, STATS_POOL, &s);
	KUNIT_EXPECT_EQ(test, s.v[BP_UNSAFE_POOLED_CALLS], 0);
	KUNIT_EXPECT_EQ(test, s.v[BP_ALLOC_CALLS], 0);
	KUNIT_EXPECT_EQ(test, s.v[BP_POOLS_CREATED], 0);
	KUNIT_EXPECT_EQ(test, s.v[BP_PADDING_BYTES], 0);
	KUNIT_EXPECT_EQ(test, s.v[BP_SLICES_LIVE], 1);
	KUNIT_EXPECT_EQ(test, s.v[BP_POOLS_LIVE], 1);
	KUNIT_EXPECT_EQ(test, s.v[BP_POOL_BYTES_LIVE], 8192);
	bufpool_free(a);
	bufpool_free(d);
	KUNIT_EXPECT_EQ(test, bp_stat(test, STATS_POOL, BP_FREES), 2);
	KUNIT_EXPECT_EQ(test, bp_stat(test, STATS_POOL, BP_SLICES_LIVE), 0);
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

static struct kunit_case stats_cases[] = {
	KUNIT_CASE(exact_counters),
	KUNIT_CASE(configuration),
	KUNIT_CASE(line_order),
	KUNIT_CASE(reset_keeps_gauges),
	KUNIT_CASE(percpu_adds_up),
	KUNIT_CASE(histogram_buckets),
	{}
};

static struct kunit_suite stats_suite = {
	.name = "bufpool_stats",
	.init = stats_init,
	.exit = stats_exit,
	.test_cases = stats_cases,
};

kunit_test_suite(stats_suite);
